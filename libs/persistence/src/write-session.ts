import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { isConnectionLost } from './db-errors';
import { preparedStatements } from './native-query';
import type { Statement } from './sql/statement';

/** Thrown inside an optimistic run when it has to end: another write came first, or locks are needed. */
const CONTENDED = Symbol('write contended');

/**
 * One unit of write work on one pooled connection, and the protocol it runs under. The repositories
 * read and write through it; the services that call them state what changes, never how a lost race is
 * retried (`WriteSessions`).
 *
 * In an optimistic run there is no transaction and no lock: a row is read with what belongs to it in
 * one statement (one snapshot) and its version (xmin) is noted (`note`); each write is one statement
 * that applies only while the row is still at that version (`revisionOf`). When another write got there
 * first (`contended`), or the work needs what only locks give (`needLocks`: cascades, removals,
 * several rows), the run ends having written nothing and the work runs again in a transaction under
 * row locks. Effects outside the database wait until the work has committed (`afterCommit`), so a run
 * that ended and ran again does not count twice.
 */
export class WriteSession {
  /** Optimistic run: the version (xmin) each read row had, by id. */
  private revisions?: Map<string, string>;
  /** Optimistic run: how many live rows depend on each read row (children, inbound references), by id. */
  private readonly dependents = new Map<string, number>();
  private effects?: (() => void)[];

  constructor(
    private readonly client: PoolClient,
    private readonly log: (sql: string, ctx: Record<string, unknown>) => void,
  ) {}

  /** Whether this is the optimistic run (no transaction, no locks). */
  get optimistic(): boolean {
    return this.revisions !== undefined;
  }

  /** Runs a prepared statement under its name. */
  exec<R extends QueryResultRow, A extends object>(statement: Statement<A>, args: A): Promise<R[]> {
    return this.send<R>(statement.sql, statement.values(args), statement.name);
  }

  private async send<R extends QueryResultRow>(text: string, values: unknown[], name?: string): Promise<R[]> {
    const started = Date.now();
    try {
      const res = await this.client.query<R>(name && preparedStatements.enabled ? { name, text, values } : { text, values });
      this.log(text, { took: Date.now() - started, results: res.rowCount ?? 0, bound: values });
      return res.rows;
    } catch (err) {
      this.log(text, { took: Date.now() - started, level: 'error', bound: values });
      throw err;
    }
  }

  /** In the optimistic run: end it, and run the work again under row locks. */
  needLocks(): void {
    if (this.revisions) throw CONTENDED;
  }

  /** The optimistic run read row `id` at `revision`, with `dependents` live rows depending on it. */
  note(id: string, revision: string, dependents?: number): void {
    this.revisions?.set(id, revision);
    if (dependents !== undefined) this.dependents.set(id, dependents);
  }

  /**
   * The live rows that depend on a row read by the optimistic run (children, inbound references), when
   * its snapshot counted them; undefined under locks, where they must be read.
   */
  dependentsOf(id: string): number | undefined {
    return this.revisions?.has(id) ? this.dependents.get(id) : undefined;
  }

  /** The version the optimistic run read a row at (null under locks: the row is locked). */
  revisionOf(id: string): string | null {
    if (!this.revisions) return null;
    const rev = this.revisions.get(id);
    if (rev === undefined) throw new Error(`optimistic write of a row that was not read: ${id}`);
    return rev;
  }

  /** A revision-checked write found the row changed: end the optimistic run. */
  contended(): never {
    if (this.revisions) throw CONTENDED;
    throw new Error('a locked row was not written');
  }

  /** Runs `effect` once the work has committed (not at all when it fails or its optimistic run ends). */
  afterCommit(effect: () => void): void {
    (this.effects ??= []).push(effect);
  }

  /** The work committed: its effects run, in order. */
  private committed(): void {
    for (const effect of this.effects ?? []) effect();
  }

  /** @internal `WriteSessions`: enter the optimistic run. */
  static optimisticRun(session: WriteSession): void {
    session.revisions = new Map();
  }

  /** @internal `WriteSessions`: the work committed. */
  static commit(session: WriteSession): void {
    session.committed();
  }

  /** @internal `WriteSessions`: a statement of the protocol itself (begin, commit, rollback). */
  static control(session: WriteSession, text: string): Promise<unknown> {
    return session.send(text, []);
  }

  /** @internal */
  static isContended(err: unknown): boolean {
    return err === CONTENDED;
  }
}

/**
 * Runs write work in `WriteSession`s on the ORM's pool: optimistic first, then under locks
 * (`optimistic`), in a transaction (`transaction`), or one statement at a time (`single`). Named
 * prepared statements, plain rows in and out: no entity hydration, identity map or change sets, which
 * cost several times more than the statements themselves on these paths.
 */
@Injectable()
export class WriteSessions {
  constructor(private readonly em: EntityManager) {}

  /**
   * Runs `work` optimistically first (no transaction, no lock), then, if it has to, again in a
   * transaction under row locks. `work` writes at most one statement per row in its optimistic run.
   */
  async optimistic<T>(work: (session: WriteSession) => Promise<T>): Promise<T> {
    const first = await this.connected(async (session) => {
      WriteSession.optimisticRun(session);
      try {
        return { value: await work(session) };
      } catch (err) {
        if (WriteSession.isContended(err)) return undefined;
        throw err;
      }
    });
    if (!first) return this.transaction(work);
    WriteSession.commit(first.session);
    return first.value;
  }

  /** Runs `work` in a transaction; commits on success, rolls back on any error. */
  async transaction<T>(work: (session: WriteSession) => Promise<T>): Promise<T> {
    const { client, session } = await this.connect();
    let broken = false;
    try {
      await WriteSession.control(session, 'begin');
      const value = await work(session);
      await WriteSession.control(session, 'commit');
      WriteSession.commit(session);
      return value;
    } catch (err) {
      await WriteSession.control(session, 'rollback').catch(() => (broken = true));
      throw err;
    } finally {
      // a connection whose transaction could not be closed cleanly is not reused
      client.release(broken ? true : undefined);
    }
  }

  /** Runs `work` on one connection without a transaction: each statement commits on its own (a create is one statement). */
  async single<T>(work: (session: WriteSession) => Promise<T>): Promise<T> {
    const result = (await this.connected(async (session) => ({ value: await work(session) })))!;
    WriteSession.commit(result.session);
    return result.value;
  }

  private async connected<T>(work: (session: WriteSession) => Promise<T | undefined>): Promise<(T & { session: WriteSession }) | undefined> {
    const { client, session } = await this.connect();
    let lost: Error | undefined;
    try {
      const result = await work(session);
      return result && { ...result, session };
    } catch (err) {
      // a connection cut under a statement does not go back to the pool (it may not know yet that it is dead)
      if (isConnectionLost(err)) lost = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(lost);
    }
  }

  private async connect(): Promise<{ client: PoolClient; session: WriteSession }> {
    const connection = this.em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
    const pool = await connection.getNativeClient();
    const client = await pool.connect();
    return { client, session: new WriteSession(client, (sql, ctx) => connection.logQuery(sql, ctx)) };
  }
}
