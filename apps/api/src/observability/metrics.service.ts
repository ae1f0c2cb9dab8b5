import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@app/config';
import { describeQuery, QUERY_OBSERVER, QueryObserver } from '@app/persistence';
import type { ResponseFlow } from '@app/common';
import { ReconciliationStats } from './reconciliation-stats';

/**
 * The Prometheus registry of one API process (its own registry, so several apps can share a process in
 * tests): HTTP requests, database statements and pool, reconciliation progress, build and process info.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'path' | 'code'>;
  private readonly duration: Histogram<'method' | 'path' | 'code'>;
  private readonly reconciliationStarted: Counter<'resource_type' | 'is_delete'>;
  private readonly mappingErrors: Counter<'resource_type' | 'condition_type'>;
  private pool?: Pool;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(QUERY_OBSERVER) observer: QueryObserver,
    private readonly orm: MikroORM,
    private readonly reconciliation: ReconciliationStats,
  ) {
    const { version, commit } = config.build;
    const registers = [this.registry];
    this.registry.setDefaultLabels({ component: 'api', version });
    collectDefaultMetrics({ register: this.registry, prefix: 'hyperfleet_api_' });
    this.requests = new Counter({ name: 'hyperfleet_api_requests_total', help: 'HTTP requests served, by method, route template and status code', labelNames: ['method', 'path', 'code'], registers });
    this.duration = new Histogram({
      name: 'hyperfleet_api_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code',
      labelNames: ['method', 'path', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({ name: 'hyperfleet_api_build_info', help: 'Build information; always 1', labelNames: ['commit', 'node_version'], registers }).set({ commit, node_version: process.version }, 1);

    const queryDuration = new Histogram({
      name: 'hyperfleet_db_query_duration_seconds',
      help: 'Database statement duration in seconds, by operation and table',
      labelNames: ['operation', 'table'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    const queryErrors = new Counter({ name: 'hyperfleet_db_errors_total', help: 'Database statements that failed, by operation', labelNames: ['operation', 'error_type'], registers });
    observer.subscribe((q) => {
      const { operation, table } = describeQuery(q.sql);
      queryDuration.observe({ operation, table }, q.tookMs / 1000);
      if (q.failed) queryErrors.inc({ operation, error_type: 'statement_failed' });
    });

    const pool = () => this.pool;
    new Gauge({ name: 'hyperfleet_db_connections_open', help: 'Open database connections of this process', registers, collect() { this.set(pool()?.totalCount ?? 0); } });
    new Gauge({ name: 'hyperfleet_db_connections_in_use', help: 'Database connections checked out by requests', registers, collect() { const p = pool(); this.set(p ? p.totalCount - p.idleCount : 0); } });
    new Gauge({ name: 'hyperfleet_db_connections_waiting', help: 'Requests waiting for a database connection', registers, collect() { this.set(pool()?.waitingCount ?? 0); } });

    this.reconciliationStarted = new Counter({
      name: 'hyperfleet_api_reconciliation_started_total',
      help: 'Times a resource\'s Reconciled condition turned False (creation, spec or label change, deletion, adapter reporting not available)',
      labelNames: ['resource_type', 'is_delete'],
      registers,
    });
    this.mappingErrors = new Counter({
      name: 'hyperfleet_api_condition_mapping_errors_total',
      help: 'Evaluations of a CEL condition mapping rule that failed (the mapped condition was written Unknown, reason ConditionMappingError), by kind and condition type',
      labelNames: ['resource_type', 'condition_type'],
      registers,
    });
    const stats = this.reconciliation;
    const gauge = (name: string, help: string, pick: (r: { pending: number; stuck: number; stuckSeconds: number }) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['resource_type', 'is_delete'],
        registers,
        async collect() {
          this.reset();
          for (const row of await stats.current()) this.set({ resource_type: row.resourceType, is_delete: String(row.isDelete) }, pick(row));
        },
      });
    gauge('hyperfleet_api_resource_pending_reconciliation', 'Resources whose Reconciled condition is False', (r) => r.pending);
    gauge('hyperfleet_api_resource_pending_reconciliation_stuck', 'Resources Reconciled=False for longer than metrics.reconciliation_stuck_threshold', (r) => r.stuck);
    gauge('hyperfleet_api_resource_pending_reconciliation_stuck_duration_seconds', 'Longest time a stuck resource has been Reconciled=False', (r) => r.stuckSeconds);
  }

  observe(method: string, path: string, code: number, seconds: number): void {
    const labels = { method, path, code: String(code) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** Counts a transition of Reconciled into False (CONTRACT §5.8 B8). */
  reconciliationStartedFor(kind: string, isDelete: boolean): void {
    this.reconciliationStarted.inc({ resource_type: kind, is_delete: String(isDelete) });
  }

  /** Counts a failed evaluation of a condition mapping rule (CONTRACT D15). */
  conditionMappingFailed(kind: string, conditionType: string): void {
    this.mappingErrors.inc({ resource_type: kind, condition_type: conditionType });
  }

  /** Reports what responses hold for their clients (ResponseFlow): the bytes not yet taken, and the responses cut for a stalled client. */
  watchFlow(flow: ResponseFlow): void {
    const registers = [this.registry];
    new Gauge({ name: 'hyperfleet_api_unsent_response_bytes', help: 'Bytes of responses written and not yet taken by their clients (bounded by server.unsent_bytes_limit)', registers, collect() { this.set(flow.unsent); } });
    new Counter({ name: 'hyperfleet_api_write_timeouts_total', help: 'Responses cut because their client took none of their bytes for server.write_timeout', registers, collect() { this.reset(); this.inc(flow.cut); } });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    this.pool ??= await (this.orm.em.getConnection() as unknown as { getNativeClient(): Promise<Pool> }).getNativeClient().catch(() => undefined);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
