import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { createLogger, NestPinoLogger, resolveLogFormat } from '@app/common';
import { AppConfig, ConfigError, loadConfig, withDatabaseUrl } from '@app/config';
import { MigrationService } from '@app/migration';
import { EmbeddedDatabase, EmbeddedDatabaseError, startEmbeddedPostgres } from '@app/persistence';
import { MIGRATE_USAGE, parseMigrateArgs } from './migrate-args';
import { MigrateModule } from './migrate.module';
import { pendingMigrations } from './pending-migrations';

/**
 * `npm run migrate` (or `nest start migrate`, or the built `main.js`): applies pending migrations under the
 * advisory lock and exits 0, or exits 1 with the reason. `pending` lists what `up` would apply; `--help`,
 * `-h` and anything unknown print the usage and change nothing (exit 0 for help, 2 otherwise).
 */
async function main(): Promise<number> {
  const args = parseMigrateArgs(process.argv.slice(2));
  if (args.command === 'help') {
    process.stdout.write(`${MIGRATE_USAGE}\n`);
    return 0;
  }
  if (args.command === 'invalid') {
    process.stderr.write(`migrate: ${args.problem}\n${MIGRATE_USAGE}\n`);
    return 2;
  }
  const command = args.command;
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: err.message, problems: err.problems })}\n`);
    return 1;
  }
  const logger = createLogger(config.logging.level, undefined, resolveLogFormat(config.logging.format));
  let embedded: EmbeddedDatabase | undefined;
  try {
    if (config.database.embedded) {
      embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, persistent: true });
      config = withDatabaseUrl(config, embedded.url);
      logger.info({ data_dir: config.database.dataDir }, 'no database configured: using the embedded PostgreSQL');
    }
    const ctx = await NestFactory.createApplicationContext(MigrateModule.forRoot(config, logger), { logger: new NestPinoLogger(logger), abortOnError: false });
    try {
      if (command === 'pending') {
        const pending = await pendingMigrations(ctx.get(MikroORM));
        logger.info({ pending }, `${pending.length} pending migration(s)${pending.length ? `: ${pending.join(', ')}` : ''}`);
      } else {
        await ctx.get(MigrationService).migrate();
      }
    } finally {
      await ctx.close();
    }
    return 0;
  } catch (err) {
    // a data directory held by a running API needs its reason, not a stack trace
    if (err instanceof EmbeddedDatabaseError) logger.fatal(`migration failed: ${err.message}`);
    else logger.fatal({ err, reason: err instanceof Error ? err.message : String(err) }, 'migration failed');
    return 1;
  } finally {
    await embedded?.stop();
    logger.flush();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
