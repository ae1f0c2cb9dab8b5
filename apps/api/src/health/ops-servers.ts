import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DatabaseHealth, PingResult } from '@app/persistence';
import type { MetricsService } from '../observability/metrics.service';
import { listen } from './listen';

type Readiness = 'starting' | 'ready' | 'shutting_down';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Checks /healthz and /readyz add to their own: liveness of what the process runs, readiness of what it needs. */
export interface OpsChecks {
  /** Fails when the process cannot recover by itself (the embedded database could not be restarted). */
  liveness?: () => PingResult;
  /** Asked once the database answers: fails while the schema lacks migrations (MigrationService.readiness). */
  schema?: () => Promise<PingResult>;
}

/**
 * The health listener (`/healthz`, `/readyz`) and the metrics listener (`/metrics`), each on its own
 * port, outside the API's middleware so that probes and scrapes never queue behind API traffic.
 */
export class OpsServers {
  private state: Readiness = 'starting';
  private readonly health: Server;
  private readonly metricsServer: Server;
  healthPort = 0;
  metricsPort = 0;

  constructor(
    private readonly db: DatabaseHealth,
    private readonly metrics: MetricsService,
    private readonly pingTimeoutMs: number,
    private readonly checks: OpsChecks = {},
  ) {
    this.health = createServer((req, res) => void this.onHealth(req, res));
    this.metricsServer = createServer((req, res) => void this.onMetrics(req, res));
    this.health.keepAliveTimeout = 1000;
    this.metricsServer.keepAliveTimeout = 1000;
  }

  async listen(health: { host: string; port: number }, metrics: { host: string; port: number }): Promise<void> {
    this.healthPort = await listen(this.health, health.host, health.port, { what: 'health', hostKey: 'HYPERFLEET_HEALTH_HOST', portKey: 'HYPERFLEET_HEALTH_PORT' });
    this.metricsPort = await listen(this.metricsServer, metrics.host, metrics.port, { what: 'metrics', hostKey: 'HYPERFLEET_METRICS_HOST', portKey: 'HYPERFLEET_METRICS_PORT' });
  }

  /** All listeners are up: /readyz may answer 200 (when the database answers too). */
  markReady(): void {
    if (this.state === 'starting') this.state = 'ready';
  }

  /** First step of shutdown: load balancers stop sending new traffic. */
  markShuttingDown(): void {
    this.state = 'shutting_down';
  }

  get shuttingDown(): boolean {
    return this.state === 'shutting_down';
  }

  async close(): Promise<void> {
    const closeOne = (s: Server) =>
      new Promise<void>((resolve) => {
        if (!s.listening) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      });
    await Promise.all([closeOne(this.health), closeOne(this.metricsServer)]);
  }

  private async onHealth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { status: 'error', reason: 'method not allowed' });
    if (path === '/healthz') {
      const live = this.checks.liveness?.() ?? { ok: true };
      return live.ok ? json(res, 200, { status: 'ok' }) : json(res, 503, { status: 'error', reason: live.reason });
    }
    if (path !== '/readyz') return json(res, 404, { status: 'error', reason: 'not found' });
    if (this.state === 'shutting_down') return json(res, 503, { status: 'shutting_down', reason: 'Application is shutting down' });
    if (this.state === 'starting') return json(res, 503, { status: 'not_ready', reason: 'Application is not ready' });
    const ping = await this.db.ping(this.pingTimeoutMs);
    if (!ping.ok) return json(res, 503, { status: 'not_ready', reason: ping.reason });
    const schema: PingResult = this.checks.schema ? await this.checks.schema().catch((): PingResult => ({ ok: false, reason: 'database unavailable' })) : { ok: true };
    if (!schema.ok) return json(res, 503, { status: 'not_ready', reason: schema.reason });
    return json(res, 200, { status: 'ok' });
  }

  private async onMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (path !== '/metrics') return json(res, 404, { status: 'error', reason: 'not found' });
    try {
      const { contentType, body } = await this.metrics.render();
      res.writeHead(200, { 'Content-Type': contentType });
      res.end(body);
    } catch {
      json(res, 500, { status: 'error', reason: 'metrics unavailable' });
    }
  }
}
