import { TableNotFoundException } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LOGGER, Logger } from '@app/common';
import { MIGRATIONS } from '@app/persistence';
import { MigrationRun, runMigrations } from './run-migrations';

export const MIGRATE_ON_BOOT = Symbol('MIGRATE_ON_BOOT');

/** Whether the database schema has every migration this build knows; when not, why, in words. */
export type SchemaReadiness = { ok: true } | { ok: false; reason: string };

/** What an operator does about pending migrations. */
const REMEDY = 'run `npm run migrate` (in an image: node dist/apps/migrate/apps/migrate/src/main.js), or set HYPERFLEET_DB_MIGRATE_ON_BOOT=true';

function notCurrent(pending: string[]): SchemaReadiness {
  return { ok: false, reason: `database schema is not current: ${pending.length} pending migration(s); ${REMEDY}` };
}

/**
 * Applies pending migrations under the advisory lock (at boot when configured to), and tells whether
 * the schema is current: readiness (/readyz) fails while migrations are pending, so that an API started
 * on an unmigrated database says so instead of answering every request 500, and passes once another
 * process migrated it. Once current, it stays so (a newer build's migrations are not pending for this one).
 */
@Injectable()
export class MigrationService implements OnModuleInit {
  private current = false;
  /** Whether the start-up check or a readiness call found the schema not current (for the line when it becomes so). */
  private reported = false;
  /** The check under way: concurrent readiness calls share it (one query at a time, however many probes). */
  private checking?: Promise<SchemaReadiness>;

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MIGRATE_ON_BOOT) private readonly onBoot: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.onBoot) await this.migrate();
  }

  async migrate(): Promise<MigrationRun> {
    const run = await runMigrations(this.orm, this.config.database.advisoryLockTimeoutMs);
    this.current = true;
    this.logger.info({ applied: run.applied, waited_ms: run.waitedMs }, run.applied.length ? `applied ${run.applied.length} migration(s)` : 'database schema is up to date');
    return run;
  }

  /**
   * The migrations this build has that the database has not applied, read from the migrator's table
   * without writing anything (the migrator's own listing creates its table, which could race a migrate
   * command); all of them when the table does not exist.
   */
  async pending(): Promise<string[]> {
    let applied: Set<string>;
    try {
      const rows = await this.orm.em.getConnection().execute<{ name: string }[]>(`select name from ${this.orm.config.get('migrations').tableName ?? 'mikro_orm_migrations'}`);
      applied = new Set(rows.map((r) => r.name.replace(/\.[jt]s$/, '')));
    } catch (err) {
      // undefined_table: nothing was ever migrated
      if (!(err instanceof TableNotFoundException) && (err as { code?: unknown }).code !== '42P01') throw err;
      applied = new Set();
    }
    return MIGRATIONS.map((m) => m.name).filter((name) => !applied.has(name));
  }

  /** Readiness of the schema: read again on every call until it is current (probes are few; calls at once share one read). */
  readiness(): Promise<SchemaReadiness> {
    if (this.current) return Promise.resolve({ ok: true });
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<SchemaReadiness> {
    const pending = await this.pending();
    if (pending.length) {
      this.reported = true;
      return notCurrent(pending);
    }
    this.current = true;
    if (this.reported) this.logger.info('database schema is current now (migrated by another process): ready');
    return { ok: true };
  }

  /** At start-up: an error line when migrations are pending (a warning when the schema could not be read). */
  async reportAtStart(): Promise<void> {
    try {
      if (this.current) return;
      const pending = await this.pending();
      if (!pending.length) {
        this.current = true;
        return;
      }
      this.reported = true;
      this.logger.error({ pending }, `the database schema is not current: ${pending.length} pending migration(s); /readyz answers 503 until they are applied: ${REMEDY}`);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not read which migrations the database has; /readyz checks again');
    }
  }
}
