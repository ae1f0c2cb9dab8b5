import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, CryptoKey, exportJWK, exportSPKI, generateKeyPair, JWTPayload, SignJWT } from 'jose';
import { AuthError } from '@app/common';
import type { JwtIssuerConfig } from '@app/config';
import { JwtVerifier, Rejection } from './jwt-verifier';

const ISS_A = 'https://a.example.com';
const ISS_B = 'https://b.example.com';
const now = () => Math.floor(Date.now() / 1000);

describe(JwtVerifier.name, () => {
  type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
  let keyA: KeyPair;
  let keyB1: KeyPair;
  let keyB2: KeyPair;
  let verifier: JwtVerifier;

  const issuer = (overrides: Partial<JwtIssuerConfig>): JwtIssuerConfig => ({ issuerUrl: ISS_A, header: 'Authorization', identityClaim: 'email', ...overrides });
  const sign = (key: CryptoKey, claims: JWTPayload = {}, kid?: string) =>
    new SignJWT({ email: 'ann@example.com', iss: ISS_A, iat: now(), exp: now() + 300, ...claims }).setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) }).sign(key);
  const headers =
    (values: Record<string, string>) =>
    (name: string): string | undefined =>
      Object.entries(values).find(([k]) => k.toLowerCase() === name)?.[1];
  const failureOf = async (promise: Promise<unknown>): Promise<AuthError> => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof AuthError) return err;
      throw err;
    }
    throw new Error('expected an AuthError');
  };

  beforeAll(async () => {
    [keyA, keyB1, keyB2] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256'), generateKeyPair('RS256')]);
    const dir = mkdtempSync(join(tmpdir(), 'hf-verifier-'));
    const jwks = join(dir, 'a.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(keyA.publicKey)), kid: 'a1', alg: 'RS256', use: 'sig' }] }));
    const pem = join(dir, 'b.pem');
    writeFileSync(pem, `${await exportSPKI(keyB1.publicKey)}\n${await exportSPKI(keyB2.publicKey)}`);
    verifier = await JwtVerifier.create([issuer({ jwkCertFile: jwks, audience: 'hyperfleet' }), issuer({ issuerUrl: ISS_B, jwkCertFile: pem, header: 'X-Token' })]);
  });

  it('accepts a valid token and says which issuer accepted it', async () => {
    const token = await sign(keyA.privateKey, { aud: 'hyperfleet' }, 'a1');
    const { issuer: accepted, claims } = await verifier.authenticate(headers({ Authorization: `Bearer ${token}` }));
    expect(accepted.config.issuerUrl).toBe(ISS_A);
    expect(claims).toMatchObject({ email: 'ann@example.com', iss: ISS_A });
  });

  it('accepts the scheme in any case and surrounding blanks', async () => {
    const token = await sign(keyA.privateKey, { aud: ['other', 'hyperfleet'] }, 'a1');
    await expect(verifier.authenticate(headers({ Authorization: `  bearer   ${token} ` }))).resolves.toBeDefined();
  });

  it('reads each issuer from its own header and tries every PEM key', async () => {
    const token = await new SignJWT({ email: 'b@example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'unknown-to-pem' }).setIssuer(ISS_B).setExpirationTime('5m').sign(keyB2.privateKey);
    const { issuer: accepted } = await verifier.authenticate(headers({ 'X-Token': `Bearer ${token}` }));
    expect(accepted.config.issuerUrl).toBe(ISS_B);
    // the Authorization header is not where issuer B's tokens are looked for
    expect(await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${token}` })))).toMatchObject({ code: 'HYPERFLEET-AUT-002', detail: 'invalid JWT token' });
  });

  it('answers a missing header with AUT-001 and a non-Bearer one with AUT-002', async () => {
    expect(await failureOf(verifier.authenticate(headers({})))).toMatchObject({ code: 'HYPERFLEET-AUT-001', detail: 'missing authorization header', headers: { 'WWW-Authenticate': 'Bearer realm="hyperfleet"' } });
    for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'token']) {
      expect(await failureOf(verifier.authenticate(headers({ Authorization: value })))).toMatchObject({ code: 'HYPERFLEET-AUT-002', detail: 'authorization header does not use Bearer scheme' });
    }
  });

  it('allows 30 seconds of clock skew on exp and nbf', async () => {
    const ok = [await sign(keyA.privateKey, { aud: 'hyperfleet', exp: now() - 20 }, 'a1'), await sign(keyA.privateKey, { aud: 'hyperfleet', nbf: now() + 20 }, 'a1')];
    for (const token of ok) await expect(verifier.authenticate(headers({ Authorization: `Bearer ${token}` }))).resolves.toBeDefined();

    const expired = await sign(keyA.privateKey, { aud: 'hyperfleet', exp: now() - 60 }, 'a1');
    expect(await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${expired}` })))).toMatchObject({ code: 'HYPERFLEET-AUT-003', detail: 'JWT token has expired', headers: { 'WWW-Authenticate': expect.stringContaining('error="invalid_token"') } });
    const early = await sign(keyA.privateKey, { aud: 'hyperfleet', nbf: now() + 60 }, 'a1');
    expect(await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${early}` })))).toMatchObject({ code: 'HYPERFLEET-AUT-002', detail: 'invalid JWT token' });
  });

  it('reports an expired token as invalid when its signature is wrong', async () => {
    const forged = await sign(keyB1.privateKey, { aud: 'hyperfleet', exp: now() - 60 }, 'a1');
    expect(await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${forged}` })))).toMatchObject({ code: 'HYPERFLEET-AUT-002' });
  });

  it.each<[string, () => Promise<string>]>([
    ['without exp', async () => new SignJWT({ aud: 'hyperfleet' }).setProtectedHeader({ alg: 'RS256', kid: 'a1' }).setIssuer(ISS_A).sign(keyA.privateKey)],
    ['without the audience', async () => sign(keyA.privateKey, {}, 'a1')],
    ['for another audience', async () => sign(keyA.privateKey, { aud: 'someone-else' }, 'a1')],
    ['from an unknown issuer', async () => sign(keyA.privateKey, { aud: 'hyperfleet', iss: 'https://evil.example.com' }, 'a1')],
    ['signed by another key', async () => sign(keyB1.privateKey, { aud: 'hyperfleet' }, 'a1')],
    ['naming an unknown kid', async () => sign(keyA.privateKey, { aud: 'hyperfleet' }, 'a2')],
    ['with alg none', async () => `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${base64url.encode(JSON.stringify({ iss: ISS_A, aud: 'hyperfleet', exp: now() + 60, email: 'x@example.com' }))}.`],
    ['with HS256', async () => new SignJWT({ aud: 'hyperfleet' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISS_A).setExpirationTime('5m').sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'))],
    ['claiming RS512', async () => (await sign(keyA.privateKey, { aud: 'hyperfleet' }, 'a1')).replace(/^[^.]+/, base64url.encode(JSON.stringify({ alg: 'RS512', kid: 'a1' })))],
    ['that is not a JWT', async () => 'not.a.jwt'],
  ])('refuses a token %s with AUT-002 and says why', async (_what, make) => {
    const rejections: Rejection[][] = [];
    const failure = await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${await make()}` }), (r) => rejections.push(r)));
    expect(failure).toMatchObject({ code: 'HYPERFLEET-AUT-002', detail: 'invalid JWT token', headers: { 'WWW-Authenticate': 'Bearer realm="hyperfleet", error="invalid_token", error_description="invalid JWT token"' } });
    expect(rejections).toEqual([[{ issuer: ISS_A, reason: expect.any(String) }]]);
  });

  it('refuses keys it was not configured with even when the token embeds one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({ aud: 'hyperfleet', email: 'x@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'a1', jwk: publicKey.export({ format: 'jwk' }) as never })
      .setIssuer(ISS_A)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await failureOf(verifier.authenticate(headers({ Authorization: `Bearer ${token}` })))).toMatchObject({ code: 'HYPERFLEET-AUT-002' });
  });
});

describe(`${JwtVerifier.name}.create`, () => {
  it('fails (and so stops the start-up) when a key file cannot be used', async () => {
    const missing = join(tmpdir(), 'hf-no-such-dir', 'keys.pem');
    await expect(JwtVerifier.create([{ issuerUrl: ISS_A, header: 'Authorization', identityClaim: 'email', jwkCertFile: missing }])).rejects.toThrow(`jwk_cert_file ${missing}: cannot be read (ENOENT)`);
  });

  it('fetches nothing before the first token arrives', async () => {
    // a port nothing listens on: creating the verifier must not touch it
    await expect(JwtVerifier.create([{ issuerUrl: ISS_A, header: 'Authorization', identityClaim: 'email', jwkCertUrl: 'http://127.0.0.1:1/certs' }])).resolves.toBeInstanceOf(JwtVerifier);
  });
});
