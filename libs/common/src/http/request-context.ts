import type { Request } from 'express';

/** What the HTTP shell attaches to every request. */
export interface RequestContext {
  requestId: string;
  startedAt: bigint;
  /** Set by the body reader: the body was absent or empty. */
  emptyBody?: boolean;
  /** Resolved caller identity (set by authentication when it is enabled). */
  caller?: string;
}

/**
 * The request deadline (database.request_timeout): `passed` once it went by. Set by the deadline
 * middleware; the database layer stops the request's work when it is (runWithDeadline).
 */
export interface RequestDeadline {
  passed: boolean;
}

const CONTEXT = Symbol('hyperfleet.request');

export function setRequestContext(req: Request, ctx: RequestContext): void {
  (req as unknown as Record<symbol, RequestContext>)[CONTEXT] = ctx;
}

export function requestContext(req: Request): RequestContext | undefined {
  return (req as unknown as Record<symbol, RequestContext | undefined>)[CONTEXT];
}
