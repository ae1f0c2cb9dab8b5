import { AsyncLocalStorage } from 'node:async_hooks';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { uuidv7 } from '../api/ids';
import { jsonBodyProblem, plainJsonText } from '../api/json';
import { ValidationError } from '../errors/errors';
import { problemOf } from './problem-details.filter';
import { requestContext, setRequestContext } from './request-context';

/** Gives every request an id (X-Request-ID on the response, trace_id in problems, request_id in logs). */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const requestId = uuidv7();
  setRequestContext(req, { requestId, startedAt: process.hrtime.bigint() });
  res.setHeader('X-Request-ID', requestId);
  // answers depend on the caller once authentication is on; shared caches must not mix them
  res.setHeader('Vary', 'Authorization');
  next();
}

/**
 * The `clientError` listener of the HTTP server: requests Node's parser refuses before any middleware
 * runs get a problem+json answer with a request id like every other error, instead of Node's bare
 * status line: request line and headers over the header size limit (16 KiB by default) → 431
 * HYPERFLEET-VAL-010, other malformed HTTP → 400 HYPERFLEET-VAL-006. Otherwise it does what Node does
 * without a listener: answer only when nothing of a response went out yet, then destroy the socket
 * (so that no half-closed connection can hold up the server's close); timeouts keep Node's bare 408.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }): void {
  if (socket.writable && !socket._httpMessage?.headersSent) socket.write(clientErrorResponse(err));
  socket.destroy();
}

function clientErrorResponse(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): string {
  if (!err.code?.startsWith('HPE_')) return `HTTP/1.1 ${err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`;
  const error = err.code === 'HPE_HEADER_OVERFLOW' ? ValidationError.headersTooLarge() : ValidationError.malformed('Malformed HTTP request');
  const requestId = uuidv7();
  // the path as far as it arrived, for `instance` (at most 1 KiB of it)
  const path = /^[A-Z]+ ([^ ?\r\n]{1,1024})/.exec(err.rawPacket?.subarray(0, 1100).toString('latin1') ?? '')?.[1] ?? '';
  const body = JSON.stringify(problemOf(error, { originalUrl: path, url: path }, requestId));
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** `/clusters/` is routed as `/clusters`. */
export function trailingSlashMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) {
    const trimmed = path.replace(/\/+$/, '') || '/';
    req.url = trimmed + (q < 0 ? '' : req.url.slice(q));
  }
  next();
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads JSON request bodies: 413 past `limit` bytes (checked on Content-Length first, then while
 * streaming), 415 for a non-JSON Content-Type, 400 for malformed JSON and for JSON the service cannot
 * safely handle or store (too deep, U+0000, unpaired surrogates, numbers out of range: `jsonBodyProblem`).
 * An absent or empty body leaves `req.body` undefined so handlers can answer "body is required".
 */
export function jsonBodyMiddleware(limit: number) {
  return (req: Request, _res: Response, callerNext: NextFunction): void => {
    if (!BODY_METHODS.has(req.method)) return callerNext();
    // body events run in the HTTP parser's async context: continue in the request's own context
    // (AsyncLocalStorage users — tracing, the ORM's request context — depend on it). A snapshot of the
    // context is a closure; `AsyncResource.bind` cost an async resource and defineProperties per request.
    const inRequest = AsyncLocalStorage.snapshot();
    const next = ((err?: unknown) => inRequest(callerNext as (err?: unknown) => void, err)) as NextFunction;
    const declared = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && (declared === undefined || declared === '0')) {
      markEmpty(req);
      return next();
    }
    if (declared !== undefined && Number(declared) > limit) return drainThen(req, next, ValidationError.tooLarge(limit));
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (!JSON_TYPE.test(type)) return drainThen(req, next, ValidationError.unsupportedMediaType(type || undefined));

    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        return next(ValidationError.tooLarge(limit));
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      if (size === 0) {
        markEmpty(req);
        return next();
      }
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      const text = bytes.toString('utf8');
      if (text.includes('\uFFFD') && !isValidUtf8(bytes)) return next(ValidationError.malformed('Invalid request format: body is not valid UTF-8'));
      if (text.trim() === '') {
        markEmpty(req);
        return next();
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        return next(ValidationError.malformed(`Invalid request format: ${(err as Error).message}`));
      }
      // most bodies are plain by their text alone, and need no walk of the parsed value
      const problem = plainJsonText(text) ? undefined : jsonBodyProblem(body);
      if (problem) return next(ValidationError.malformed(`Invalid request format: ${problem}`));
      req.body = body;
      next();
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        next(ValidationError.malformed(`Invalid request format: ${err.message}`));
      }
    });
  };
}

function markEmpty(req: Request): void {
  req.body = undefined;
  const ctx = requestContext(req);
  if (ctx) ctx.emptyBody = true;
}

/** Answer without reading a body we will not use, but let the client finish sending it. */
function drainThen(req: Request, next: NextFunction, err: Error): void {
  req.resume();
  next(err);
}

function isValidUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}
