import type { JWTPayload } from 'jose';

/** Longest accepted identity, in UTF-8 bytes. */
export const MAX_IDENTITY_BYTES = 256;

/** What identity resolution needs to know about the issuer that accepted the token. */
export interface IdentityPolicy {
  identityClaim: string;
  identityHeader?: string;
  identityPattern?: RegExp;
}

/** Either the caller's identity, or why there is none (`problem` is absent when nothing was offered at all). */
export type IdentityResult = { identity: string } | { identity?: undefined; problem: string };

// C0 controls and DEL
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The caller identity of an authenticated request (CONTRACT §7.3), the one place it is decided: the
 * issuer's identity header when it carries a non-empty value, else the identity claim (with its
 * fallbacks). The value is trimmed, at most 256 bytes, free of control characters and unpaired
 * surrogates, and must match the issuer's pattern. An invalid header value is an error, not a reason to
 * fall back to the claim.
 */
export function resolveIdentity(claims: JWTPayload, policy: IdentityPolicy, headerValue: string | undefined): IdentityResult {
  if (policy.identityHeader) {
    const fromHeader = normalizeIdentity(headerValue, `header "${policy.identityHeader}"`);
    if ('problem' in fromHeader || fromHeader.identity) return matchPattern(fromHeader, 'identity header value', policy);
  }
  const raw = claimValue(claims, policy.identityClaim);
  if (raw === undefined) return { problem: `identity claim "${policy.identityClaim}" not found or empty` };
  const fromClaim = normalizeIdentity(raw, `JWT claim "${policy.identityClaim}"`);
  if (!('problem' in fromClaim) && !fromClaim.identity) return { problem: `identity claim "${policy.identityClaim}" not found or empty` };
  return matchPattern(fromClaim, 'identity claim value', policy);
}

/** Trims and checks one candidate value; an absent or blank value yields an empty identity. */
export function normalizeIdentity(raw: string | undefined, source: string): IdentityResult {
  const value = (raw ?? '').trim();
  if (value === '') return { identity: '' };
  if (Buffer.byteLength(value, 'utf8') > MAX_IDENTITY_BYTES) return { problem: `${source} value exceeds maximum length ${MAX_IDENTITY_BYTES}` };
  // an unpaired surrogate (possible in a JWT claim) is not Unicode: PostgreSQL would store U+FFFD instead
  if (CONTROL.test(value) || !value.isWellFormed()) return { problem: `${source} value contains invalid characters` };
  return { identity: value };
}

function matchPattern(result: IdentityResult, source: string, policy: IdentityPolicy): IdentityResult {
  if ('problem' in result || !policy.identityPattern || policy.identityPattern.test(result.identity)) return result;
  return { problem: `${source} does not match required pattern` };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The named claim, else its equivalent in the other common token layout: `username` ↔
 * `preferred_username`, `first_name` ↔ `given_name`, `last_name` ↔ `family_name` (then the words of
 * `name`). Other claims (`email`, `clientId`, `iss`, …) are read as named. Non-string values do not count.
 */
export function claimValue(claims: JWTPayload, name: string): string | undefined {
  const direct = text(claims[name]);
  if (direct !== undefined) return direct;
  const words = (text(claims.name) ?? '').split(' ');
  switch (name) {
    case 'username':
    case 'preferred_username':
      return text(claims.username) ?? text(claims.preferred_username);
    case 'first_name':
    case 'given_name':
      return text(claims.first_name) ?? text(claims.given_name) ?? text(words[0]);
    case 'last_name':
    case 'family_name':
      return text(claims.last_name) ?? text(claims.family_name) ?? (words.length > 1 ? text(words[1]) : undefined);
    default:
      return undefined;
  }
}
