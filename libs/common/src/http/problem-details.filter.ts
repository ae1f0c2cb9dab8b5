import { ArgumentsHost, Catch, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, ErrorCode } from '../errors/error-codes';
import { MethodNotAllowedError, NotFoundError, ValidationError } from '../errors/errors';
import { HyperfleetError } from '../errors/hyperfleet.error';
import { requestContext } from './request-context';
import { allowedMethods } from './route-index';

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

/**
 * The one place errors become responses: `application/problem+json`, RFC 9457, with the
 * HYPERFLEET code table. Anything unexpected is a 500 whose cause is logged and never sent.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly translators: ErrorTranslator[] = [],
    private readonly expressApp?: Express,
  ) {}

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
    if (err.status >= 500) this.logger.error({ err: exception, request_id: traceId, method: req.method, path: req.originalUrl }, `request failed: ${err.code}`);
    if (res.headersSent) {
      res.end();
      return;
    }
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
      const allowed = this.expressApp ? allowedMethods(this.expressApp, req.path) : [];
      return allowed.length ? MethodNotAllowedError.of(req.method, path, allowed) : NotFoundError.route(req.method, path);
    }
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === status && c !== 'HYPERFLEET-VAL-000');
    if (code && status < 500) return new HyperfleetError(code, exception.message);
    return new HyperfleetError('HYPERFLEET-INT-001', 'An unexpected error occurred; it has been logged with the request id');
  }
}
