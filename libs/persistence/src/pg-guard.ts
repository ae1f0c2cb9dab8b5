import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestDeadline } from '@app/common';
import type { Pool, PoolClient } from 'pg';

/**
 * A failure of the connection to PostgreSQL that the driver (pg, pg-pool) reported without a SQLSTATE
 * or errno code — "timeout exceeded when trying to connect", "Connection terminated unexpectedly",
 * "Client has encountered a connection error and is not queryable". It carries the SQLSTATE of what it
 * is (class 08, connection exception), so it is translated like the server's own connection errors:
 * 08001 when no connection could be had, 08006 when a connection in use failed.
 */
export class DatabaseConnectionError extends Error {
  readonly code: '08001' | '08006';

  constructor(code: '08001' | '08006', cause: unknown) {
    super(`${code === '08001' ? 'could not get a database connection' : 'the database connection failed'}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseConnectionError';
    this.code = code;
  }
}

/** Errors the driver raises about the connection, not about the statement: no SQLSTATE, no errno, not a programming error. */
function asConnectionError(code: '08001' | '08006', err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof DatabaseConnectionError || err instanceof TypeError || err instanceof RangeError) return err;
  if (typeof (err as { code?: unknown }).code === 'string') return err; // the server's SQLSTATE, or ECONNREFUSED and the like
  return new DatabaseConnectionError(code, err);
}

const QUERIES_GUARDED = Symbol('hyperfleet.queriesGuarded');
/** When the client's oldest unanswered statement was sent (ms since the epoch); 0 or unset when it has none. */
const BUSY_SINCE = Symbol('hyperfleet.busySince');
/** The deadline of the request that checked the client out, while it holds it. */
const DEADLINE = Symbol('hyperfleet.deadline');

type Callback = (err: unknown, ...rest: unknown[]) => void;
type TrackedClient = PoolClient & { [QUERIES_GUARDED]?: true; [BUSY_SINCE]?: number; [DEADLINE]?: RequestDeadline };

/**
 * A statement refused because its request was already answered 503 for its deadline: the request's
 * work stops there, and its transaction is rolled back (ROLLBACK is let through). SQLSTATE 57014
 * (query_canceled), as if the statement timeout had cancelled it; the connection stays usable.
 */
export class DeadlinePassedError extends Error {
  readonly code = '57014';

  constructor() {
    super('canceling statement: the request deadline passed before it was sent');
    this.name = 'DeadlinePassedError';
  }
}

const ROLLBACK = /^\s*rollback\b/i;

const deadlines = new AsyncLocalStorage<RequestDeadline>();

/**
 * Runs a request's handling with its deadline known to the pool (the deadline middleware): connections
 * checked out under it refuse its statements once it passed (DeadlinePassedError).
 */
export function runWithDeadline<T>(deadline: RequestDeadline, next: () => T): T {
  return deadlines.run(deadline, next);
}

/** A statement the client may no longer send: its request's deadline passed, and it is not a ROLLBACK. */
function pastDeadline(client: TrackedClient, args: unknown[]): boolean {
  if (!client[DEADLINE]?.passed) return false;
  const first = args[0] as string | { text?: unknown } | undefined;
  const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
  return !ROLLBACK.test(text);
}

/**
 * `query` of a client or of the pool, with the failures the driver raised itself given a SQLSTATE. A
 * client's own callbacks are not wrapped: its only callback caller is pg-pool's `pool.query`, whose
 * result the pool's guard translates. A closure around every statement's callback (like pg's own
 * `query_timeout` timer) kept each statement's result reachable past young collections, so every list
 * page (~200 KB) was promoted to the old generation and the heap grew until the next full collection.
 * A client also notes when it started waiting for an answer, for `cutUnanswered`.
 */
function guardQuery(target: { query: unknown; [BUSY_SINCE]?: number }, isClient: boolean): void {
  const query = target.query as (...args: unknown[]) => unknown;
  target.query = function (this: unknown, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (isClient && pastDeadline(target as TrackedClient, args)) {
      const refused = new DeadlinePassedError();
      if (typeof last === 'function') return void process.nextTick(() => (last as Callback)(refused));
      return Promise.reject(refused);
    }
    if (isClient && !target[BUSY_SINCE]) target[BUSY_SINCE] = Date.now();
    if (typeof last === 'function') {
      if (isClient) return query.apply(this, args);
      args[args.length - 1] = (err: unknown, ...rest: unknown[]) => (last as Callback)(err ? asConnectionError('08006', err) : err, ...rest);
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    // a Submittable (cursor) reports through its own callbacks; only promises are wrapped
    if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(asConnectionError('08006', err)));
    return result;
  };
}

/** Once per client. pg emits 'drain' when the client has answered everything it was sent. */
function guardQueries(client: PoolClient): void {
  const marked = client as TrackedClient;
  if (marked[QUERIES_GUARDED]) return;
  marked[QUERIES_GUARDED] = true;
  client.on('drain', () => {
    marked[BUSY_SINCE] = 0;
  });
  guardQuery(marked, true);
}

/**
 * The read timeout: a connection whose statement has had no answer for `timeoutMs` is destroyed, so
 * its statement fails with a connection error (08006) and the pool replaces it. The statement timeout
 * (set a little shorter) ends slow statements on the server; this ends the wait when the server or the
 * network no longer answers at all. One timer for the pool instead of one per statement (see guardQuery).
 */
function cutUnanswered(open: ReadonlySet<PoolClient>, timeoutMs: number): () => void {
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const client of open) {
        const since = (client as TrackedClient)[BUSY_SINCE];
        if (!since || now - since <= timeoutMs) continue;
        (client as TrackedClient)[BUSY_SINCE] = 0;
        const stream = (client as unknown as { connection?: { stream?: { destroy(err?: Error): void } } }).connection?.stream;
        stream?.destroy(new DatabaseConnectionError('08006', new Error(`no answer from the database within ${timeoutMs} ms`)));
      }
    },
    Math.max(25, Math.min(1_000, Math.floor(timeoutMs / 4))),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * One checkout: `release` becomes idempotent, and a client whose connection ends while it is checked out
 * is released at once (with an error, so that the pool discards it). Whoever holds it gets connection
 * errors from then on and may release it again harmlessly.
 *
 * Why: kysely (under MikroORM) releases a transaction's connection only after a successful COMMIT or
 * ROLLBACK, and not at all when BEGIN fails (kysely-org/kysely#1990). When the database goes away in
 * the middle of a transaction, both fail, and without this the pool loses that slot for good: after a
 * database restart every request would wait for a connection and time out.
 */
function guardCheckout(client: PoolClient, deadline: RequestDeadline | undefined): PoolClient {
  guardQueries(client);
  (client as TrackedClient)[DEADLINE] = deadline;
  const release = client.release.bind(client);
  let released = false;
  const onEnd = () => done(new DatabaseConnectionError('08006', new Error('connection ended while checked out')));
  const done = (err?: Error | boolean) => {
    if (released) return;
    released = true;
    (client as TrackedClient)[DEADLINE] = undefined;
    client.removeListener('end', onEnd);
    release(err);
  };
  client.once('end', onEnd);
  client.release = done;
  return client;
}

/**
 * Makes the application's pool survive the database going away and coming back (see guardCheckout),
 * gives every connection failure a SQLSTATE (see DatabaseConnectionError), and stops a request's
 * statements once its deadline passed (DeadlinePassedError): a client carries the deadline of the
 * request that checked it out. Installed on the pool
 * MikroORM creates (`driverOptions.onPoolCreated`); covers everything that checks connections out of
 * it: the ORM, `queryBound`, the status store, the health ping. With `readTimeoutMs`, a connection
 * that leaves a statement unanswered that long is cut (cutUnanswered).
 */
export function guardPool(pool: Pool, options: { readTimeoutMs?: number } = {}): void {
  const connect = pool.connect.bind(pool) as (cb?: Callback) => Promise<PoolClient> | undefined;
  (pool as unknown as { connect: (cb?: Callback) => unknown }).connect = (cb?: Callback) => {
    // the request asking, read now: pg-pool may hand the client over later in another request's context
    const deadline = deadlines.getStore();
    if (typeof cb === 'function') {
      connect((err: unknown, client?: unknown, release?: unknown) => {
        if (err) return cb(asConnectionError('08001', err), undefined, release);
        const guarded = guardCheckout(client as PoolClient, deadline);
        return cb(undefined, guarded, guarded.release);
      });
      return undefined;
    }
    return connect()!.then(
      (client) => guardCheckout(client, deadline),
      (err: unknown) => Promise.reject(asConnectionError('08001', err)),
    );
  };
  // pool.query also reports a connection that breaks under it through the client's 'error' event, not its query
  guardQuery(pool as unknown as { query: unknown }, false);
  const open = openClients(pool);
  const stop = options.readTimeoutMs ? cutUnanswered(open, options.readTimeoutMs) : () => undefined;
  endWhenClosed(pool, open, stop);
}

/** The pool's connections, from connect to end. */
function openClients(pool: Pool): ReadonlySet<PoolClient> {
  const open = new Set<PoolClient>();
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
  });
  return open;
}

/**
 * `pool.end()` resolves only once every connection of the pool has closed, and may be called more than
 * once (each call waits for the same end). pg-pool's own resolves as soon as it has asked its clients to
 * end, before their sockets close, and rejects a second call; a process that exits then leaves server
 * backends behind for a moment (still listed in pg_stat_activity, still holding their slots), and a
 * shutdown is not done until its connections are. The server closes its side of a connection after its
 * backend has left, so a closed socket means a gone backend.
 */
function endWhenClosed(pool: Pool, open: ReadonlySet<PoolClient>, stopped: () => void): void {
  const closed = () => Promise.all([...open].map((client) => new Promise<void>((resolve) => client.once('end', () => resolve())))).then(() => undefined);
  const end = pool.end.bind(pool) as () => Promise<void>;
  let ended: Promise<void> | undefined;
  (pool as unknown as { end: (cb?: (err?: Error) => void) => Promise<void> | undefined }).end = (cb?: (err?: Error) => void) => {
    if (!ended) {
      stopped();
      ended = end().then(closed);
    }
    if (typeof cb !== 'function') return ended;
    ended.then(() => cb(), (err: Error) => cb(err));
    return undefined;
  };
}
