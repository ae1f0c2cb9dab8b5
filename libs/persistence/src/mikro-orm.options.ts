import { UnderscoreNamingStrategy } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { MIGRATIONS } from './migrations';
import { ENTITIES } from './entities';
import { guardPool } from './pg-guard';
import { ExistingDatabaseSchemaGenerator } from './schema-generator';
import { QueryObserver } from './query-observer';
import { requestScope } from './request-scope';
import { softDeleteFilter } from './live-rows';

export interface OrmSettings {
  clientUrl: string;
  poolMax?: number;
  /** Longest wait for a pooled connection (a new one, or a free one when all are in use), ms; default 5000. */
  connectTimeoutMs?: number;
  /** Statement timeout of every query, ms (the per-request database deadline). */
  statementTimeoutMs?: number;
  debug?: boolean;
  /** Where MikroORM's own messages (migrator progress, warnings) go; silent by default. */
  log?: (message: string) => void;
  /** Receives every executed statement (metrics; tests count queries per request with it). */
  observer?: QueryObserver;
}

function sslOption(clientUrl: string): boolean | { rejectUnauthorized: boolean } | undefined {
  const mode = new URL(clientUrl).searchParams.get('sslmode');
  if (!mode || mode === 'disable' || mode === 'allow' || mode === 'prefer') return undefined;
  return mode === 'require' ? { rejectUnauthorized: false } : true;
}

/**
 * The one MikroORM configuration, shared by the API, the migrate app, the CLI and the tests.
 * Migrations are the classes listed in `migrations.ts` (no file globbing at run time).
 */
export function buildOrmOptions(settings: OrmSettings, pools?: NativePools): ReturnType<typeof defineConfig> {
  return defineConfig({
    clientUrl: settings.clientUrl,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    namingStrategy: UnderscoreNamingStrategy,
    // the schema generator that never creates the database (see ExistingDatabaseSchemaGenerator)
    extensions: [Migrator, ExistingDatabaseSchemaGenerator],
    filters: { [softDeleteFilter.name]: softDeleteFilter },
    pool: { min: 0, max: settings.poolMax ?? 10, idleTimeoutMillis: 60_000 },
    driverOptions: {
      // releases connections that die in a transaction, gives driver-side connection failures a SQLSTATE,
      // and cuts a connection whose statement has no answer a second past the statement timeout (pg's
      // own query_timeout is not used: its timer per statement kept every result alive, see guardQuery)
      onPoolCreated: (pool: Pool) => {
        guardPool(pool, { readTimeoutMs: settings.statementTimeoutMs ? settings.statementTimeoutMs + 1_000 : undefined });
        pools?.add(pool);
      },
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 5_000,
      application_name: 'hyperfleet-api',
      ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
      ...(sslOption(settings.clientUrl) !== undefined ? { ssl: sslOption(settings.clientUrl) } : {}),
    },
    debug: settings.debug ?? false,
    colors: false,
    loggerFactory: () => (settings.observer ?? new QueryObserver(settings.log)).logger(),
    allowGlobalContext: false,
    // the request's own entity manager, forked on first use (inside a request; none elsewhere)
    context: (name: string) => requestScope.entityManager(name),
    forceUtcTimezone: true,
    ensureDatabase: false,
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      path: 'migrations',
    },
  });
}

/**
 * The pg pools an ORM created, closed with it. MikroORM's close ends the pool through kysely, and kysely
 * only knows the pool once a statement went through it: the hot paths use the pool directly
 * (`queryBound`, `WriteStore`), so a process that never ran an ORM statement would exit with its
 * connections open.
 */
export class NativePools {
  private readonly pools: Pool[] = [];

  add(pool: Pool): void {
    this.pools.push(pool);
  }

  /** Ends every pool (pool.end is idempotent here, see guardPool) and waits for their connections to close. */
  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.end()));
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** A MikroORM instance on the shared options (tests, the migrate command, scripts). */
export async function initOrm(settings: OrmSettings) {
  const pools = new NativePools();
  const orm = await MikroORM.init(buildOrmOptions(settings, pools));
  const close = orm.close.bind(orm);
  orm.close = async (force?: boolean) => {
    await close(force);
    await pools.close();
  };
  return orm;
}

export type Orm = Awaited<ReturnType<typeof initOrm>>;
