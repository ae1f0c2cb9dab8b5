import type { NextFunction, Request, Response } from 'express';
import { UnavailableError } from '@app/common';

/**
 * Every request has a deadline (database.request_timeout): past it the client gets 503
 * HYPERFLEET-SVC-002 instead of a hung socket. The statement timeout, set to the same value on every
 * connection, stops the database work itself; this timer answers the client if anything else stalls.
 * One timer per request, cleared when the response is done.
 */
export function deadlineMiddleware(requestTimeoutMs: number, answer: (err: Error, req: Request, res: Response) => void) {
  // a little after the statement timeout, so a cancelled statement reports itself first
  const ms = requestTimeoutMs + 250;
  return (req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (!res.headersSent) answer(UnavailableError.timeout(ms), req, res);
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
