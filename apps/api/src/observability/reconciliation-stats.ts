import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { conditionStatus } from '@app/persistence';

export interface ReconciliationRow {
  resourceType: string;
  isDelete: boolean;
  pending: number;
  stuck: number;
  stuckSeconds: number;
}

/** How long one answer serves scrapes: several Prometheus servers do not multiply the load. */
const CACHE_MS = 5_000;

// Resources with Reconciled=False (found through the GIN index on their condition statuses), grouped by kind and by
// deletion; "stuck" ones have been False for longer than the threshold. One statement per refresh.
const SQL = `
  with pending as (
    select 'cluster' as resource_type, r.deleted_time is not null as is_delete,
           (select (e.value ->> 'last_transition_time')::timestamptz from jsonb_array_elements(r.conditions) e where e.value ->> 'type' = 'Reconciled') as since
      from clusters r where r.deleted_at is null and r.condition_statuses @> array['${conditionStatus('Reconciled', 'False')}']
    union all
    select 'nodepool', r.deleted_time is not null,
           (select (e.value ->> 'last_transition_time')::timestamptz from jsonb_array_elements(r.conditions) e where e.value ->> 'type' = 'Reconciled')
      from node_pools r where r.deleted_at is null and r.condition_statuses @> array['${conditionStatus('Reconciled', 'False')}']
  )
  select resource_type, is_delete, count(*)::int as pending,
         count(*) filter (where since < now() - make_interval(secs => ?))::int as stuck,
         coalesce(max(extract(epoch from now() - since)) filter (where since < now() - make_interval(secs => ?)), 0)::float8 as stuck_seconds
    from pending group by resource_type, is_delete`;

/** Reconciliation progress for the metrics scrape: at most one query per CACHE_MS. */
@Injectable()
export class ReconciliationStats {
  private cached?: { at: number; rows: Promise<ReconciliationRow[]> };
  private readonly thresholdSeconds: number;

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.thresholdSeconds = config.metrics.reconciliationStuckThresholdMs / 1000;
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
    const rows = await this.orm.em.fork().getConnection().execute<{ resource_type: string; is_delete: boolean; pending: number; stuck: number; stuck_seconds: number }[]>(SQL, [this.thresholdSeconds, this.thresholdSeconds]);
    // every combination is reported, so a series drops to 0 instead of disappearing
    const out: ReconciliationRow[] = [];
    for (const resourceType of ['cluster', 'nodepool'])
      for (const isDelete of [false, true]) {
        const r = rows.find((x) => x.resource_type === resourceType && x.is_delete === isDelete);
        out.push({ resourceType, isDelete, pending: r?.pending ?? 0, stuck: r?.stuck ?? 0, stuckSeconds: r?.stuck_seconds ?? 0 });
      }
    return out;
  }
}
