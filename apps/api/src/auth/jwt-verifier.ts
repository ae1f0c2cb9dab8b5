import { CompactJWSHeaderParameters, decodeJwt, decodeProtectedHeader, errors, JWTPayload, jwtVerify, JWTVerifyOptions } from 'jose';
import { AuthError } from '@app/common';
import type { JwtIssuerConfig } from '@app/config';
import { IdentityPolicy } from './identity';
import { issuerKeys, KeyCandidates } from './issuer-keys';

/** The only accepted signature algorithm. */
export const ALGORITHM = 'RS256';
/** Allowed clock skew for `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_S = 30;

/** An issuer ready to verify tokens. */
export interface TrustedIssuer extends IdentityPolicy {
  config: JwtIssuerConfig;
  header: string;
  keys: KeyCandidates;
  options: JWTVerifyOptions;
}

/** A verified token and the issuer that accepted it. */
export interface Authenticated {
  issuer: TrustedIssuer;
  claims: JWTPayload;
}

/** Why a token was refused, for the log (never the token itself). */
export interface Rejection {
  issuer?: string;
  reason: string;
}

/** Reads a request header by name (case-insensitive); absent or empty is `undefined`. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Verifies bearer JWTs against the configured issuers (CONTRACT §7.2): `Bearer <jwt>` in the issuer's
 * header, RS256 only, signature by one of the issuer's keys, `iss` equal to `issuer_url`, `exp`
 * required, `nbf`, `aud` when configured, 30 s of clock tolerance.
 */
export class JwtVerifier {
  private constructor(readonly issuers: TrustedIssuer[]) {}

  /** Loads every issuer's keys (key files are read now; a bad one fails the boot). */
  static async create(configs: JwtIssuerConfig[]): Promise<JwtVerifier> {
    const issuers = await Promise.all(
      configs.map(async (config): Promise<TrustedIssuer> => ({
        config,
        header: config.header.toLowerCase(),
        keys: await issuerKeys(config),
        identityClaim: config.identityClaim,
        identityHeader: config.identityHeader,
        identityPattern: config.identityClaimPattern !== undefined ? new RegExp(config.identityClaimPattern) : undefined,
        options: { algorithms: [ALGORITHM], issuer: config.issuerUrl, requiredClaims: ['exp'], clockTolerance: CLOCK_TOLERANCE_S, ...(config.audience !== undefined ? { audience: config.audience } : {}) },
      })),
    );
    return new JwtVerifier(issuers);
  }

  /**
   * Finds the issuer whose header carries a valid token, or throws the AuthError of CONTRACT §7.2:
   * no header → missing; only non-Bearer values → not Bearer; an expired token (genuinely signed) →
   * expired; anything else → invalid. When no issuer accepts the token, `onReject` hears why each refused it.
   */
  async authenticate(header: HeaderReader, onReject?: (rejections: Rejection[]) => void): Promise<Authenticated> {
    const rejections: Rejection[] = [];
    let sawHeader = false;
    let expired = false;
    let invalid = false;
    for (const issuer of this.issuers) {
      const value = header(issuer.header);
      if (value === undefined) continue;
      sawHeader = true;
      const parts = value.trim().split(/\s+/);
      if (parts.length !== 2 || parts[0].toLowerCase() !== 'bearer') continue;
      const token = parts[1];
      const refused = this.precheck(token, issuer);
      if (refused) {
        invalid = true;
        rejections.push({ issuer: issuer.config.issuerUrl, reason: refused });
        continue;
      }
      try {
        return { issuer, claims: await this.verify(token, issuer) };
      } catch (err) {
        if (err instanceof errors.JWTExpired) expired = true;
        else invalid = true;
        rejections.push({ issuer: issuer.config.issuerUrl, reason: describe(err) });
      }
    }
    if (rejections.length) onReject?.(rejections);
    if (expired) throw AuthError.expiredToken();
    if (invalid) throw AuthError.invalidToken();
    if (sawHeader) throw AuthError.notBearer();
    throw AuthError.missingCredentials();
  }

  /**
   * Cheap checks before any key lookup, so a stray token never triggers a JWKS fetch: the token must
   * decode, use RS256 and claim this issuer.
   */
  private precheck(token: string, issuer: TrustedIssuer): string | undefined {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      return 'token is not a well-formed JWT';
    }
    if (alg !== ALGORITHM) return `algorithm ${String(alg)} is not allowed (only ${ALGORITHM})`;
    if (iss !== issuer.config.issuerUrl) return 'iss does not name this issuer';
    return undefined;
  }

  /** Signature by one of the issuer's candidate keys, then the claims. */
  private async verify(token: string, issuer: TrustedIssuer): Promise<JWTPayload> {
    // precheck made sure alg is RS256
    const header = decodeProtectedHeader(token) as CompactJWSHeaderParameters;
    const [protectedB64, payload, signature] = token.split('.');
    const keys = await issuer.keys(header, { protected: protectedB64, payload, signature });
    if (keys.length === 0) throw new errors.JWKSNoMatchingKey();
    let last: unknown;
    for (const key of keys) {
      try {
        return (await jwtVerify(token, key, issuer.options)).payload;
      } catch (err) {
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) throw err;
        last = err;
      }
    }
    throw last;
  }
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} ${err.reason}: ${err.message}`;
  if (err instanceof errors.JOSEError) return `${err.code}: ${err.message}`;
  return (err as Error)?.message ?? String(err);
}
