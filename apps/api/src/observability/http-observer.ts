import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { answeredOnSocket, requestContext } from '@app/common';
import { MetricsService } from './metrics.service';

/** `/api/hyperfleet/v1/clusters/:cluster_id` → `/api/hyperfleet/v1/clusters/-` (no ids in label values). */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof route !== 'string' || route.includes('*')) return 'unmatched';
  return `${req.baseUrl ?? ''}${route}`.replace(/:[A-Za-z0-9_]+/g, '-');
}

/**
 * Records every request: one JSON log line and the request metrics. The request line has fixed fields,
 * none of them secret, so it is written without the logger's redaction, which took about half of pino's
 * time per line (docs/performance.md, change 14). A request whose connection closed before its response
 * was complete (the client went away, or the server cut it: a timeout answered on the socket) gets its
 * line too, with `aborted: true` and the status that went out, if any; it is not counted in the metrics
 * unless the server answered it.
 */
export function httpObserver(metrics: MetricsService, logger: Logger) {
  const lines = logger.child({}, { redact: [] });
  return (req: Request, res: Response, next: NextFunction): void => {
    let finished = false;
    const record = (status: number | undefined, aborted: boolean) => {
      const ctx = requestContext(req);
      const seconds = ctx ? Number(process.hrtime.bigint() - ctx.startedAt) / 1e9 : 0;
      const path = routeTemplate(req);
      if (status !== undefined) metrics.observe(req.method, path, status, seconds);
      const level = status !== undefined && status >= 500 ? 'error' : aborted ? 'warn' : 'info';
      const line = { request_id: ctx?.requestId, caller: ctx?.caller, method: req.method, route: path, path: req.originalUrl.split('?')[0], status, duration_ms: Math.round(seconds * 1e6) / 1e3 };
      lines[level](aborted ? { ...line, aborted } : line, 'request');
    };
    res.on('finish', () => {
      finished = true;
      record(res.statusCode, false);
    });
    res.on('close', () => {
      if (finished) return;
      const onSocket = answeredOnSocket(res);
      record(onSocket ?? (res.headersSent ? res.statusCode : undefined), true);
    });
    next();
  };
}
