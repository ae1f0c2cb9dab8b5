import type { MikroORM, Transaction } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPostgresOrm = MikroORM<PostgreSqlDriver, any, any>;

/** 32-bit FNV-1a, as a signed int4 (the advisory lock key type). */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(text, 'utf8')) {
    hash ^= ch;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** The advisory lock every migrator takes: the same key pair the original service used. */
export const MIGRATION_LOCK_KEYS: readonly [number, number] = [fnv32a('migrations'), fnv32a('Migrations')];

export interface MigrationRun {
  applied: string[];
  waitedMs: number;
}

/**
 * Applies pending migrations under a transaction-level advisory lock, in one transaction: concurrent
 * migrators (several API replicas, a migrate job) queue on the lock and find nothing left to do. The
 * wait is bounded by `lockTimeoutMs` (lock_timeout); the lock is released by commit or rollback, so it
 * also works through a transaction-pooling PgBouncer.
 */
export async function runMigrations(orm: AnyPostgresOrm, lockTimeoutMs: number): Promise<MigrationRun> {
  const connection = orm.em.getConnection();
  const started = Date.now();
  let waitedMs = 0;
  const applied = await connection.transactional(async (trx: Transaction) => {
    await connection.execute(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`, [], 'run', trx);
    await connection.execute('select pg_advisory_xact_lock(?, ?)', [...MIGRATION_LOCK_KEYS], 'run', trx);
    waitedMs = Date.now() - started;
    await connection.execute('set local lock_timeout = 0', [], 'run', trx);
    const done = await orm.migrator.up({ transaction: trx });
    return done.map((m) => m.name);
  });
  return { applied, waitedMs };
}
