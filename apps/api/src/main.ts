import 'reflect-metadata';
import type { Server } from 'node:http';
import { createLogger, Logger, resolveLogFormat } from '@app/common';
import { AppConfig, ConfigError, loadConfig, maskUrl, withDatabaseUrl } from '@app/config';
import { MigrationService } from '@app/migration';
import { DatabaseHealth, EmbeddedDatabase, EmbeddedDatabaseError, EmbeddedEvent, startEmbeddedPostgres } from '@app/persistence';
import { createApp } from './bootstrap';
import { listen, ListenError } from './health/listen';
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
    try {
      embedded = await startEmbeddedPostgres({
        dataDir: config.database.dataDir,
        persistent: true,
        log: (m) => logger.debug({ source: 'postgres' }, m),
        supervise: (event) => logEmbeddedEvent(logger, event),
      });
    } catch (err) {
      return startupFailed(logger, err);
    }
    config = withDatabaseUrl(config, embedded.url);
    logger.info({ data_dir: config.database.dataDir, url: maskUrl(embedded.url), pid: embedded.pid }, `embedded PostgreSQL ready; data kept in ${config.database.dataDir}`);
  }

  const shutdown = new Shutdown(logger, config.health.shutdownTimeoutMs);
  // a server that exits once shutdown began (Ctrl-C reaches it too) is not restarted
  shutdown.onBegin(() => embedded?.endSupervision());
  shutdown.add('embedded database', async () => embedded?.stop());
  // before the application exists, so every request is traced; flushed after the application closed
  const tracing = startTracing(config, logger);
  shutdown.add('tracing', async () => tracing?.shutdown());
  process.on('SIGTERM', () => void shutdown.run('SIGTERM'));
  process.on('SIGINT', () => void shutdown.run('SIGINT'));

  try {
    const app = await createApp(config, logger, { tracing });
    const migrations = app.get(MigrationService);
    // an unmigrated database is said at start-up and by /readyz, not only by 500s; not awaited: a database
    // that does not answer yet must not hold up the start (readiness asks again)
    void migrations.reportAtStart();
    const ops = new OpsServers(app.get(DatabaseHealth), app.get(MetricsService), config.health.dbPingTimeoutMs, {
      liveness: embedded && (() => embedded.liveness()),
      schema: () => migrations.readiness(),
    });
    shutdown.first(ops, app.getHttpServer());
    shutdown.add('application', () => app.close());
    shutdown.add('health and metrics listeners', () => ops.close());
    await ops.listen(config.health, config.metrics);
    const apiPort = await listen(app.getHttpServer(), config.server.host, config.server.port, { what: 'API', hostKey: 'HYPERFLEET_SERVER_HOST', portKey: 'HYPERFLEET_SERVER_PORT' });
    ops.markReady();
    announceListening(logger, logFormat, config, { api: apiPort, health: ops.healthPort, metrics: ops.metricsPort });
    // the start-up lines at once, not with the next batch
    logger.flush();
  } catch (err) {
    startupFailed(logger, err, false);
    await shutdown.run('start-up failure', 1);
  }
}

/**
 * A start-up failure: the reason in one line. Failures the operator fixes by a setting (a port in use, a
 * data directory held by another process) are stated without a stack trace; anything else keeps it.
 */
function startupFailed(logger: Logger, err: unknown, exit = true): void {
  if (err instanceof ListenError || err instanceof EmbeddedDatabaseError) logger.fatal(`start-up failed: ${err.message}`);
  else logger.fatal({ err }, 'start-up failed');
  logger.flush();
  if (exit) process.exit(1);
}

/** One log line per step of the embedded database's supervision (EmbeddedOptions.supervise). */
function logEmbeddedEvent(logger: Logger, event: EmbeddedEvent): void {
  switch (event.kind) {
    case 'exited':
      logger.error({ pid: event.pid, code: event.code, signal: event.signal }, `embedded PostgreSQL (PID ${event.pid}) exited unexpectedly (${event.signal ? `signal ${event.signal}` : `exit code ${event.code}`}); requests are answered 503 until it is restarted`);
      break;
    case 'restarting':
      logger.warn({ attempt: event.attempt, delay_ms: event.delayMs }, `restarting the embedded PostgreSQL in ${event.delayMs} ms (attempt ${event.attempt})`);
      break;
    case 'restarted':
      logger.info(
        { attempt: event.attempt, down_ms: event.downMs, pid: event.pid, crash_recovery: event.recovered },
        `embedded PostgreSQL restarted (PID ${event.pid}${event.recovered ? ', crash recovery done' : ''}) after ${event.attempt} attempt(s), ${event.downMs} ms down`,
      );
      logger.flush();
      break;
    case 'restart_failed':
      logger.error(
        { attempt: event.attempt, consecutive_failures: event.consecutiveFailures, reason: event.error },
        `embedded PostgreSQL restart attempt ${event.attempt} failed: ${event.error}` +
          (event.livenessFailed ? `; /healthz answers 503 from now on (${event.consecutiveFailures} failures in a row), so that an orchestrator restarts the process; attempts go on` : ''),
      );
      break;
  }
}

/**
 * Graceful shutdown (CONTRACT §4.1): readiness turns 503 first, the API stops accepting connections and
 * lets in-flight requests finish (bounded by health.shutdown_timeout), then the application, the
 * listeners and the embedded database close in order, and the process exits 0.
 */
/** Beyond health.shutdown_timeout, how long the shutdown steps may take before the process exits anyway. */
const WATCHDOG_MS = 30_000;
/** A signal within this long of the first is the same interrupt delivered twice, not a request to hurry. */
const REPEAT_WINDOW_MS = 1_000;

class Shutdown {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private readonly beginning: (() => void)[] = [];
  private ops?: OpsServers;
  private server?: Server;
  private started = false;
  private startedAt = 0;

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

  /** Runs first, synchronously, when shutdown begins. */
  onBegin(run: () => void): void {
    this.beginning.push(run);
  }

  async run(reason: string, exitCode = 0): Promise<void> {
    if (this.started) {
      // one interrupt often arrives twice: sent to the process group (Ctrl-C, `kill -- -pgid`) and
      // forwarded by `npm start` to its child; only a signal sent again later asks to exit at once
      if (Date.now() - this.startedAt < REPEAT_WINDOW_MS) return;
      this.logger.warn({ reason }, 'second signal: exiting now');
      process.exit(1);
    }
    this.started = true;
    this.startedAt = Date.now();
    for (const run of this.beginning) run();
    this.logger.info({ reason }, 'shutting down: readiness is now 503, finishing in-flight requests');
    this.logger.flush();
    // a step that never settles must not keep the process from exiting: the in-flight wait, then the
    // steps (the embedded database alone may take 20 s to stop), then out
    const watchdog = setTimeout(() => {
      this.logger.error({ waited_ms: this.timeoutMs + WATCHDOG_MS }, 'shutdown did not complete in time; exiting');
      this.logger.flush();
      process.exit(1);
    }, this.timeoutMs + WATCHDOG_MS);
    this.ops?.markShuttingDown();
    if (this.server?.listening) await this.drain(this.server);
    for (const step of this.steps) {
      try {
        await step.run();
      } catch (err) {
        this.logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(watchdog);
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

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', error: String((err as Error)?.stack ?? err) })}\n`);
  process.exit(1);
});
