import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LOGGER, Logger } from '@app/common';
import { MigrationRun, runMigrations } from './run-migrations';

export const MIGRATE_ON_BOOT = Symbol('MIGRATE_ON_BOOT');

/** Applies pending migrations under the advisory lock; at boot when configured to. */
@Injectable()
export class MigrationService implements OnModuleInit {
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
    this.logger.info({ applied: run.applied, waited_ms: run.waitedMs }, run.applied.length ? `applied ${run.applied.length} migration(s)` : 'database schema is up to date');
    return run;
  }
}
