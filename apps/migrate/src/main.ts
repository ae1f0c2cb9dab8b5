import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { createLogger, NestPinoLogger } from '@app/common';
import { AppConfig, ConfigError, loadConfig, withDatabaseUrl } from '@app/config';
import { MigrationService } from '@app/migration';
import { EmbeddedDatabase, EmbeddedDatabaseError, startEmbeddedPostgres } from '@app/persistence';
import { MigrateModule } from './migrate.module';

const USAGE = 'usage: migrate [up|pending]   (default: up)';

/**
 * `nest start migrate` / `npm run migrate`: applies pending migrations under the advisory lock and
 * exits 0, or exits 1 with the reason. `pending` lists what `up` would apply.
 */
async function main(): Promise<number> {
  const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'up';
  if (command !== 'up' && command !== 'pending') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: err.message, problems: err.problems })}\n`);
    return 1;
  }
  const logger = createLogger(config.logging.level);
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
        const pending = await ctx.get(MikroORM).migrator.getPending();
        logger.info({ pending: pending.map((m) => m.name) }, `${pending.length} pending migration(s)`);
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
