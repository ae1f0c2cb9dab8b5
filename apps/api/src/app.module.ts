import { DynamicModule, Module } from '@nestjs/common';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { LoggerModule, Logger } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { MigrationModule } from '@app/migration';
import { PersistenceModule, preparedStatements, QUERY_OBSERVER, QueryObserver } from '@app/persistence';
import { AuthModule } from './auth/auth.module';
import { ClustersModule } from './clusters/clusters.module';
import { MetaModule } from './meta/meta.module';
import { NodePoolsModule } from './node-pools/node-pools.module';
import { ObservabilityModule } from './observability/observability.module';
import { DatabaseTracing, TRACING, TracingHandle } from './observability/tracing';
import { ResourcesModule } from './resources/resources.module';
import { StatusesModule } from './statuses/statuses.module';

/** Hooks for tests and tools. */
export interface AppOptions {
  /** Called with every SQL statement the application runs (and its bound parameters, if any). */
  onQuery?: (sql: string, params?: readonly unknown[]) => void;
  /** Tracing already started by the caller (main.ts); without it createApp starts tracing itself when enabled. */
  tracing?: TracingHandle;
  /** Tests: spans go to this exporter one by one (e.g. InMemorySpanExporter) instead of OTLP/HTTP. */
  spanExporter?: SpanExporter;
}

/** The API: configuration, logging, persistence, migrations at boot (when configured), features. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, options: AppOptions = {}): DynamicModule {
    if (!config.database.url) throw new Error('AppModule needs a database URL (start the embedded database first)');
    preparedStatements.enabled = config.database.preparedStatements;
    const observer = new QueryObserver((m) => logger.debug({ source: 'mikro-orm' }, m));
    if (options.onQuery) observer.subscribe((q) => options.onQuery!(q.sql, q.params));
    return {
      module: AppModule,
      providers: [{ provide: QUERY_OBSERVER, useValue: observer }, ...(options.tracing ? [{ provide: TRACING, useValue: options.tracing }, DatabaseTracing] : [])],
      exports: [QUERY_OBSERVER],
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        PersistenceModule.forRoot({ clientUrl: config.database.url, poolMax: config.database.maxOpenConnections, statementTimeoutMs: config.database.requestTimeoutMs, observer }, { kinds: config.kinds, lists: config.lists }),
        MigrationModule.forRoot({ onBoot: config.database.migrateOnBoot }),
        ObservabilityModule,
        AuthModule,
        MetaModule,
        ClustersModule.forRoot(config.kinds),
        NodePoolsModule.forRoot(config.kinds),
        ResourcesModule.forRoot(config.kinds),
        StatusesModule.forRoot(config.kinds),
      ],
    };
  }
}
