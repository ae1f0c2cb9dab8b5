/**
 * Requests that arrive slowly, or in forms a client library may send without asking: every one must get
 * an answer in problem+json (or be served) within a bound, and a log line. A body that stalls (declared
 * longer than what comes, or a chunked body that stops) is cut at server.read_timeout with 408 and the
 * connection closed; so are headers that never end. HTTP/1.1 without Host, `Expect: 100-continue` with a
 * body that will be refused, and compressed bodies (gzip, deflate, br: decoded within the body limit,
 * other codings 415) each have their answer.
 *
 * The API runs in this process (real HTTP on a local port, real PostgreSQL), with a read timeout of 2 s.
 * Expected duration: ~20 s.
 */
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { buildCluster } from '../factories/cluster.factory';
import { adminQuery } from '../setup/pg-admin';
import { startTestApp, TestApp } from '../support/test-app';

// long enough for a body's processing in a test process that has run the rest of the suite (GC pauses)
const READ_TIMEOUT_MS = 2_000;
/** Liveness: an answer that has not come by then never will (Node's own limits are 60 s and 300 s). */
const LIVENESS_MS = 8_000;
const CLUSTERS = '/api/hyperfleet/v1/clusters';

interface Exchange {
  /** Everything the server sent, as latin1 text. */
  raw: string;
  /** ms from the first byte sent to the server closing the connection (or the liveness bound). */
  closedAfterMs: number;
  closed: boolean;
  head: string;
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** The first HTTP response in `raw`: status, headers (lower-case names) and parsed body. */
function firstResponse(raw: string): Pick<Exchange, 'head' | 'status' | 'headers' | 'body'> {
  // interim 1xx responses come first; they are part of what the test checks, not skipped here
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const text = end < 0 ? '' : Buffer.from(raw.slice(end + 4), 'latin1').subarray(0, length).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { head, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers, body };
}

describe('slow and odd requests', () => {
  let t: TestApp;
  let port: number;
  const figures: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_SERVER_READ_TIMEOUT: `${READ_TIMEOUT_MS}ms` });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    process.stdout.write(`\n[slow-and-odd-requests] ${figures.join('; ')}\n`);
    await t?.close();
  });

  /**
   * Writes `first`, then each of `then` when the server sent something matching its `after` (or at once),
   * and collects what comes back until the server closes the connection or the liveness bound passes.
   */
  const exchange = (first: string | Buffer, then: { after?: RegExp; send: string | Buffer }[] = []): Promise<Exchange> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      let raw = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(first));
      const pending = [...then];
      const sendDue = () => {
        while (pending.length && (!pending[0].after || pending[0].after.test(raw))) socket.write(pending.shift()!.send);
      };
      sendDue();
      const done = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ raw, closed, closedAfterMs: Date.now() - started, ...firstResponse(raw) });
      };
      const timer = setTimeout(() => done(false), LIVENESS_MS);
      socket.on('data', (d) => {
        raw += d.toString('latin1');
        sendDue();
      });
      socket.on('close', () => done(true));
      socket.on('error', (err) => (raw ? undefined : reject(err)));
    });

  const expectProblemIn = (x: Exchange, status: number, code: string) => {
    expect({ status: x.status, code: x.body?.code }).toEqual({ status, code });
    expect(x.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(x.body.trace_id).toBe(x.headers['x-request-id']);
  };
  const logLine = (requestId: string) => t.logs.find((l) => l.msg === 'request' && l.request_id === requestId);
  const clusters = async (name: string) => Number((await adminQuery(t.db.url, 'select count(*)::int as n from clusters where name = $1', [name])).rows[0].n);

  describe('read timeout (server.read_timeout)', () => {
    it('answers a body that stops short of its Content-Length with 408 VAL-011 at the timeout, closes the connection and logs the request', async () => {
      const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"`);
      expectProblemIn(x, 408, 'HYPERFLEET-VAL-011');
      expect(x.body.detail).toBe(`The request body did not arrive within ${READ_TIMEOUT_MS} ms`);
      expect(x.headers.connection).toBe('close');
      expect(x.closed).toBe(true);
      expect(x.closedAfterMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
      expect(x.closedAfterMs).toBeLessThan(READ_TIMEOUT_MS + 1_500);
      expect(logLine(x.headers['x-request-id'])).toMatchObject({ method: 'POST', path: CLUSTERS, status: 408 });
      figures.push(`stalled body: 408 after ${x.closedAfterMs} ms`);
    });

    it('answers a chunked body that stops with 408 too', async () => {
      const x = await exchange(`PATCH ${CLUSTERS}/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"spe\r\n`);
      expectProblemIn(x, 408, 'HYPERFLEET-VAL-011');
      expect(x.closed).toBe(true);
      expect(x.closedAfterMs).toBeLessThan(READ_TIMEOUT_MS + 1_500);
    });

    it('answers headers that never end with 408 VAL-011 problem+json (Node checks every second) and logs it', async () => {
      const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: appl`);
      expectProblemIn(x, 408, 'HYPERFLEET-VAL-011');
      // Node keeps nothing of headers that did not complete: no path to name
      expect(x.body).toMatchObject({ detail: `The request headers did not arrive within ${READ_TIMEOUT_MS} ms`, instance: '' });
      expect(x.closed).toBe(true);
      expect(x.closedAfterMs).toBeLessThan(READ_TIMEOUT_MS + 2_500);
      expect(logLine(x.headers['x-request-id'])).toMatchObject({ status: 408, reason: 'ERR_HTTP_REQUEST_TIMEOUT' });
      figures.push(`stalled headers: 408 after ${x.closedAfterMs} ms`);
    });

    it('answers a body refused on its headers once, even when the body then stalls: the connection is let go later, without a second answer', async () => {
      const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nab`);
      expectProblemIn(x, 415, 'HYPERFLEET-VAL-009');
      expect(x.raw.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 415 ']);
      // Node's bound on a whole request (twice the read timeout and a second, checked every second)
      expect(x.closed).toBe(true);
      expect(x.closedAfterMs).toBeLessThan(2 * READ_TIMEOUT_MS + 1_000 + 2_000);
    });

    it('serves a body that arrives slowly but within the timeout', async () => {
      const body = Buffer.from(JSON.stringify(buildCluster({ name: `slow-${Date.now()}` })));
      const parts = [body.subarray(0, 10), body.subarray(10, 30), body.subarray(30)];
      const started = Date.now();
      const x = await new Promise<Exchange>((resolve, reject) => {
        let raw = '';
        const socket = connect(port, '127.0.0.1', async () => {
          socket.write(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
          for (const part of parts) {
            // paced: the point is a body that takes time to arrive
            await new Promise((r) => setTimeout(r, READ_TIMEOUT_MS / 5));
            socket.write(part);
          }
        });
        socket.on('data', (d) => (raw += d.toString('latin1')));
        socket.on('close', () => resolve({ raw, closed: true, closedAfterMs: Date.now() - started, ...firstResponse(raw) }));
        socket.on('error', reject);
      });
      expect(x.status).toBe(201);
    });
  });

  describe('HTTP/1.1 without Host', () => {
    it('answers 400 VAL-006 in problem+json (Node answered an empty 400)', async () => {
      const x = await exchange(`GET ${CLUSTERS} HTTP/1.1\r\n\r\n`);
      expectProblemIn(x, 400, 'HYPERFLEET-VAL-006');
      expect(x.body.detail).toBe('An HTTP/1.1 request must have a Host header');
      expect(logLine(x.headers['x-request-id'])).toMatchObject({ status: 400 });
    });

    it('serves HTTP/1.0 without Host, which needs none', async () => {
      const x = await exchange('GET /api/hyperfleet HTTP/1.0\r\n\r\n');
      expect(x.status).toBe(200);
    });
  });

  describe('Expect: 100-continue', () => {
    it('answers an oversized declared body with 413 at once, without 100 Continue', async () => {
      const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
      expect(x.raw).not.toContain('100 Continue');
      expectProblemIn(x, 413, 'HYPERFLEET-VAL-008');
      expect(x.closed).toBe(true);
    });

    it('answers a body of the wrong type or coding with 415 at once, without 100 Continue', async () => {
      for (const header of ['Content-Type: text/plain', 'Content-Type: application/json\r\nContent-Encoding: compress']) {
        const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\n${header}\r\nContent-Length: 20\r\nExpect: 100-continue\r\n\r\n`);
        expect(x.raw).not.toContain('100 Continue');
        expectProblemIn(x, 415, 'HYPERFLEET-VAL-009');
      }
    });

    it('sends 100 Continue for an acceptable body and then serves it', async () => {
      const body = JSON.stringify(buildCluster({ name: `continue-${Date.now()}` }));
      const x = await exchange(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`, [{ after: /100 Continue\r\n\r\n/, send: body }]);
      expect(x.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
    });
  });

  describe('Content-Encoding', () => {
    const post = (bytes: Buffer, encoding: string) =>
      exchange(Buffer.concat([Buffer.from(`POST ${CLUSTERS} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`), bytes]));

    it.each([
      ['gzip', gzipSync],
      ['x-gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
      ['GZIP', gzipSync],
    ])('decodes a %s body and stores what it held', async (encoding, encode) => {
      const cluster = buildCluster({ name: `enc-${encoding.toLowerCase()}-${Date.now()}`, spec: { encoded: encoding, text: 'é中😀'.repeat(100) } });
      const x = await post(encode(Buffer.from(JSON.stringify(cluster))), encoding);
      expect({ status: x.status, spec: x.body?.spec }).toEqual({ status: 201, spec: cluster.spec });
      expect(await clusters(String(cluster.name))).toBe(1);
    });

    it('measures the limit after decoding: a small gzip body that expands past 1 MiB is 413', async () => {
      const bomb = gzipSync(Buffer.from(JSON.stringify(buildCluster({ spec: { zeros: '0'.repeat(8 * 1024 * 1024) } }))));
      expect(bomb.length).toBeLessThan(16 * 1024);
      const x = await post(bomb, 'gzip');
      expectProblemIn(x, 413, 'HYPERFLEET-VAL-008');
      figures.push(`gzip body of ${bomb.length} bytes expanding to 8 MiB: 413`);
    });

    it('answers a body that is not what its coding says with 400 VAL-006 naming the coding', async () => {
      const x = await post(Buffer.from('{"kind":"Cluster"}'), 'gzip');
      expectProblemIn(x, 400, 'HYPERFLEET-VAL-006');
      expect(x.body.detail).toMatch(/^Invalid request format: the body is not valid gzip data/);
    });

    it.each(['compress', 'zstd', 'gzip, br', 'chunked'])('answers Content-Encoding %s with 415 VAL-009 and Accept-Encoding', async (encoding) => {
      const name = `enc-refused-${Date.now()}`;
      const x = await post(Buffer.from(JSON.stringify(buildCluster({ name }))), encoding);
      expectProblemIn(x, 415, 'HYPERFLEET-VAL-009');
      expect(x.headers['accept-encoding']).toBe('gzip, deflate, br');
      expect(await clusters(name)).toBe(0);
    });
  });
});
