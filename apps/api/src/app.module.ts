import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule, Logger } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { MigrationModule } from '@app/migration';
import { PersistenceModule } from '@app/persistence';
import { ClustersModule } from './clusters/clusters.module';
import { MetaModule } from './meta/meta.module';
import { NodePoolsModule } from './node-pools/node-pools.module';
import { ObservabilityModule } from './observability/observability.module';
import { StatusesModule } from './statuses/statuses.module';

/** Hooks for tests and tools. */
export interface AppOptions {
  /** Called with every SQL statement the application runs. */
  onQuery?: (sql: string) => void;
}

/** The API: configuration, logging, persistence, migrations at boot (when configured), features. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, options: AppOptions = {}): DynamicModule {
    if (!config.database.url) throw new Error('AppModule needs a database URL (start the embedded database first)');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        PersistenceModule.forRoot({ clientUrl: config.database.url, poolMax: config.database.maxOpenConnections, statementTimeoutMs: config.database.requestTimeoutMs, log: (m) => logger.debug({ source: 'mikro-orm' }, m), onQuery: options.onQuery }),
        MigrationModule.forRoot({ onBoot: config.database.migrateOnBoot }),
        ObservabilityModule,
        MetaModule,
        ClustersModule,
        NodePoolsModule,
        StatusesModule,
      ],
    };
  }
}
