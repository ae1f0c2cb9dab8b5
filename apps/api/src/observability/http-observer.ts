import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContext } from '@app/common';
import { MetricsService } from './metrics.service';

/** `/api/hyperfleet/v1/clusters/:cluster_id` → `/api/hyperfleet/v1/clusters/-` (no ids in label values). */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof route !== 'string' || route.includes('*')) return 'unmatched';
  return `${req.baseUrl ?? ''}${route}`.replace(/:[A-Za-z0-9_]+/g, '-');
}

/**
 * Records every finished request: one JSON log line and the request metrics. The request line has
 * fixed fields, none of them secret, so it is written without the logger's redaction, which took
 * about half of pino's time per line (docs/performance.md, change 14).
 */
export function httpObserver(metrics: MetricsService, logger: Logger) {
  const lines = logger.child({}, { redact: [] });
  return (req: Request, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      const ctx = requestContext(req);
      const seconds = ctx ? Number(process.hrtime.bigint() - ctx.startedAt) / 1e9 : 0;
      const path = routeTemplate(req);
      metrics.observe(req.method, path, res.statusCode, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      lines[level]({ request_id: ctx?.requestId, caller: ctx?.caller, method: req.method, route: path, path: req.originalUrl.split('?')[0], status: res.statusCode, duration_ms: Math.round(seconds * 1e6) / 1e3 }, 'request');
    });
    next();
  };
}
