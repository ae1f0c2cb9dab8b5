import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, Logger, resolveLogFormat } from '@app/common';
import { AppConfig, ConfigError, loadConfig, maskUrl, withDatabaseUrl } from '@app/config';
import { DatabaseHealth, EmbeddedDatabase, startEmbeddedPostgres } from '@app/persistence';
import { createApp } from './bootstrap';
import { OpsServers } from './health/ops-servers';
import { announceListening } from './meta/listening';
import { MetricsService } from './observability/metrics.service';
import { startTracing } from './observability/tracing';
import { version } from '../../../package.json';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, process.argv, { version });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: err.message, problems: err.problems })}\n`);
    process.exit(1);
  }
  const logFormat = resolveLogFormat(config.logging.format);
  const logger = createLogger(config.logging.level, undefined, logFormat);

  let embedded: EmbeddedDatabase | undefined;
  if (config.database.embedded) {
    logger.info({ data_dir: config.database.dataDir }, 'no database configured (HYPERFLEET_DATABASE_URL / HYPERFLEET_DATABASE_*): starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, persistent: true, log: (m) => logger.debug({ source: 'postgres' }, m) });
    config = withDatabaseUrl(config, embedded.url);
    logger.info({ data_dir: config.database.dataDir, url: maskUrl(embedded.url) }, `embedded PostgreSQL ready; data kept in ${config.database.dataDir}`);
  }

  const shutdown = new Shutdown(logger, config.health.shutdownTimeoutMs);
  shutdown.add('embedded database', async () => embedded?.stop());
  // before the application exists, so every request is traced; flushed after the application closed
  const tracing = startTracing(config, logger);
  shutdown.add('tracing', async () => tracing?.shutdown());
  process.on('SIGTERM', () => void shutdown.run('SIGTERM'));
  process.on('SIGINT', () => void shutdown.run('SIGINT'));

  try {
    const app = await createApp(config, logger, { tracing });
    const ops = new OpsServers(app.get(DatabaseHealth), app.get(MetricsService), config.health.dbPingTimeoutMs);
    shutdown.first(ops, app.getHttpServer());
    shutdown.add('application', () => app.close());
    shutdown.add('health and metrics listeners', () => ops.close());
    await ops.listen(config.health, config.metrics);
    await app.listen(config.server.port, config.server.host);
    const apiPort = (app.getHttpServer().address() as AddressInfo).port;
    ops.markReady();
    announceListening(logger, logFormat, config, { api: apiPort, health: ops.healthPort, metrics: ops.metricsPort });
    // the start-up lines at once, not with the next batch
    logger.flush();
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await shutdown.run('start-up failure', 1);
  }
}

/**
 * Graceful shutdown (CONTRACT §4.1): readiness turns 503 first, the API stops accepting connections and
 * lets in-flight requests finish (bounded by health.shutdown_timeout), then the application, the
 * listeners and the embedded database close in order, and the process exits 0.
 */
class Shutdown {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private ops?: OpsServers;
  private server?: Server;
  private started = false;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  first(ops: OpsServers, server: Server): void {
    this.ops = ops;
    this.server = server;
  }

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.unshift({ name, run });
  }

  async run(reason: string, exitCode = 0): Promise<void> {
    if (this.started) {
      this.logger.warn({ reason }, 'second signal: exiting now');
      process.exit(1);
    }
    this.started = true;
    this.logger.info({ reason }, 'shutting down: readiness is now 503, finishing in-flight requests');
    this.logger.flush();
    this.ops?.markShuttingDown();
    if (this.server?.listening) await this.drain(this.server);
    for (const step of this.steps) {
      try {
        await step.run();
      } catch (err) {
        this.logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    this.logger.info('shutdown complete');
    this.logger.flush();
    process.exitCode = exitCode;
    setImmediate(() => process.exit(exitCode));
  }

  private async drain(server: Server): Promise<void> {
    // keep-alive clients get `Connection: close` on their next response and are then let go
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.timeoutMs)));
    const result = await Promise.race([closed, timeout]);
    clearInterval(idle);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.logger.warn({ timeout_ms: this.timeoutMs }, 'in-flight requests did not finish in time; closing their connections');
      server.closeAllConnections();
    }
  }
}

void main();
