import { context, diag, DiagLogLevel, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getNumberFromEnv, getStringFromEnv, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, resourceAttributesEnvDetector, resourceFromAttributes, serviceNameEnvDetector } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  Sampler,
  SimpleSpanProcessor,
  SpanExporter,
  SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Logger, requestContext } from '@app/common';
import { AppConfig, maskUrl } from '@app/config';
import { describeQuery, ObservedQuery, QUERY_OBSERVER, QueryObserver } from '@app/persistence';
import { routeTemplate } from './http-observer';

/** Injection token of the running TracingHandle (provided only when tracing is enabled). */
export const TRACING = Symbol('TRACING');

/** `hyperfleet.request_id`: the X-Request-ID of the request (also `request_id` in the logs). */
export const ATTR_HYPERFLEET_REQUEST_ID = 'hyperfleet.request_id';
/** `user.id` (semantic conventions, still experimental: copied rather than imported from /incubating). */
export const ATTR_USER_ID = 'user.id';

const SERVICE_NAME = 'hyperfleet-api';
const SCOPE = '@hyperfleet/api';

/** A started tracer provider. */
export interface TracingHandle {
  tracer: Tracer;
  /** Exports what is buffered; resolves once the exporter answered (or gave up). */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting. Safe to call more than once. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Tests: export to this exporter, span by span (SimpleSpanProcessor), instead of OTLP/HTTP in batches. */
  exporter?: SpanExporter;
}

/**
 * Starts OpenTelemetry tracing when `tracing.enabled` (HYPERFLEET_TRACING_ENABLED) is true; undefined
 * otherwise. Spans go over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, else http://localhost:4318/v1/traces; the exporter reads
 * those variables, OTEL_EXPORTER_OTLP_*HEADERS, *TIMEOUT, *COMPRESSION and the certificate ones itself.
 * Registers (once per process) the AsyncLocalStorage context manager and the W3C trace-context propagator.
 */
export function startTracing(config: AppConfig, logger: Logger, options: TracingOptions = {}): TracingHandle | undefined {
  if (!config.tracing.enabled) return undefined;
  if (getStringFromEnv('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') {
    logger.warn('tracing.enabled is true but OTEL_SDK_DISABLED=true: not tracing');
    return undefined;
  }
  registerGlobals(logger);

  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME, [ATTR_SERVICE_VERSION]: config.build.version }))
    .merge(detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }));
  const { sampler, description } = samplerFromEnv(logger);
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor({ exporter: options.exporter })
    : new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
        exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
        maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
        maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      });
  const provider = new TracerProvider({ resource, sampler, spanProcessors: [processor] });
  const tracer = provider.getTracer(SCOPE, config.build.version);

  logger.info(
    { service_name: resource.attributes[ATTR_SERVICE_NAME], sampler: description, exporter: options.exporter ? options.exporter.constructor.name : `otlp-http ${otlpEndpoint()}` },
    'tracing enabled',
  );
  let stopped: Promise<void> | undefined;
  return {
    tracer,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= stopWithin(provider, SHUTDOWN_WAIT_MS, logger)),
  };
}

/** Longest wait for the last export at shutdown (an unreachable collector is retried up to the export timeout). */
const SHUTDOWN_WAIT_MS = 5_000;

function stopWithin(provider: TracerProvider, waitMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (problem?: { err?: unknown; msg: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (problem) logger.warn({ err: problem.err, wait_ms: waitMs }, problem.msg);
      resolve();
    };
    const timer = setTimeout(() => settle({ msg: 'tracing: the collector did not take the last spans in time; they are dropped' }), waitMs);
    timer.unref();
    provider.shutdown().then(
      () => settle(),
      (err: unknown) => settle({ err, msg: 'tracing: could not export the last spans' }),
    );
  });
}

/**
 * HTTP SERVER span of every request, continuing an incoming `traceparent`. The rest of the request
 * (including the body reader's callbacks: `req`/`res` listeners are bound to the span's context) runs
 * with the span active, so database statements become its children. Named `<METHOD> <route template>`
 * once the route is known (just `<METHOD>` for unmatched paths).
 */
export function tracingMiddleware(tracer: Tracer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: req.originalUrl.split('?')[0] } }, parent);
    const active = trace.setSpan(parent, span);
    // `context.with(next)` alone is not enough: the JSON body reader calls next() from req's 'end'
    // listener, which Node runs in the HTTP parser's async context, so a POST's handler (and its SQL)
    // would lose the span. Listeners added to req/res from here on run in the span's context.
    context.bind(active, req);
    context.bind(active, res);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      finishServerSpan(span, req, res);
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(active, next);
  };
}

