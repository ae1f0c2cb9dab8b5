import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CompactJWSHeaderParameters, createLocalJWKSet, createRemoteJWKSet, errors, FlattenedJWSInput, JSONWebKeySet, JWTVerifyGetKey, KeyInput } from 'jose';
import type { JwtIssuerConfig } from '@app/config';

/** A key that may have signed a token. */
export type VerificationKey = KeyInput;

/** The keys of one issuer that may have signed a token with this header. */
export type KeyCandidates = (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => Promise<VerificationKey[]>;

/** How long a fetched JWKS is used before it is fetched again. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;
/** A token naming an unknown `kid` refetches the JWKS at most this often. */
export const JWKS_REFETCH_COOLDOWN_MS = 30 * 1000;
const MIN_RSA_BITS = 2048;
/** Longest wait for the JWKS endpoint. */
export const JWKS_TIMEOUT_MS = 5 * 1000;

/** Thrown at boot when an issuer's key file cannot be used; names the issuer field. */
export class IssuerKeyError extends Error {
  override name = 'IssuerKeyError';
}

/**
 * The verification keys of an issuer: those of `jwk_cert_file`, read once at boot, then those of
 * `jwk_cert_url`, fetched on first use, cached, and refetched when a token names a `kid` the cached
 * set lacks (jose's remote JWK set).
 */
export async function issuerKeys(issuer: JwtIssuerConfig): Promise<KeyCandidates> {
  const sources: KeyCandidates[] = [];
  if (issuer.jwkCertFile) sources.push(await fileKeys(issuer.jwkCertFile));
  if (issuer.jwkCertUrl) {
    const remote = createRemoteJWKSet(new URL(issuer.jwkCertUrl), { cacheMaxAge: JWKS_CACHE_MAX_AGE_MS, cooldownDuration: JWKS_REFETCH_COOLDOWN_MS, timeoutDuration: JWKS_TIMEOUT_MS });
    sources.push((header, token) => candidatesOf(remote, header, token));
  }
  return async (header, token) => {
    const keys: VerificationKey[] = [];
    for (const source of sources) keys.push(...(await source(header, token)));
    return keys;
  };
}

/**
 * Keys from a file: a JWKS (`{"keys": [...]}`) or a single JWK as JSON, or one or more PEM blocks
 * (`PUBLIC KEY`, `RSA PUBLIC KEY`, `CERTIFICATE`). Only RSA public keys are accepted. PEM keys carry no
 * `kid`, so each of them is tried against every token.
 */
export async function fileKeys(path: string): Promise<KeyCandidates> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (err) {
    throw new IssuerKeyError(`jwk_cert_file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const fail = (why: string) => new IssuerKeyError(`jwk_cert_file ${path}: ${why}`);
  const trimmed = content.trim();

  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw fail(`not valid JSON (${(err as Error).message})`);
    }
    const set = (Array.isArray((json as JSONWebKeySet).keys) ? json : { keys: [json] }) as JSONWebKeySet;
    const rsa = set.keys.filter((k) => k && typeof k === 'object' && k.kty === 'RSA');
    if (rsa.some((k) => 'd' in k)) throw fail('contains a private key; give the public keys only');
    if (rsa.length === 0) throw fail('contains no RSA key');
    for (const jwk of rsa) {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      } catch (err) {
        throw fail(`key ${jwk.kid ?? '(no kid)'} is not a valid RSA key (${(err as Error).message})`);
      }
      checkSize(key, `key ${jwk.kid ?? '(no kid)'}`, fail);
    }
    const local = createLocalJWKSet({ keys: rsa });
    return (header, token) => candidatesOf(local, header, token);
  }

  const blocks = trimmed.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  if (blocks.length === 0) throw fail('is neither a JSON Web Key Set nor PEM');
  const keys = blocks.map((block) => {
    if (/PRIVATE KEY-----/.test(block.split('\n')[0])) throw fail('contains a private key; give the public keys only');
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (err) {
      throw fail(`a PEM block is not a public key or certificate (${(err as Error).message})`);
    }
    if (key.asymmetricKeyType !== 'rsa') throw fail(`holds a ${key.asymmetricKeyType} key; only RSA keys can verify RS256`);
    checkSize(key, 'a PEM key', fail);
    return key;
  });
  return async () => keys;
}

/** RS256 needs a modulus of at least 2048 bits (RFC 7518 §3.3); jose would refuse smaller keys per request. */
function checkSize(key: KeyObject, what: string, fail: (why: string) => Error): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw fail(`${what} has ${bits} bits; RS256 needs at least ${MIN_RSA_BITS}`);
}

/** A jose key lookup as a list: no match is an empty list, several matches are all returned. */
async function candidatesOf(lookup: JWTVerifyGetKey, header: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey[]> {
  try {
    return [(await lookup(header, token)) as VerificationKey];
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey) return [];
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      const keys: VerificationKey[] = [];
      for await (const key of err as unknown as AsyncIterable<VerificationKey>) keys.push(key);
      return keys;
    }
    throw err;
  }
}
