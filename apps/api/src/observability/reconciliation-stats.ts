import { APP_CONFIG, AppConfig, KindRegistry } from '@app/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { AnyQuery, arg, conditionStatus, KIND_REGISTRY, prepare, queryBound, selectKind, SqlBuilder, Statement } from '@app/persistence';

export interface ReconciliationRow {
  /** The kind, lower-cased (the original's gauge label). */
  resourceType: string;
  isDelete: boolean;
  pending: number;
  stuck: number;
  stuckSeconds: number;
}

/** How long one answer serves scrapes: several Prometheus servers do not multiply the load. */
const CACHE_MS = 5_000;

/**
 * Reconciliation progress for the metrics scrape: resources with Reconciled=False (found through the
 * GIN index on their condition statuses), by kind and by deletion; "stuck" ones have been False for
 * longer than the threshold. One statement per refresh, at most one per CACHE_MS.
 */
@Injectable()
export class ReconciliationStats {
  private cached?: { at: number; rows: Promise<ReconciliationRow[]> };
  private readonly statement: Statement<{ threshold: number }>;
  private readonly kindNames: string[];
  private readonly thresholdSeconds: number;

  constructor(
    private readonly em: EntityManager,
    builder: SqlBuilder,
    @Inject(KIND_REGISTRY) kinds: KindRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.thresholdSeconds = config.metrics.reconciliationStuckThresholdMs / 1000;
    const db = builder.db;
    this.kindNames = kinds.all().map((k) => k.kind);
    const since = sql`(select (e.value ->> 'last_transition_time')::timestamptz from jsonb_array_elements(r.conditions) e where e.value ->> 'type' = 'Reconciled')`;
    const pending = kinds
      .all()
      .map((kind) =>
        selectKind(db, kind, 'r')
          .select([sql.lit(kind.kind).as('kind'), sql`r.deleted_time is not null`.as('is_delete'), since.as('since')])
          .where(sql`r.condition_statuses @> array[${sql.lit(conditionStatus('Reconciled', 'False'))}]`),
      )
      .reduce((all: AnyQuery, q: AnyQuery) => all.unionAll(q));
    const stuck = sql`p.since < now() - make_interval(secs => cast(${arg('threshold')} as float8))`;
    this.statement = prepare(
      'reconciliation_stats',
      db
        .selectFrom(pending.as('p'))
        .select([
          'p.kind',
          'p.is_delete',
          sql`count(*)::int`.as('pending'),
          sql`count(*) filter (where ${stuck})::int`.as('stuck'),
          sql`coalesce(max(extract(epoch from now() - p.since)) filter (where ${stuck}), 0)::float8`.as('stuck_seconds'),
        ])
        .groupBy(['p.kind', 'p.is_delete']),
    );
  }

  current(): Promise<ReconciliationRow[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const rows = this.query().catch(() => [] as ReconciliationRow[]);
      this.cached = { at: now, rows };
    }
    return this.cached.rows;
  }

  private async query(): Promise<ReconciliationRow[]> {
    const rows = await queryBound<{ kind: string; is_delete: boolean; pending: number; stuck: number; stuck_seconds: number }>(
      this.em,
      this.statement.sql,
      this.statement.values({ threshold: this.thresholdSeconds }),
      this.statement.name,
    );
    // every combination is reported, so a series drops to 0 instead of disappearing
    const out: ReconciliationRow[] = [];
    for (const kind of this.kindNames)
      for (const isDelete of [false, true]) {
        const r = rows.find((x) => x.kind === kind && x.is_delete === isDelete);
        out.push({ resourceType: kind.toLowerCase(), isDelete, pending: r?.pending ?? 0, stuck: r?.stuck ?? 0, stuckSeconds: r?.stuck_seconds ?? 0 });
      }
    return out;
  }
}
