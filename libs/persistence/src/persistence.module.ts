import type { KindRegistry } from '@app/config';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { DatabaseHealth } from './database-health';
import { buildOrmOptions, NativePools, OrmSettings } from './mikro-orm.options';
import { RequestScopeMiddleware } from './request-scope';
import { ResourcePages } from './resources/resource-pages';
import { ResourceStore } from './resources/resource.store';
import { KIND_REGISTRY, LIST_LIMITS, ListLimits, SqlBuilder } from './sql/sql-builder';
import { AdapterStatusRepository } from './statuses/adapter-status.repository';
import { WriteSessions } from './write-session';

/**
 * MikroORM for the application, with the shared options (entities, soft-delete filter, migrations), a
 * request scope around every request whose entity manager is forked on first use (`requestScope`), and
 * the stores of the kinds `serving` names (their statements built once, here), for every module.
 */
@Module({})
export class PersistenceModule implements NestModule {
  static forRoot(settings: OrmSettings, serving?: { kinds: KindRegistry; lists: { batchBytes: number } }): DynamicModule {
    const pools = new NativePools();
    // without kinds (the migrate command): the ORM alone
    const stores = serving ? [SqlBuilder, ResourceStore, ResourcePages, WriteSessions, AdapterStatusRepository] : [];
    return {
      module: PersistenceModule,
      global: true,
      imports: [MikroOrmModule.forRoot({ ...buildOrmOptions(settings, pools), registerRequestContext: false })],
      // NativePools closes the pool when the application closes, whether or not the ORM ever ran a statement on it
      providers: [
        DatabaseHealth,
        { provide: NativePools, useValue: pools },
        ...(serving ? [{ provide: KIND_REGISTRY, useValue: serving.kinds }, { provide: LIST_LIMITS, useValue: { batchBytes: serving.lists.batchBytes, lane: Math.max(1, Math.floor((settings.poolMax ?? 10) / 4)) } satisfies ListLimits }] : []),
        ...stores,
      ],
      exports: [DatabaseHealth, ...(serving ? [KIND_REGISTRY] : []), ...stores],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestScopeMiddleware).forRoutes({ path: '{*all}', method: RequestMethod.ALL });
  }
}
