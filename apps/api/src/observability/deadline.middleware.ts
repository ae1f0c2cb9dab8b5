import type { NextFunction, Request, Response } from 'express';
import { requestContext, UnavailableError } from '@app/common';
import { runWithDeadline } from '@app/persistence';

/**
 * Every request has a deadline (database.request_timeout), counted from its arrival (its headers; the
 * body's time counts too): when it passes, a request not yet answered gets 503 HYPERFLEET-SVC-002
 * instead of a hung socket, and its deadline is marked passed, so that the database layer runs no further
 * statement of it (runWithDeadline, guardPool: its transaction is rolled back). The statement timeout, set to the same
 * value on every connection, stops the database work itself; this timer answers the client however the
 * time went (a slow body, a wait for a connection, a database that stopped answering). One timer per
 * request, cleared when the response is done.
 */
export function deadlineMiddleware(requestTimeoutMs: number, answer: (err: Error, req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const ctx = requestContext(req);
    const deadline = { passed: false };
    const elapsedMs = ctx ? Number(process.hrtime.bigint() - ctx.startedAt) / 1e6 : 0;
    const timer = setTimeout(
      () => {
        deadline.passed = true;
        if (!res.headersSent) answer(UnavailableError.timeout(requestTimeoutMs), req, res);
      },
      Math.max(0, requestTimeoutMs - elapsedMs),
    );
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    runWithDeadline(deadline, next);
  };
}
