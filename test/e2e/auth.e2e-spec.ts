import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, exportJWK, exportSPKI, generateKeyPair, JWK, JWTPayload, SignJWT } from 'jose';
import { buildCluster } from '../factories/cluster.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const BASE = '/api/hyperfleet/v1';
const CLUSTERS = `${BASE}/clusters`;
const CHALLENGE = 'Bearer realm="hyperfleet"';

// issuers, as their tokens name them in `iss`
const SSO = 'https://sso.hyperfleet.test/realms/hyperfleet';
const SA = 'https://serviceaccounts.hyperfleet.test';
const CI = 'https://ci.hyperfleet.test';
const ROTATING = 'https://rotating.hyperfleet.test';
const AUDIENCE = 'hyperfleet-api';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** A JWKS endpoint on 127.0.0.1: one static key set and one whose keys the test changes; counts fetches. */
class JwksServer {
  readonly sets: Record<string, { keys: JWK[] }> = { '/certs': { keys: [] }, '/rotating/certs': { keys: [] } };
  readonly fetches: Record<string, number> = { '/certs': 0, '/rotating/certs': 0 };
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const set = this.sets[req.url ?? ''];
      if (!set) return void res.writeHead(404).end();
      this.fetches[req.url!]++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(set));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const publicJwk = async (pair: KeyPair, kid: string): Promise<JWK> => ({ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' });
const now = () => Math.floor(Date.now() / 1000);

/** Signs RS256 claims; iss, aud, iat and a 5 minute exp are filled in unless given (`undefined` drops one). */
function sign(pair: KeyPair, claims: JWTPayload & Record<string, unknown>, header: { kid?: string } = {}): Promise<string> {
  const payload = Object.fromEntries(Object.entries({ iss: SSO, aud: AUDIENCE, iat: now(), exp: now() + 300, ...claims }).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...header }).sign(pair.privateKey);
}

describe('authentication (server.jwt.enabled=true)', () => {
  const jwks = new JwksServer();
  const dir = mkdtempSync(join(tmpdir(), 'hf-auth-e2e-'));
  let t: TestApp;
  let sso: KeyPair;
  let sa: KeyPair;
  let ci: KeyPair;
  let rotating: KeyPair;
  let rotatingLater: KeyPair;
  let stranger: KeyPair;
  const bearer = (token: string) => `Bearer ${token}`;
  const ssoToken = (claims: Record<string, unknown> = {}) => sign(sso, { email: 'ann@example.com', ...claims }, { kid: 'sso-1' });

  beforeAll(async () => {
    [sso, sa, ci, rotating, rotatingLater, stranger] = await Promise.all(Array.from({ length: 6 }, () => generateKeyPair('RS256')));
    const origin = await jwks.start();
    jwks.sets['/certs'].keys = [await publicJwk(sso, 'sso-1')];
    jwks.sets['/rotating/certs'].keys = [await publicJwk(rotating, 'rot-1')];

    const pem = join(dir, 'serviceaccounts.pem');
    writeFileSync(pem, await exportSPKI(sa.publicKey));
    const ciKeys = join(dir, 'ci-jwks.json');
    writeFileSync(ciKeys, JSON.stringify({ keys: [await publicJwk(ci, 'ci-1')] }));

    const issuers = [
      { issuer_url: SSO, jwk_cert_url: `${origin}/certs`, audience: AUDIENCE, identity_header: 'X-HyperFleet-Identity' },
      { issuer_url: SA, jwk_cert_file: pem, identity_claim: 'preferred_username', identity_claim_pattern: '^service-account:[a-z-]+$' },
      { issuer_url: CI, jwk_cert_file: ciKeys, header: 'X-CI-Token', identity_claim: 'clientId' },
      { issuer_url: ROTATING, jwk_cert_url: `${origin}/rotating/certs` },
    ];
    t = await startTestApp({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', HYPERFLEET_SERVER_JWT_ISSUERS: JSON.stringify(issuers) });
  });
  afterAll(async () => {
    await t?.close();
    await jwks.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('open endpoints', () => {
    it('serves the metadata document, the OpenAPI document and Swagger UI without a token', async () => {
      expect((await t.http.get('/api/hyperfleet').expect(200)).body).toMatchObject({ id: 'hyperfleet', kind: 'API' });
      await t.http.get('/api/hyperfleet').set('Authorization', 'Bearer garbage').expect(200);
      const doc = (await t.http.get(`${BASE}/openapi`).expect(200)).body;
      expect(doc.openapi).toMatch(/^3\./);
      // with authentication on, the document declares the bearer scheme (Swagger UI's Authorize)
      expect(doc.components.securitySchemes).toEqual({ BearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
      expect(doc.security).toEqual([{ BearerAuth: [] }]);
      await t.http.get(`${BASE}/openapi.html`).expect(200);
    });

    it('answers an unknown route with 404, and a wrong method with 405, before authentication', async () => {
      expectProblem(await t.http.get(`${BASE}/no-such-thing`), 404, 'HYPERFLEET-NTF-000');
      expectProblem(await t.http.post(`${BASE}/no-such-thing`).send({}), 404, 'HYPERFLEET-NTF-000');
      const wrong = await t.http.delete(`${BASE}/clusters`);
      expectProblem(wrong, 405, 'HYPERFLEET-MTH-001');
      expect(wrong.headers.allow).toBe('GET, HEAD, POST');
    });
  });

  describe('refused requests', () => {
    it('answers a request without a token with 401 AUT-001 and a Bearer challenge', async () => {
      for (const res of [await t.http.get(CLUSTERS), await t.http.post(CLUSTERS).send(buildCluster()), await t.http.get(CLUSTERS).set('Authorization', '')]) {
        const body = expectProblem(res, 401, 'HYPERFLEET-AUT-001');
        expect(body).toMatchObject({ title: 'Authentication Required', detail: 'missing authorization header', type: 'https://api.hyperfleet.io/errors/authentication-error' });
        expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      }
    });

    it('answers a header that is not "Bearer <token>" with 401 AUT-002', async () => {
      for (const value of ['Basic YW5uOnNlY3JldA==', 'Bearer', `Token ${await ssoToken()}`]) {
        const res = await t.http.get(CLUSTERS).set('Authorization', value);
        expect(expectProblem(res, 401, 'HYPERFLEET-AUT-002').detail).toBe('authorization header does not use Bearer scheme');
        expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      }
    });

    it('answers an expired token with 401 AUT-003', async () => {
      const res = await t.http.get(CLUSTERS).set('Authorization', bearer(await ssoToken({ iat: now() - 600, exp: now() - 60 })));
      expect(expectProblem(res, 401, 'HYPERFLEET-AUT-003')).toMatchObject({ title: 'Invalid Token', detail: 'JWT token has expired' });
      expect(res.headers['www-authenticate']).toBe(`${CHALLENGE}, error="invalid_token", error_description="JWT token has expired"`);
    });

    it.each<[string, () => Promise<string>]>([
      ['not yet valid (nbf)', () => ssoToken({ nbf: now() + 120 })],
      ['without exp', () => ssoToken({ exp: undefined })],
      ['from an issuer that is not configured', () => ssoToken({ iss: 'https://evil.example.com' })],
      ['for another audience', () => ssoToken({ aud: 'someone-else' })],
      ['without an audience', () => ssoToken({ aud: undefined })],
      ['signed by a key the issuer does not have', () => sign(stranger, { email: 'ann@example.com' }, { kid: 'sso-1' })],
      ['naming an unknown kid', () => sign(stranger, { email: 'ann@example.com' }, { kid: 'who-knows' })],
      ['with alg "none"', async () => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ iss: SSO, aud: AUDIENCE, exp: now() + 300, email: 'ann@example.com' }))}.`],
      ['with HS256 (even keyed with the public key)', async () => new SignJWT({ iss: SSO, aud: AUDIENCE, exp: now() + 300, email: 'ann@example.com' }).setProtectedHeader({ alg: 'HS256', kid: 'sso-1' }).sign(new TextEncoder().encode(JSON.stringify(await publicJwk(sso, 'sso-1'))))],
      ['that is not a JWT', async () => 'abc.def'],
      ['with a tampered payload', async () => (await ssoToken()).replace(/\.[^.]+\./, `.${base64url.encode(JSON.stringify({ iss: SSO, aud: AUDIENCE, exp: now() + 300, email: 'mallory@example.com' }))}.`)],
    ])('answers a token %s with 401 AUT-002 "invalid JWT token"', async (_what, make) => {
      const token = await make();
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).send(buildCluster());
      expect(expectProblem(res, 401, 'HYPERFLEET-AUT-002')).toMatchObject({ title: 'Invalid Credentials', detail: 'invalid JWT token' });
      expect(res.headers['www-authenticate']).toBe(`${CHALLENGE}, error="invalid_token", error_description="invalid JWT token"`);
      // the refusal is logged with its request id, the token never
      const logged = t.logs.filter((l) => l.msg === 'JWT validation failed' && l.request_id === res.headers['x-request-id']);
      expect(logged).toHaveLength(1);
      expect(JSON.stringify(t.logs)).not.toContain(token);
    });
  });

  describe('JWKS from a URL', () => {
    it('fetches the key set on first use and serves later tokens from the cache', async () => {
      await t.http.get(CLUSTERS).set('Authorization', bearer(await ssoToken())).expect(200);
      const fetched = jwks.fetches['/certs'];
      expect(fetched).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 3; i++) await t.http.get(CLUSTERS).set('Authorization', bearer(await ssoToken({ email: `user${i}@example.com` }))).expect(200);
      expect(jwks.fetches['/certs']).toBe(fetched);
    });

    it('refetches the key set when a token names an unknown kid, at most every 30 s', async () => {
      const first = await sign(rotating, { sub: 'u1', email: 'rot@example.com', iss: ROTATING, aud: undefined }, { kid: 'rot-1' });
      await t.http.get(CLUSTERS).set('Authorization', bearer(first)).expect(200);
      expect(jwks.fetches['/rotating/certs']).toBe(1);

      // the issuer rotates its key: tokens name a kid the cached set does not have
      jwks.sets['/rotating/certs'].keys.push(await publicJwk(rotatingLater, 'rot-2'));
      const rotated = await sign(rotatingLater, { email: 'rot@example.com', iss: ROTATING, aud: undefined }, { kid: 'rot-2' });
      expectProblem(await t.http.get(CLUSTERS).set('Authorization', bearer(rotated)), 401, 'HYPERFLEET-AUT-002');
      expect(jwks.fetches['/rotating/certs']).toBe(1);

      // once the cool-down has passed, the unknown kid triggers a refetch that finds the new key
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 31_000);
      try {
        const res = await t.http.post(CLUSTERS).set('Authorization', bearer(rotated)).send(buildCluster());
        expect(res.status).toBe(201);
        expect(res.body.created_by).toBe('rot@example.com');
        expect(jwks.fetches['/rotating/certs']).toBe(2);
        // and the old key still works
        await t.http.get(CLUSTERS).set('Authorization', bearer(first)).expect(200);
        expect(jwks.fetches['/rotating/certs']).toBe(2);
      } finally {
        clock.mockRestore();
      }
    });
  });

  describe('caller identity', () => {
    it('records the identity claim in created_by, updated_by and deleted_by', async () => {
      const created = await t.http.post(CLUSTERS).set('Authorization', bearer(await ssoToken())).send(buildCluster()).expect(201);
      expect(created.body).toMatchObject({ created_by: 'ann@example.com', updated_by: 'ann@example.com' });
      const id = created.body.id;

      const patched = await t.http.patch(`${CLUSTERS}/${id}`).set('Authorization', bearer(await ssoToken({ email: 'bob@example.com' }))).send({ spec: { region: 'eu-west-1' } }).expect(200);
      expect(patched.body).toMatchObject({ created_by: 'ann@example.com', updated_by: 'bob@example.com' });

      const deleted = await t.http.delete(`${CLUSTERS}/${id}`).set('Authorization', bearer(await sign(sa, { iss: SA, aud: undefined, preferred_username: 'service-account:cleaner' }))).expect(202);
      expect(deleted.body).toMatchObject({ created_by: 'ann@example.com', updated_by: 'service-account:cleaner', deleted_by: 'service-account:cleaner' });

      const read = await t.http.get(`${CLUSTERS}/${id}`).set('Authorization', bearer(await ssoToken({ email: 'carol@example.com' }))).expect(200);
      // reads record nothing
      expect(read.body).toMatchObject({ created_by: 'ann@example.com', updated_by: 'service-account:cleaner', deleted_by: 'service-account:cleaner' });
    });

    it('lets a non-empty identity header win over the claim', async () => {
      const token = await ssoToken({ email: 'sentinel@example.com' });
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).set('X-HyperFleet-Identity', '  service-account:sentinel ').send(buildCluster()).expect(201);
      expect(res.body.created_by).toBe('service-account:sentinel');
      const blank = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).set('X-HyperFleet-Identity', '   ').send(buildCluster()).expect(201);
      expect(blank.body.created_by).toBe('sentinel@example.com');
    });

    it('ignores the identity header of an issuer that does not configure one', async () => {
      const token = await sign(sa, { iss: SA, aud: undefined, preferred_username: 'service-account:builder' });
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).set('X-HyperFleet-Identity', 'someone-else').send(buildCluster()).expect(201);
      expect(res.body.created_by).toBe('service-account:builder');
    });

    it('falls back from preferred_username to username, and reads any configured claim', async () => {
      const sa1 = await sign(sa, { iss: SA, aud: undefined, username: 'service-account:sentinel' });
      expect((await t.http.post(CLUSTERS).set('Authorization', bearer(sa1)).send(buildCluster()).expect(201)).body.created_by).toBe('service-account:sentinel');

      // issuer with its own header and identity_claim clientId, keys from a JWKS file
      const ciToken = await sign(ci, { iss: CI, aud: undefined, clientId: 'ci-pipeline', email: 'ignored@example.com' }, { kid: 'ci-1' });
      expect((await t.http.post(CLUSTERS).set('X-CI-Token', bearer(ciToken)).send(buildCluster()).expect(201)).body.created_by).toBe('ci-pipeline');
      // that issuer's tokens are not taken from Authorization
      expectProblem(await t.http.get(CLUSTERS).set('Authorization', bearer(ciToken)), 401, 'HYPERFLEET-AUT-002');
    });

    it('refuses a write whose identity does not match identity_claim_pattern, but serves reads', async () => {
      const token = await sign(sa, { iss: SA, aud: undefined, preferred_username: 'alice' });
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).send(buildCluster());
      expect(expectProblem(res, 401, 'HYPERFLEET-AUT-001').detail).toBe('Unable to resolve caller identity: identity claim value does not match required pattern');
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      await t.http.get(CLUSTERS).set('Authorization', bearer(token)).expect(200);
    });

    it('serves a GET with a token lacking any identity, but refuses a POST', async () => {
      const token = await ssoToken({ email: undefined, sub: 'no-email' });
      await t.http.get(CLUSTERS).set('Authorization', bearer(token)).expect(200);
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).send(buildCluster());
      expect(expectProblem(res, 401, 'HYPERFLEET-AUT-001')).toMatchObject({ title: 'Authentication Required', detail: 'Unable to resolve caller identity: identity claim "email" not found or empty' });
    });

    it('refuses writes whose identity header is invalid instead of falling back to the claim', async () => {
      const token = await ssoToken();
      for (const [value, why] of [
        ['svc\taccount', 'header "X-HyperFleet-Identity" value contains invalid characters'],
        ['x'.repeat(257), 'header "X-HyperFleet-Identity" value exceeds maximum length 256'],
      ]) {
        const res = await t.http.post(CLUSTERS).set('Authorization', bearer(token)).set('X-HyperFleet-Identity', value).send(buildCluster());
        expect(expectProblem(res, 401, 'HYPERFLEET-AUT-001').detail).toBe(`Unable to resolve caller identity: ${why}`);
        await t.http.get(CLUSTERS).set('Authorization', bearer(token)).set('X-HyperFleet-Identity', value).expect(200);
      }
    });

    it('accepts an identity of exactly 256 bytes', async () => {
      const identity = `${'é'.repeat(127)}ab`;
      const res = await t.http.post(CLUSTERS).set('Authorization', bearer(await ssoToken({ email: identity }))).send(buildCluster()).expect(201);
      expect(res.body.created_by).toBe(identity);
    });
  });

  it('logs that authentication is enabled, and no warning that it is disabled', () => {
    expect(t.logs.filter((l) => /authentication is disabled/.test(String(l.msg)))).toEqual([]);
    expect(t.logs.filter((l) => /authentication is enabled/.test(String(l.msg)))).toHaveLength(1);
  });
});

describe('authentication off (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('warns once at start-up that authentication is disabled', () => {
    const warnings = t.logs.filter((l) => /authentication is disabled/.test(String(l.msg)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe('warn');
  });

  it('records every caller as system@hyperfleet.local and ignores tokens and identity headers', async () => {
    const res = await t.http.post(CLUSTERS).set('Authorization', 'Bearer not-even-a-jwt').set('X-HyperFleet-Identity', 'mallory').send(buildCluster()).expect(201);
    expect(res.body).toMatchObject({ created_by: 'system@hyperfleet.local', updated_by: 'system@hyperfleet.local' });
    await t.http.get(CLUSTERS).expect(200);
  });
});
