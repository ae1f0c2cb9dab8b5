import {
  ConnectionException,
  DeadlockException,
  DriverException,
  ForeignKeyConstraintViolationException,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { ConflictError, HyperfleetError, UnavailableError } from '@app/common';
import { DatabaseConnectionError } from './pg-guard';

/** SQLSTATE classes that mean "the server or the connection is gone", not "your query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; sqlState?: unknown; cause?: { code?: unknown } };
  const code = e?.sqlState ?? e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Translates database errors by their class (and SQLSTATE), never by message text. Unknown errors
 * return undefined and become a logged 500.
 */
export function translateDriverError(err: unknown, kind = 'resource'): HyperfleetError | undefined {
  if (err instanceof HyperfleetError) return err;
  const state = sqlState(err);
  // the ORM's exception classes, or the same SQLSTATEs from statements run on the driver directly
  if (isUniqueViolation(err)) return ConflictError.nameTaken(kind);
  if (err instanceof ForeignKeyConstraintViolationException || state === '23503') return ConflictError.state(`The ${kind} refers to a resource that no longer exists`);
  if (err instanceof DeadlockException || err instanceof LockWaitTimeoutException || state === '40P01' || state === '55P03') return UnavailableError.database();
  if (err instanceof ConnectionException || err instanceof DatabaseConnectionError) return UnavailableError.database();
  if (state === '57014') return UnavailableError.timeout(); // statement_timeout: the request deadline passed
  if (state && UNAVAILABLE_SQLSTATES.has(state)) return UnavailableError.database();
  if (state && NETWORK_CODES.has(state)) return UnavailableError.database();
  // a driver error without any SQLSTATE did not come from the server: the connection failed
  if (err instanceof DriverException && !state) return UnavailableError.database();
  return undefined;
}

/**
 * The error says the connection it came from is gone or unusable (the server's connection SQLSTATEs, a
 * network error, a driver failure without SQLSTATE), so the connection must not go back to the pool.
 * Errors of the application (HyperfleetError) and of a statement (a SQLSTATE such as 23505 or 57014)
 * leave the connection usable.
 */
export function isConnectionLost(err: unknown): boolean {
  if (err instanceof HyperfleetError) return false;
  if (err instanceof ConnectionException || err instanceof DatabaseConnectionError) return true;
  const state = sqlState(err);
  return state === undefined || UNAVAILABLE_SQLSTATES.has(state) || NETWORK_CODES.has(state);
}

/** A unique constraint refused the write (the ORM's exception, or SQLSTATE 23505 from the driver). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException || sqlState(err) === '23505';
}
