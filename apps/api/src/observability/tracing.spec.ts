import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import express from 'express';
import { createServer } from 'node:http';
import request from 'supertest';
import { createLogger, requestIdMiddleware, requestContext } from '@app/common';
import { loadConfig } from '@app/config';
import { recordQuerySpan, startTracing, TracingHandle, tracingMiddleware } from './tracing';

const config = loadConfig({ HYPERFLEET_TRACING_ENABLED: 'true', HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, []);
const logger = createLogger('silent');

function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** An Express app with the tracing middleware. */
function appFor(tracing: TracingHandle) {
  const app = express();
  app.use(requestIdMiddleware);
  app.use(tracingMiddleware(tracing.tracer));
  app.get('/things/:id', (req, res) => {
    requestContext(req)!.caller = 'alice@example.com';
    res.status(Number(req.query.status ?? 200)).json({ active: trace.getActiveSpan() !== undefined });
  });
  return app;
}

/** GET through the traced app; resolves once the server side has finished (and so ended the span). */
async function get(tracing: TracingHandle, path: string, status: number) {
  const server = createServer(appFor(tracing));
  const finished = new Promise<void>((resolve) => server.on('request', (_req, res) => res.once('finish', () => resolve())));
  const [res] = await Promise.all([request(server).get(path).expect(status), finished]);
  return res;
}

describe('tracing', () => {
  it('is off unless tracing.enabled', () => {
    expect(startTracing(loadConfig({ HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, []), logger)).toBeUndefined();
  });

  describe('HTTP server spans', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: TracingHandle;
    beforeAll(() => {
      tracing = startTracing(config, logger, { exporter })!;
    });
    afterAll(() => tracing.shutdown());
    beforeEach(() => exporter.reset());

    it('marks 5xx answers as errors and records the caller; the handler runs with the span active', async () => {
      const res = await get(tracing, '/things/42?status=503', 503);
      expect(res.body).toEqual({ active: true });
      const [span] = exporter.getFinishedSpans();
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.name).toBe('GET /things/-');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503', 'user.id': 'alice@example.com', 'url.path': '/things/42', 'hyperfleet.request_id': res.headers['x-request-id'] });
    });

    it('leaves 2xx and 4xx spans unset', async () => {
      await get(tracing, '/things/1?status=409', 409);
      const [span] = exporter.getFinishedSpans();
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes['error.type']).toBeUndefined();
    });
  });

  describe('database spans', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: TracingHandle;
    beforeAll(() => {
      tracing = startTracing(config, logger, { exporter })!;
    });
    afterAll(() => tracing.shutdown());
    beforeEach(() => exporter.reset());

    it('are children of the active span, timed by the statement duration; none outside a span', () => {
      recordQuerySpan(tracing.tracer, { sql: 'select 1', tookMs: 1, failed: false });
      expect(exporter.getFinishedSpans()).toEqual([]);

      const parent = tracing.tracer.startSpan('parent');
      context.with(trace.setSpan(context.active(), parent), () => {
        recordQuerySpan(tracing.tracer, { sql: 'select "r".* from "clusters" as "r" where "r"."name" = $1', params: ['secret'], tookMs: 12.5, failed: false });
        recordQuerySpan(tracing.tracer, { sql: `update "clusters" set "name" = 'secret' where "id" = 'x'`, tookMs: 2, failed: true });
      });
      parent.end();
      const [select, update] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
      expect(select.name).toBe('db select clusters');
      expect(select.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(select.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.operation.name': 'select', 'db.collection.name': 'clusters', 'db.query.text': 'select "r".* from "clusters" as "r" where "r"."name" = $1' });
      const micros = select.duration[0] * 1e6 + select.duration[1] / 1e3;
      expect(micros).toBeCloseTo(12_500, -1);
      expect(update.name).toBe('db update clusters');
      expect(update.attributes['db.query.text']).toBeUndefined();
      expect(update.status.code).toBe(SpanStatusCode.ERROR);
      expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain('secret');
    });
  });

  it('takes the sampler from OTEL_TRACES_SAMPLER', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = withEnv({ OTEL_TRACES_SAMPLER: 'always_off' }, () => startTracing(config, logger, { exporter })!);
    try {
      await get(tracing, '/things/1', 200);
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await tracing.shutdown();
    }
  });

  it('takes service.name from OTEL_SERVICE_NAME and more resource attributes from OTEL_RESOURCE_ATTRIBUTES', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = withEnv({ OTEL_SERVICE_NAME: 'hf-test', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.name=ignored' }, () => startTracing(config, logger, { exporter })!);
    try {
      tracing.tracer.startSpan('x').end();
      const [span] = exporter.getFinishedSpans();
      expect(span.resource.attributes).toMatchObject({ 'service.name': 'hf-test', 'service.version': config.build.version, 'deployment.environment.name': 'test' });
    } finally {
      await tracing.shutdown();
    }
  });
});
