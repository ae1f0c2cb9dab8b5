import { connect } from 'node:net';
import { adminQuery } from '../setup/pg-admin';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

describe('HTTP shell', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_SERVER_BODY_LIMIT: '4096' });
    // a real port for the cases supertest cannot express (raw bytes, bodies without Content-Length)
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => t?.close());

  it('serves the metadata document outside the versioned prefix', async () => {
    const res = await t.http.get('/api/hyperfleet').expect(200);
    expect(res.body).toEqual({ id: 'hyperfleet', kind: 'API', href: '/api/hyperfleet', version: expect.any(String), build_time: expect.any(String) });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.vary).toBe('Authorization');
  });

  it('gives every response an X-Request-ID (UUIDv7) and ignores an incoming one', async () => {
    const a = await t.http.get('/api/hyperfleet').set('X-Request-ID', 'client-chosen');
    const b = await t.http.get('/api/hyperfleet/v1/nothing-here');
    for (const res of [a, b]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    const line = t.logs.find((l) => l.msg === 'request' && l.request_id === a.headers['x-request-id']);
    expect(line).toMatchObject({ method: 'GET', route: '/api/hyperfleet', status: 200, duration_ms: expect.any(Number) });
  });

  it('tolerates a trailing slash', async () => {
    await t.http.get('/api/hyperfleet/').expect(200);
  });

  it('answers an unknown route with 404 HYPERFLEET-NTF-000 problem+json', async () => {
    const body = expectProblem(await t.http.get('/api/hyperfleet/v1/widgets/1?x=1'), 404, 'HYPERFLEET-NTF-000');
    expect(body).toMatchObject({ title: 'Endpoint Not Found', instance: '/api/hyperfleet/v1/widgets/1' });
    expect(body.detail).toContain('/api/hyperfleet/v1/widgets/1');
    expectProblem(await t.http.delete('/totally/elsewhere'), 404, 'HYPERFLEET-NTF-000');
  });

  it('answers a known path with a wrong method with 405 and Allow', async () => {
    const res = await t.http.post('/api/hyperfleet').send({});
    expectProblem(res, 405, 'HYPERFLEET-MTH-001');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('rejects malformed JSON with 400 HYPERFLEET-VAL-006', async () => {
    const res = await t.http.post('/api/hyperfleet/v1/anything').set('Content-Type', 'application/json').send('{"kind": "Cluster",');
    const body = expectProblem(res, 400, 'HYPERFLEET-VAL-006');
    expect(body.detail).toMatch(/^Invalid request format: /);
  });

  it('rejects invalid UTF-8 with 400', async () => {
    const res = await fetch(`${base}/api/hyperfleet/v1/clusters`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'HYPERFLEET-VAL-006', detail: expect.stringContaining('UTF-8') });
  });

  it('accepts JSON nested 128 levels deep and rejects deeper JSON with 400 VAL-006 (it was a 500: stack overflow)', async () => {
    const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;
    const create = (spec: string) => t.http.post('/api/hyperfleet/v1/clusters').set('Content-Type', 'application/json').send(`{"kind":"Cluster","name":"deep-${Math.random().toString(36).slice(2, 8)}","spec":${spec}}`);
    // the body is level 1, spec level 2
    const ok = await create(nested(127)).expect(201);
    expect(JSON.stringify(ok.body.spec)).toBe(nested(127));
    for (const spec of [nested(128), nested(1900, '[', ']'), `{"list":[${nested(200)}]}`]) {
      const body = expectProblem(await create(spec), 400, 'HYPERFLEET-VAL-006');
      expect(body.detail).toBe('Invalid request format: JSON must not be nested more than 128 levels deep (in spec)');
    }
    expectProblem(await t.http.put('/api/hyperfleet/v1/clusters/x/statuses').set('Content-Type', 'application/json').send(nested(1000, '[', ']')), 400, 'HYPERFLEET-VAL-006');
    const [{ n }] = (await adminQuery(t.db.url, "select count(*)::int as n from clusters where name like 'deep-%'")).rows;
    expect(n).toBe(1);
  });

  it.each([
    ['U+0000 in a string', '{"kind":"Cluster","name":"x","spec":{"a":"x\\u0000"}}', 'strings must not contain the NUL character (\\u0000) (at spec.a)'],
    ['U+0000 in a key', '{"kind":"Cluster","name":"x","spec":{"b":[{"\\u0000":1}]}}', 'object keys must not contain the NUL character (\\u0000) (at spec.b[0])'],
    ['an unpaired surrogate', '{"kind":"Cluster","name":"x","spec":{"a":"\\ud800"}}', 'strings must not contain unpaired UTF-16 surrogates (at spec.a)'],
    ['a number beyond the double range', '{"kind":"Cluster","name":"x","spec":{"n":-1e400}}', 'number out of range (at spec.n)'],
  ])('rejects %s with 400 VAL-006 before any handler', async (_case, json, detail) => {
    // PostgreSQL text and jsonb cannot store U+0000 or unpaired surrogates (these were 500s); JSON.parse turns
    // 1e400 into Infinity, which was stored as null
    const body = expectProblem(await t.http.post('/api/hyperfleet/v1/clusters').set('Content-Type', 'application/json').send(json), 400, 'HYPERFLEET-VAL-006');
    expect(body.detail).toBe(`Invalid request format: ${detail}`);
  });

  it('rejects a body over the configured limit with 413, declared or streamed', async () => {
    const big = JSON.stringify({ spec: { blob: 'x'.repeat(10_000) } });
    expectProblem(await t.http.post('/api/hyperfleet/v1/clusters').set('Content-Type', 'application/json').send(big), 413, 'HYPERFLEET-VAL-008');
    // no Content-Length: the limit must hold while the body streams in
    {
      const chunks = [Buffer.from('{"spec":{"blob":"'), Buffer.from('x'.repeat(5000)), Buffer.from('"}}')];
      const body = new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      const res = await fetch(`${base}/api/hyperfleet/v1/clusters`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(res.headers.get('transfer-encoding')).toBeNull();
      expect(res.status).toBe(413);
      const problem = (await res.json()) as { code: string; trace_id: string };
      expect(problem.code).toBe('HYPERFLEET-VAL-008');
      expect(problem.trace_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it("answers requests Node's HTTP parser refuses with problem+json too: 431 VAL-010 for oversized headers, 400 VAL-006 for malformed HTTP", async () => {
    // these never reach express; Node used to answer with a bare status line and no X-Request-ID
    for (const headers of [{}, { 'X-Big': 'x'.repeat(20_000) }]) {
      const res = await fetch(`${base}/api/hyperfleet/v1/clusters${Object.keys(headers).length ? '' : `?search=${'a'.repeat(20_000)}`}`, { headers });
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as Record<string, unknown>;
      expect(problem).toMatchObject({ status: 431, code: 'HYPERFLEET-VAL-010', title: 'Request Header Fields Too Large', instance: '/api/hyperfleet/v1/clusters', trace_id: res.headers.get('x-request-id') });
    }
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect((t.app.getHttpServer().address() as { port: number }).port, '127.0.0.1', () => socket.write('GET /api/hyperfleet/v1/clusters HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      // the server destroys the socket after answering, as Node does: a reset after the answer is fine
      socket.on('error', (err) => (data ? resolve(data) : reject(err)));
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    const requestId = /\r\nX-Request-ID: (\S+)/.exec(head)?.[1];
    expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'HYPERFLEET-VAL-006', detail: 'Malformed HTTP request', trace_id: requestId });
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await t.http.post('/api/hyperfleet/v1/clusters').set('Content-Type', 'text/plain').send('kind=Cluster');
    const body = expectProblem(res, 415, 'HYPERFLEET-VAL-009');
    expect(body.detail).toContain('text/plain');
    expectProblem(await t.http.put('/api/hyperfleet/v1/clusters/x/statuses').set('Content-Type', 'application/x-www-form-urlencoded').send('a=b'), 415, 'HYPERFLEET-VAL-009');
  });

  it('publishes the OpenAPI document and Swagger UI with assets from the installed package', async () => {
    const doc = await t.http.get('/api/hyperfleet/v1/openapi').expect(200);
    expect(doc.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.info.title).toBe('HyperFleet API');
    const html = await t.http.get('/api/hyperfleet/v1/openapi.html').expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs|jsdelivr)/);
    const scripts = [...html.text.matchAll(/src="\.\/openapi\.html\/([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toContain('swagger-ui-bundle.js');
    for (const s of scripts) await t.http.get(`/api/hyperfleet/v1/openapi.html/${s}`).expect(200);
  });
});
