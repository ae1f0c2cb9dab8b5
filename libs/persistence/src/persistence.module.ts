import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { DatabaseHealth } from './database-health';
import { buildOrmOptions, NativePools, OrmSettings } from './mikro-orm.options';
import { RequestScopeMiddleware } from './request-scope';

/**
 * MikroORM for the application, with the shared options (entities, soft-delete filter, migrations), and
 * a request scope around every request whose entity manager is forked on first use (`requestScope`).
 */
@Module({})
export class PersistenceModule implements NestModule {
  static forRoot(settings: OrmSettings): DynamicModule {
    const pools = new NativePools();
    return {
      module: PersistenceModule,
      imports: [MikroOrmModule.forRoot({ ...buildOrmOptions(settings, pools), registerRequestContext: false })],
      // closes the pool when the application closes, whether or not the ORM ever ran a statement on it
      providers: [DatabaseHealth, { provide: NativePools, useValue: pools }],
      exports: [DatabaseHealth],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestScopeMiddleware).forRoutes({ path: '{*all}', method: RequestMethod.ALL });
  }
}