function finishServerSpan(span: Span, req: Request, res: Response): void {
  const route = routeTemplate(req);
  if (route !== 'unmatched') {
    span.updateName(`${req.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  const ctx = requestContext(req);
  if (ctx?.requestId) span.setAttribute(ATTR_HYPERFLEET_REQUEST_ID, ctx.requestId);
  if (ctx?.caller) span.setAttribute(ATTR_USER_ID, ctx.caller);
  if (res.headersSent) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
  if (!res.writableFinished) {
    span.setAttribute(ATTR_ERROR_TYPE, 'connection_closed');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was complete' });
  } else if (res.statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

const PLACEHOLDER = /\$\d+/;

/**
 * A CLIENT span `db <operation> <table>` for one finished statement, child of the active span (the
 * request's). Statements run outside any span (health pings, metric scrapes, migrations at boot) are
 * not traced. The SQL text is recorded only for statements sent with `$n` placeholders and bound
 * parameters (the search statements): MikroORM inlines values into the others.
 */
export function recordQuerySpan(tracer: Tracer, q: ObservedQuery): void {
  const active = context.active();
  if (!trace.getSpan(active)) return;
  const end = performance.timeOrigin + performance.now();
  const { operation, table } = describeQuery(q.sql);
  const span = tracer.startSpan(
    table ? `db ${operation} ${table}` : `db ${operation}`,
    {
      kind: SpanKind.CLIENT,
      startTime: end - q.tookMs,
      attributes: {
        [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        [ATTR_DB_OPERATION_NAME]: operation,
        ...(table ? { [ATTR_DB_COLLECTION_NAME]: table } : {}),
        ...(q.params?.length && PLACEHOLDER.test(q.sql) ? { [ATTR_DB_QUERY_TEXT]: q.sql } : {}),
      },
    },
    active,
  );
  if (q.failed) {
    span.setAttribute(ATTR_ERROR_TYPE, 'statement_failed');
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end(end);
}

/** Database spans from the QueryObserver; stops the tracer provider (flushing it) with the application. */
@Injectable()
export class DatabaseTracing implements OnApplicationShutdown {
  constructor(
    @Inject(TRACING) private readonly tracing: TracingHandle,
    @Inject(QUERY_OBSERVER) observer: QueryObserver,
  ) {
    observer.subscribe((q) => recordQuerySpan(tracing.tracer, q));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tracing.shutdown();
  }
}

let globalsRegistered = false;
let diagLogger: Logger | undefined;

/** The context manager and propagator are process-wide; SDK problems (failed exports) go to the log. */
function registerGlobals(logger: Logger): void {
  diagLogger = logger;
  if (globalsRegistered) return;
  globalsRegistered = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const log = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, ...args: unknown[]) => diagLogger?.[level]({ source: 'opentelemetry', args: args.length ? args.map(String) : undefined }, message);
  diag.setLogger({ error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('debug') }, DiagLogLevel.WARN);
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (the SDK does not read them); parentbased_always_on by default. */
function samplerFromEnv(logger: Logger): { sampler: Sampler; description: string } {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  const arg = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
  const ratio = arg !== undefined && arg >= 0 && arg <= 1 ? arg : 1;
  switch (name) {
    case 'always_on':
      return { sampler: new AlwaysOnSampler(), description: name };
    case 'always_off':
      return { sampler: new AlwaysOffSampler(), description: name };
    case 'traceidratio':
      return { sampler: new TraceIdRatioBasedSampler(ratio), description: `${name} ${ratio}` };
    case 'parentbased_always_off':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }), description: name };
    case 'parentbased_traceidratio':
      return { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }), description: `${name} ${ratio}` };
    case 'parentbased_always_on':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), description: name };
    default:
      logger.warn({ sampler: name }, 'OTEL_TRACES_SAMPLER names a sampler this service does not support; using parentbased_always_on');
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), description: 'parentbased_always_on' };
  }
}

/** Where the OTLP exporter sends spans (for the start-up log line; credentials masked). */
function otlpEndpoint(): string {
  const specific = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = specific ?? (base ? `${base.replace(/\/$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
  return maskUrl(url);
}
