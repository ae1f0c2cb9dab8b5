import { ArgumentsHost, Catch, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, ErrorCode } from '../errors/error-codes';
import { MethodNotAllowedError, NotFoundError, ValidationError } from '../errors/errors';
import { HyperfleetError } from '../errors/hyperfleet.error';
import { requestContext } from './request-context';
import { allowedMethods } from './route-index';

/**
 * The path a request was routed on, from the application's root: Nest's not-found handler for the
 * global prefix runs in a router mounted at the prefix, whose `req.path` is relative to it.
 */
function routedPath(req: Request): string {
  const path = `${req.baseUrl ?? ''}${req.path}`;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Turns a foreign error (a driver exception, say) into a HyperfleetError, or says it cannot. */
export type ErrorTranslator = (err: unknown) => HyperfleetError | undefined;

/** The RFC 9457 body every error response carries. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  timestamp: string;
  trace_id: string;
  errors?: HyperfleetError['errors'];
}

export function problemOf(err: HyperfleetError, req: Pick<Request, 'originalUrl' | 'url'>, traceId: string): ProblemDetails {
  const body: ProblemDetails = {
    type: err.type,
    title: err.title,
    status: err.status,
    detail: err.detail,
    instance: (req.originalUrl ?? req.url).split('?')[0],
    code: err.code,
    timestamp: new Date().toISOString(),
    trace_id: traceId,
  };
  if (err.errors?.length) body.errors = err.errors;
  return body;
}

/** How often an ongoing outage is summarised, and how long without a 503 ends it. */
export const OUTAGE_SUMMARY_MS = 5_000;

/**
 * The log of 503s (database unavailable, deadline passed). One outage answers every request 503, and
 * logging each cause with its stack wrote thousands of lines a minute; instead the first 503 of an
 * outage is logged with its cause, the next ones are counted, and every OUTAGE_SUMMARY_MS a line says
 * how many more there were; the first interval without any ends the outage with a line of totals. At
 * most one line per interval, whatever the load.
 */
export class OutageLog {
  private open?: { since: number; total: number; byCode: Record<string, number>; lastTick: number; timer: NodeJS.Timeout };

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = OUTAGE_SUMMARY_MS,
  ) {}

  /** Notes a 503; true when it is the first of an outage (log it in full), false when it was counted. */
  note(code: string): boolean {
    if (this.open) {
      this.open.total++;
      this.open.byCode[code] = (this.open.byCode[code] ?? 0) + 1;
      return false;
    }
    const timer = setInterval(() => this.tick(), this.intervalMs);
    timer.unref();
    this.open = { since: Date.now(), total: 1, byCode: {}, lastTick: 1, timer };
    return true;
  }

  private tick(): void {
    const open = this.open!;
    const more = open.total - open.lastTick;
    const byCode = open.byCode;
    open.byCode = {};
    open.lastTick = open.total;
    if (more > 0) {
      this.logger.warn({ answered_503: more, by_code: byCode, outage_since: new Date(open.since).toISOString() }, `outage goes on: ${more} more request(s) answered 503 in the last ${this.intervalMs / 1000} s`);
      return;
    }
    clearInterval(open.timer);
    this.open = undefined;
    this.logger.info({ answered_503: open.total, outage_since: new Date(open.since).toISOString(), outage_ms: Date.now() - open.since }, `outage over: ${open.total} request(s) answered 503 in all, none in the last ${this.intervalMs / 1000} s`);
  }
}

/**
 * The one place errors become responses: `application/problem+json`, RFC 9457, with the
 * HYPERFLEET code table. Anything unexpected is a 500 whose cause is logged and never sent; a 503's
 * cause is logged once per outage (OutageLog).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly outages: OutageLog;

  constructor(
    private readonly logger: Logger,
    private readonly translators: ErrorTranslator[] = [],
    private readonly expressApp?: Express,
  ) {
    this.outages = new OutageLog(logger);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.render(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>());
  }

  /**
   * Express handlers appended after every route: a 404 (or 405) for requests nothing routed, and an
   * error handler for errors raised by express-level middleware outside Nest's reach.
   */
  fallbackHandlers(): [(req: Request, res: Response) => void, (err: unknown, req: Request, res: Response, next: NextFunction) => void] {
    return [(req, res) => this.render(new NotFoundException(), req, res), (err, req, res) => this.render(err, req, res)];
  }

  render(exception: unknown, req: Request, res: Response): void {
    const err = this.toHyperfleetError(exception, req);
    const traceId = requestContext(req)?.requestId ?? '';
    const failed = { err: exception, request_id: traceId, method: req.method, path: req.originalUrl };
    if (res.headersSent) {
      // answered already (the deadline's 503): a 503's cause is the outage's, anything else is logged
      if (err.status >= 500 && err.status !== 503) this.logger.error(failed, `request failed: ${err.code}`);
      res.end();
      return;
    }
    if (err.status === 503) {
      if (this.outages.note(err.code)) this.logger.error(failed, `request failed: ${err.code} (first of an outage: the next 503s are counted, and summarised every ${OUTAGE_SUMMARY_MS / 1000} s)`);
    } else if (err.status >= 500) this.logger.error(failed, `request failed: ${err.code}`);
    for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value);
    res.status(err.status).type('application/problem+json').send(JSON.stringify(problemOf(err, req, traceId)));
  }

  private toHyperfleetError(exception: unknown, req: Request): HyperfleetError {
    if (exception instanceof HyperfleetError) return exception;
    for (const translate of this.translators) {
      const translated = translate(exception);
      if (translated) return translated;
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception, req);
    const status = (exception as { status?: unknown; statusCode?: unknown })?.status ?? (exception as { statusCode?: unknown })?.statusCode;
    const type = (exception as { type?: unknown })?.type;
    // errors raised by Node's HTTP stack or body readers before routing
    if (status === 413 || type === 'entity.too.large') return ValidationError.tooLarge(Number((exception as { limit?: number }).limit ?? 0));
    if (status === 400 && typeof (exception as Error)?.message === 'string' && type === 'entity.parse.failed') return ValidationError.malformed(`Invalid request format: ${(exception as Error).message}`);
    return new HyperfleetError('HYPERFLEET-INT-001', 'An unexpected error occurred; it has been logged with the request id');
  }

  private fromHttpException(exception: HttpException, req: Request): HyperfleetError {
    const status = exception.getStatus();
    const path = (req.originalUrl ?? req.url).split('?')[0];
    if (status === 404) {
      const allowed = this.expressApp ? allowedMethods(this.expressApp, routedPath(req)) : [];
      return allowed.length ? MethodNotAllowedError.of(req.method, path, allowed) : NotFoundError.route(req.method, path);
    }
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === status && c !== 'HYPERFLEET-VAL-000');
    if (code && status < 500) return new HyperfleetError(code, exception.message);
    return new HyperfleetError('HYPERFLEET-INT-001', 'An unexpected error occurred; it has been logged with the request id');
  }
}
