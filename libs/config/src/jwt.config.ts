/** One trusted token issuer (`server.jwt.issuers[]`), with its defaults applied. */
export interface JwtIssuerConfig {
  /** Expected `iss` claim; also what selects this issuer for a token. */
  issuerUrl: string;
  /** Remote JWKS, fetched lazily, cached and refetched when a token names an unknown `kid`. */
  jwkCertUrl?: string;
  /** Local keys: a JWKS (or single JWK) JSON file, or PEM public keys / X.509 certificates. */
  jwkCertFile?: string;
  /** Expected `aud` (the token's `aud` must contain it); unchecked when absent. */
  audience?: string;
  /** Request header carrying `Bearer <jwt>`. */
  header: string;
  /** Claim naming the caller (with the fallbacks of CONTRACT §7.3). */
  identityClaim: string;
  /** Regular expression (JavaScript syntax, unanchored) the identity must match. */
  identityClaimPattern?: string;
  /** Request header whose non-empty value names the caller instead of the claim. */
  identityHeader?: string;
}

export interface JwtConfig {
  enabled: boolean;
  issuers: JwtIssuerConfig[];
}

export const DEFAULT_JWT_HEADER = 'Authorization';
export const DEFAULT_IDENTITY_CLAIM = 'email';

const FIELDS = ['issuer_url', 'jwk_cert_url', 'jwk_cert_file', 'audience', 'header', 'identity_claim', 'identity_claim_pattern', 'identity_header'] as const;
type Field = (typeof FIELDS)[number];

/** RFC 9110 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_TOKEN_HEADERS = new Set(['cookie', 'set-cookie']);
// headers that carry credentials or are set by proxies: never a caller's self-declared identity
const FORBIDDEN_IDENTITY_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-forwarded-authorization', 'proxy-authorization']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The raw issuer list: a YAML list, or JSON text (environment). Entries are checked field by field
 * by readJwtIssuers, so that every problem is reported with its index and field.
 */
export const issuerList = (raw: unknown): Record<string, unknown>[] | undefined => {
  let items = raw;
  if (typeof raw === 'string') {
    try {
      items = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(items) || !items.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i))) return undefined;
  return items as Record<string, unknown>[];
};

function checkUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return 'must use https (http is allowed only for localhost, 127.0.0.1 and ::1)';
}

/**
 * Validates the issuer entries and applies their defaults. `where` prefixes every problem, e.g.
 * `HYPERFLEET_SERVER_JWT_ISSUERS (server.jwt.issuers)`, so it names the key that was wrong.
 */
export function readJwtIssuers(raw: Record<string, unknown>[], where: string): { issuers: JwtIssuerConfig[]; problems: string[] } {
  const problems: string[] = [];
  const issuers = raw.map((entry, i): JwtIssuerConfig => {
    const at = (field: string) => `${where}[${i}].${field}`;
    for (const k of Object.keys(entry)) {
      if (k === 'jwk_cert_ca_file') problems.push(`${at(k)}: not supported; add the CA to NODE_EXTRA_CA_CERTS instead`);
      else if (!(FIELDS as readonly string[]).includes(k)) problems.push(`${at(k)}: unknown field (known: ${FIELDS.join(', ')})`);
    }
    const text = (field: Field): string | undefined => {
      const value = entry[field];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(`${at(field)}: must be a non-empty string`);
        return undefined;
      }
      return value.trim();
    };

    const issuerUrl = text('issuer_url');
    if (issuerUrl === undefined) {
      if (entry.issuer_url === undefined || entry.issuer_url === null) problems.push(`${at('issuer_url')}: is required`);
    } else {
      const bad = checkUrl(issuerUrl);
      if (bad) problems.push(`${at('issuer_url')}: ${bad}`);
    }
    const jwkCertUrl = text('jwk_cert_url');
    if (jwkCertUrl !== undefined) {
      const bad = checkUrl(jwkCertUrl);
      if (bad) problems.push(`${at('jwk_cert_url')}: ${bad}`);
    }
    const jwkCertFile = text('jwk_cert_file');
    if (jwkCertUrl === undefined && jwkCertFile === undefined && entry.jwk_cert_url == null && entry.jwk_cert_file == null) {
      problems.push(`${where}[${i}]: needs jwk_cert_url or jwk_cert_file (or both)`);
    }

    const header = text('header') ?? DEFAULT_JWT_HEADER;
    if (!HEADER_NAME.test(header)) problems.push(`${at('header')}: '${header}' is not a valid header name`);
    else if (FORBIDDEN_TOKEN_HEADERS.has(header.toLowerCase())) problems.push(`${at('header')}: '${header}' must not carry tokens`);

    const identityHeader = text('identity_header');
    if (identityHeader !== undefined) {
      if (!HEADER_NAME.test(identityHeader)) problems.push(`${at('identity_header')}: '${identityHeader}' is not a valid header name`);
      else if (FORBIDDEN_IDENTITY_HEADERS.has(identityHeader.toLowerCase())) problems.push(`${at('identity_header')}: '${identityHeader}' is not allowed`);
      else if (identityHeader.toLowerCase() === header.toLowerCase()) problems.push(`${at('identity_header')}: must differ from header '${header}'`);
    }

    const identityClaimPattern = text('identity_claim_pattern');
    if (identityClaimPattern !== undefined) {
      try {
        new RegExp(identityClaimPattern);
      } catch (err) {
        problems.push(`${at('identity_claim_pattern')}: not a valid regular expression (${(err as Error).message})`);
      }
    }

    const audience = text('audience');
    const identityClaim = text('identity_claim') ?? DEFAULT_IDENTITY_CLAIM;
    return {
      issuerUrl: issuerUrl ?? '',
      ...(jwkCertUrl !== undefined ? { jwkCertUrl } : {}),
      ...(jwkCertFile !== undefined ? { jwkCertFile } : {}),
      ...(audience !== undefined ? { audience } : {}),
      header,
      identityClaim,
      ...(identityClaimPattern !== undefined ? { identityClaimPattern } : {}),
      ...(identityHeader !== undefined ? { identityHeader } : {}),
    };
  });
  return { issuers, problems };
}
