import { DynamicModule, Module } from '@nestjs/common';
import { Logger, LoggerModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { MigrationModule } from '@app/migration';
import { PersistenceModule } from '@app/persistence';

/** Just enough of the service to migrate its database: configuration, logging, persistence, migrations. */
@Module({})
export class MigrateModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: MigrateModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        PersistenceModule.forRoot({ clientUrl: config.database.url!, poolMax: 2 }),
        MigrationModule.forRoot({ onBoot: false }),
      ],
    };
  }
}
