import { AsyncLocalStorage } from 'node:async_hooks';
import { IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { uuidv7 } from '../api/ids';
import { jsonBodyProblem, plainJsonText } from '../api/json';
import { ValidationError } from '../errors/errors';
import type { HyperfleetError } from '../errors/hyperfleet.error';
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

/** A response the `clientError` listener wrote on the socket itself: its status, for the request log line. */
const ANSWERED_ON_SOCKET = Symbol('hyperfleet.answeredOnSocket');

/** The status the `clientError` listener sent for this request's response, if it did. */
export function answeredOnSocket(res: ServerResponse): number | undefined {
  return (res as ServerResponse & { [ANSWERED_ON_SOCKET]?: number })[ANSWERED_ON_SOCKET];
}

/**
 * The `clientError` listener of the HTTP server: requests Node's parser refuses, or that it cuts by its
 * timeouts, get a problem+json answer with a request id like every other error, instead of Node's bare
 * status line: request line and headers over the header size limit (16 KiB by default) → 431
 * HYPERFLEET-VAL-010, headers (or a body nobody read) not arrived within server.read_timeout → 408
 * HYPERFLEET-VAL-011, other malformed HTTP → 400 HYPERFLEET-VAL-006. Otherwise it does what Node does
 * without a listener: answer only when nothing of a response went out yet, then destroy the socket (so
 * that no half-closed connection can hold up the server's close). Each answer is logged like a request;
 * one cut while the application had it is logged by the request observer, with this status.
 */
export function clientErrorHandler(logger?: Logger, readTimeoutMs = 0) {
  return (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex & { _httpMessage?: ServerResponse; parser?: { incoming?: IncomingMessage | null } }): void => {
    const res = socket._httpMessage;
    // the application answered a request whose body then stopped (a refusal on its headers): it had its answer
    const answered = !res && socket.parser?.incoming?.complete === false;
    const answer = socket.writable && !answered && !res?.headersSent ? clientErrorResponse(err, readTimeoutMs, res) : undefined;
    if (answer) {
      socket.write(answer.text);
      if (res) (res as ServerResponse & { [ANSWERED_ON_SOCKET]?: number })[ANSWERED_ON_SOCKET] = answer.status;
      // a request the application never saw still gets its line
      else logger?.info({ request_id: answer.requestId, method: answer.method, path: answer.path, status: answer.status, reason: err.code }, 'request');
    }
    socket.destroy();
  };
}

function clientErrorResponse(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, readTimeoutMs: number, res: ServerResponse | undefined): { text: string; status: number; requestId: string; method?: string; path: string } | undefined {
  let error: HyperfleetError;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') error = ValidationError.readTimeout(readTimeoutMs, res ? 'body' : 'headers');
  else if (err.code === 'HPE_HEADER_OVERFLOW') error = ValidationError.headersTooLarge();
  else if (err.code?.startsWith('HPE_')) error = ValidationError.malformed('Malformed HTTP request');
  // a connection reset or the like: nobody to answer
  else return undefined;
  // the request's own id when the application has it
  const requestId = String(res?.getHeader('X-Request-ID') ?? '') || uuidv7();
  // the request line as far as it arrived, for `instance` (at most 1 KiB of the path)
  const line = /^([A-Z]+) ([^ ?\r\n]{1,1024})/.exec(err.rawPacket?.subarray(0, 1100).toString('latin1') ?? '');
  const path = (res as (ServerResponse & { req?: IncomingMessage }) | undefined)?.req?.url?.split('?')[0] ?? line?.[2] ?? '';
  const body = JSON.stringify(problemOf(error, { originalUrl: path, url: path }, requestId));
  const text =
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`;
  return { text, status: error.status, requestId, method: line?.[1], path };
}

/**
 * The HTTP server's side of the limits (server.body_limit, server.read_timeout), which Node applies
 * before any middleware runs. Call before the server listens.
 * - Headers must arrive within the read timeout (Node checks every second; its default is 60 s, checked
 *   every 30 s). A whole request must arrive within twice the read timeout and a second: the body reader
 *   answers first (jsonBodyMiddleware); this catches a body nobody reads.
 * - `Expect: 100-continue`: a body that will be refused on its headers alone (too large, not JSON, an
 *   unsupported encoding) is answered at once, without `100 Continue` (Node sends it unasked).
 * - An HTTP/1.1 request without `Host` reaches the application (requireHostMiddleware answers it with a
 *   problem) instead of Node's empty 400.
 */
export function applyServerLimits(server: Server, limits: { bodyLimit: number; readTimeoutMs: number }): void {
  server.requestTimeout = 2 * limits.readTimeoutMs + 1_000;
  server.headersTimeout = limits.readTimeoutMs;
  // both read by Node when the server starts listening or per request; @types/node lacks them
  Object.assign(server, { connectionsCheckingInterval: Math.min(1_000, limits.readTimeoutMs), requireHostHeader: false });
  server.on('checkContinue', function (this: Server, req: IncomingMessage, res: ServerResponse) {
    if (BODY_METHODS.has(req.method ?? '') && refusedOnHeaders(req, limits.bodyLimit)) res.setHeader('Connection', 'close');
    else res.writeContinue();
    this.emit('request', req, res);
  });
}

/** RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400; as a problem, like every other. */
export function requireHostMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) return next(ValidationError.hostRequired());
  next();
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
/** Content codings of request bodies we decode (RFC 9110 §8.4.1; `deflate` is the zlib format). */
const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
const ACCEPTED_ENCODINGS = ['gzip', 'deflate', 'br'];

/** The body's content coding, lower-cased; undefined when there is none (or `identity`). */
function contentEncoding(req: IncomingMessage): string | undefined {
  const value = req.headers['content-encoding']?.trim().toLowerCase();
  return value && value !== 'identity' ? value : undefined;
}

/** What refuses a request's body on its headers alone: too large a Content-Length, not JSON, an unknown coding. */
function refusedOnHeaders(req: IncomingMessage, limit: number): HyperfleetError | undefined {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return ValidationError.tooLarge(limit);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
  if (!JSON_TYPE.test(type)) return ValidationError.unsupportedMediaType(type || undefined);
  const encoding = contentEncoding(req);
  if (encoding !== undefined && !DECODERS[encoding]) return ValidationError.unsupportedEncoding(encoding, ACCEPTED_ENCODINGS);
  return undefined;
}

/**
 * Reads JSON request bodies: 413 past `limit` bytes (checked on Content-Length first, then while
 * streaming; for a gzip, deflate or br body both the bytes received and the decoded bytes count), 415 for
 * a non-JSON Content-Type or another content coding, 408 when the body has not fully arrived within
 * `readTimeoutMs` of the request's headers (the connection is then closed: the rest of the body cannot be
 * told from a next request), 400 for malformed JSON or an undecodable body, and for JSON the service
 * cannot safely handle or store (too deep, U+0000, unpaired surrogates, numbers out of range:
 * `jsonBodyProblem`). An absent or empty body leaves `req.body` undefined so handlers can answer "body is
 * required".
 */
export function jsonBodyMiddleware(limit: number, readTimeoutMs = 0) {
  return (req: Request, res: Response, callerNext: NextFunction): void => {
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
    const refused = refusedOnHeaders(req, limit);
    if (refused) return drainThen(req, next, refused);

    const decoder = DECODERS[contentEncoding(req) ?? '']?.();
    const source: Readable = decoder ? (req.pipe(decoder) as unknown as Readable) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let received = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      chunks.length = 0;
      if (decoder) {
        req.unpipe(decoder as unknown as NodeJS.WritableStream);
        (decoder as unknown as Readable).destroy();
        req.resume();
      }
      next(err);
    };
    const timer = readTimeoutMs > 0 ? setTimeout(() => cutSlowBody(req, res, fail, readTimeoutMs), remainingMs(req, readTimeoutMs)) : undefined;
    if (decoder) {
      // what arrives counts too: a small decoded body must not come in an endless stream
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) fail(ValidationError.tooLarge(limit));
      });
    }
    source.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) return fail(ValidationError.tooLarge(limit));
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (failed) return;
      clearTimeout(timer);
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
    source.on('error', (err) => fail(ValidationError.malformed(decoder && source !== (req as Readable) ? `Invalid request format: the body is not valid ${contentEncoding(req)} data (${err.message})` : `Invalid request format: ${err.message}`)));
    if (decoder) req.on('error', (err) => fail(ValidationError.malformed(`Invalid request format: ${err.message}`)));
  };
}

/** What is left of the read timeout since the request's headers arrived. */
function remainingMs(req: Request, readTimeoutMs: number): number {
  const startedAt = requestContext(req)?.startedAt;
  const elapsed = startedAt === undefined ? 0 : Number(process.hrtime.bigint() - startedAt) / 1e6;
  return Math.max(0, readTimeoutMs - elapsed);
}

/** A body still arriving at the read timeout: 408, and the connection closed once the answer is out. */
function cutSlowBody(req: Request, res: Response, fail: (err: Error) => void, readTimeoutMs: number): void {
  res.once('finish', () => req.socket.destroySoon());
  fail(ValidationError.readTimeout(readTimeoutMs, 'body'));
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
