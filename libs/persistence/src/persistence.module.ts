import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseHealth } from './database-health';
import { buildOrmOptions, OrmSettings } from './mikro-orm.options';

/** MikroORM for the application, with the shared options (entities, soft-delete filter, migrations). */
@Module({})
export class PersistenceModule {
  static forRoot(settings: OrmSettings): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [MikroOrmModule.forRoot({ ...buildOrmOptions(settings), registerRequestContext: true })],
      providers: [DatabaseHealth],
      exports: [DatabaseHealth],
    };
  }
}
