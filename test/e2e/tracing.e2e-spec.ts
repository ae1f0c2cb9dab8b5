import 'reflect-metadata';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { TRACING, TracingHandle } from '../../apps/api/src/observability/tracing';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/** Resolves once the app has finished (and so traced) its next response: listeners run in order, ours last. */
function nextResponseFinished(t: TestApp): Promise<void> {
  const server = t.app.getHttpServer();
  return new Promise((resolve) => {
    const onRequest = (_req: IncomingMessage, res: NodeJS.EventEmitter) => {
      server.off('request', onRequest);
      res.once('finish', () => resolve());
    };
    server.on('request', onRequest);
  });
}

/** Runs one request and waits until its server span has ended. */
async function traced<T>(t: TestApp, send: () => PromiseLike<T>): Promise<T> {
  const finished = nextResponseFinished(t);
  const [res] = await Promise.all([send(), finished]);
  return res;
}

const serverSpans = (spans: ReadableSpan[]) => spans.filter((s) => s.kind === SpanKind.SERVER);
const dbSpans = (spans: ReadableSpan[]) => spans.filter((s) => s.kind === SpanKind.CLIENT && s.name.startsWith('db '));

describe('tracing', () => {
  describe('enabled (HYPERFLEET_TRACING_ENABLED=true)', () => {
    const exporter = new InMemorySpanExporter();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ HYPERFLEET_TRACING_ENABLED: 'true' }, { spanExporter: exporter });
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(() => exporter.reset());

    it('traces a request as a SERVER span named by its route, with database statements as its children', async () => {
      t.queries.length = 0;
      const res = await traced(t, () => t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: 'trace-1', spec: {} }).expect(201));
      const spans = exporter.getFinishedSpans();
      const [server] = serverSpans(spans);
      expect(serverSpans(spans)).toHaveLength(1);
      expect(server.name).toBe('POST /api/hyperfleet/v1/clusters');
      expect(server.parentSpanContext).toBeUndefined();
      expect(server.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/api/hyperfleet/v1/clusters',
        'http.route': '/api/hyperfleet/v1/clusters',
        'http.response.status_code': 201,
        'hyperfleet.request_id': res.headers['x-request-id'],
      });
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
      expect(server.resource.attributes['service.name']).toBe('hyperfleet-api');
      expect(server.resource.attributes['service.version']).toBe(t.config.build.version);

      const db = dbSpans(spans);
      // every statement of the request, in its order; a statement with a common table expression is named
      // by the expression's statement (a create is one statement: the row with its labels)
      expect(db.map((s) => s.attributes['db.operation.name'])).toEqual(t.queries.map((q) => /^\s*(?:with\s+"?\w+"?\s+as\s*\(\s*)?(\w+)/i.exec(q)![1].toLowerCase()));
      expect(db.map((s) => s.name)).toEqual(['db insert clusters']);
      for (const span of db) {
        expect(span.spanContext().traceId).toBe(server.spanContext().traceId);
        expect(span.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
        expect(span.attributes['db.system.name']).toBe('postgresql');
        // the text of a statement is recorded only with its values bound as parameters, never inlined
        if (span.attributes['db.query.text'] !== undefined) expect(span.attributes['db.query.text']).toMatch(/\$1/);
        expect(JSON.stringify(span.attributes)).not.toContain('trace-1');
      }
      const insert = db.find((s) => s.name === 'db insert clusters')!;
      expect(insert.attributes).toMatchObject({ 'db.operation.name': 'insert', 'db.collection.name': 'clusters' });
    });

    it('records the text of parameterised statements, never the values', async () => {
      const marker = `trace-marker-${Date.now()}`;
      await traced(t, () => t.http.get(`${API}/clusters?search=${encodeURIComponent(`name = '${marker}'`)}`).expect(200));
      const spans = exporter.getFinishedSpans();
      const [server] = serverSpans(spans);
      const withText = dbSpans(spans).filter((s) => s.attributes['db.query.text'] !== undefined);
      expect(withText.length).toBeGreaterThanOrEqual(1);
      for (const span of withText) expect(span.attributes['db.query.text']).toMatch(/\$1/);
      expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(marker);
      for (const span of dbSpans(spans)) expect(span.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    });

    it('continues an incoming W3C traceparent', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      await traced(t, () => t.http.get(`${API}/clusters`).set('traceparent', `00-${traceId}-${parentId}-01`).expect(200));
      const spans = exporter.getFinishedSpans();
      const [server] = serverSpans(spans);
      expect(server.name).toBe('GET /api/hyperfleet/v1/clusters');
      expect(server.spanContext().traceId).toBe(traceId);
      expect(server.parentSpanContext).toMatchObject({ traceId, spanId: parentId, isRemote: true });
      expect(dbSpans(spans).length).toBeGreaterThanOrEqual(1);
      for (const span of dbSpans(spans)) expect(span.spanContext().traceId).toBe(traceId);
    });

    it('names unmatched requests by their method only; a 4xx answer is not a span error', async () => {
      await traced(t, () => t.http.get(`${API}/no/such/route`).expect(404));
      const [server] = serverSpans(exporter.getFinishedSpans());
      expect(server.name).toBe('GET');
      expect(server.attributes['http.route']).toBeUndefined();
      expect(server.attributes['http.response.status_code']).toBe(404);
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
    });
  });

  describe('disabled (the default)', () => {
    const exporter = new InMemorySpanExporter();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({}, { spanExporter: exporter });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('creates no spans', async () => {
      await traced(t, () => t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: 'trace-off', spec: {} }).expect(201));
      expect(() => t.app.get(TRACING)).toThrow();
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  });

  describe('OTLP/HTTP export', () => {
    const received: { path?: string; contentType?: string; body: string }[] = [];
    let collector: Server;
    let t: TestApp;
    const saved = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    beforeAll(async () => {
      collector = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.method === 'POST' && req.url === '/v1/traces') {
            received.push({ path: req.url, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
            res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
          } else res.writeHead(404).end();
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
      t = await startTestApp({ HYPERFLEET_TRACING_ENABLED: 'true' });
    });
    afterAll(async () => {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = saved;
      await t?.close();
      collector?.closeAllConnections();
      await new Promise((resolve) => collector?.close(resolve));
    });

    it('sends the spans to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when flushed', async () => {
      await traced(t, () => t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: 'trace-otlp', spec: {} }).expect(201));
      await t.app.get<symbol, TracingHandle>(TRACING).forceFlush();
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(received[0].contentType).toMatch(/^application\/json/);
      const all = received.map((r) => r.body).join('\n');
      expect(all).toContain('"POST /api/hyperfleet/v1/clusters"');
      expect(all).toContain('hyperfleet-api');
      expect(all).toContain('db insert clusters');
    });
  });
});
