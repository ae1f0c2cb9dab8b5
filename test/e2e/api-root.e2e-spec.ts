import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = {
  id: 'hyperfleet',
  kind: 'APIRoot',
  version: expect.any(String),
  href: '/api/hyperfleet/v1',
  links: { api: '/api/hyperfleet/v1', openapi: '/api/hyperfleet/v1/openapi', swagger_ui: '/api/hyperfleet/v1/openapi.html', metadata: '/api/hyperfleet' },
};

/** `/` and `/api/hyperfleet/v1` (the address the start-up line advertises) answer with where to start, not 404. */
describe('the API root', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it.each(['/', '/api/hyperfleet/v1', '/api/hyperfleet/v1/'])('GET %s: 200 JSON with links to the OpenAPI document and Swagger UI', async (path) => {
    const res = await t.http.get(path).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.body).toEqual(ROOT);
  });

  it('every link answers', async () => {
    const { links } = (await t.http.get('/').expect(200)).body as typeof ROOT;
    expect((await t.http.get(links.openapi).expect(200)).body.openapi).toMatch(/^3\./);
    expect((await t.http.get(links.swagger_ui).expect(200)).text).toContain('swagger-ui');
    expect((await t.http.get(links.metadata).expect(200)).body).toMatchObject({ id: 'hyperfleet', kind: 'API' });
    expect((await t.http.get(`${links.api}/clusters`).expect(200)).body.kind).toBe('ClusterList');
  });

  it('stays out of the OpenAPI document (a navigation aid, not an operation)', async () => {
    const doc = (await t.http.get('/api/hyperfleet/v1/openapi').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/');
    expect(Object.keys(doc.paths)).not.toContain('/api/hyperfleet/v1');
  });

  it('other paths outside the API are still 404 problem+json', async () => {
    const res = await t.http.get('/nothing').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the API root with authentication on', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'hf-root-'));
  beforeAll(async () => {
    const keys = join(dir, 'keys.pem');
    writeFileSync(keys, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    t = await startTestApp({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', HYPERFLEET_SERVER_JWT_ISSUERS: JSON.stringify([{ issuer_url: 'https://issuer.example', jwk_cert_file: keys }]) });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays open, like the metadata, while the resources need a token', async () => {
    expect((await t.http.get('/').expect(200)).body).toEqual(ROOT);
    expect((await t.http.get('/api/hyperfleet/v1').expect(200)).body).toEqual(ROOT);
    await t.http.get('/api/hyperfleet/v1/clusters').expect(401);
  });
});
