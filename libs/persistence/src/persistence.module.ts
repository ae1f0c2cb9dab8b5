import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseHealth } from './database-health';
import { buildOrmOptions, NativePools, OrmSettings } from './mikro-orm.options';

/** MikroORM for the application, with the shared options (entities, soft-delete filter, migrations). */
@Module({})
export class PersistenceModule {
  static forRoot(settings: OrmSettings): DynamicModule {
    const pools = new NativePools();
    return {
      module: PersistenceModule,
      imports: [MikroOrmModule.forRoot({ ...buildOrmOptions(settings, pools), registerRequestContext: true })],
      // closes the pool when the application closes, whether or not the ORM ever ran a statement on it
      providers: [DatabaseHealth, { provide: NativePools, useValue: pools }],
      exports: [DatabaseHealth],
    };
  }
}
