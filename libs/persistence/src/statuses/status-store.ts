import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { numberPlaceholders, preparedStatements } from '../native-query';
import { AdapterStatus } from './adapter-status.entity';
import { AdapterCondition, JsonObject, OwnerType, ResourceCondition } from '../resource.types';
import type { ResourceEntity } from '../resource.entity';

const TABLE: Record<OwnerType, string> = { Cluster: 'clusters', NodePool: 'node_pools' };

/** PostgreSQL's timestamptz text (the pool keeps it raw) → Date. */
export function pgDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(String(value).replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
}

/** A resource row as the status path reads it (entity-shaped, not managed). */
export type ResourceRow = Pick<ResourceEntity, 'id' | 'generation' | 'version' | 'conditions' | 'createdTime' | 'updatedTime' | 'deletedTime'>;

function resourceRow(r: Record<string, unknown>): ResourceRow {
  return {
    id: r.id as string,
    generation: r.generation as number,
    version: r.version as number,
    conditions: r.conditions as ResourceCondition[],
    createdTime: pgDate(r.created_time)!,
    updatedTime: pgDate(r.updated_time)!,
    deletedTime: pgDate(r.deleted_time),
  } as ResourceRow;
}

function statusRow(r: Record<string, unknown>): AdapterStatus {
  return {
    id: r.id as string,
    ownerType: r.owner_type as OwnerType,
    ownerId: r.owner_id as string,
    adapter: r.adapter as string,
    observedGeneration: r.observed_generation as number,
    conditions: r.conditions as AdapterCondition[],
    data: (r.data ?? {}) as JsonObject,
    metadata: (r.metadata ?? null) as JsonObject | null,
    createdTime: pgDate(r.created_time)!,
    lastReportTime: pgDate(r.last_report_time)!,
    deletedAt: pgDate(r.deleted_at),
  } as AdapterStatus;
}

/**
 * The adapter status report path, the busiest write of the service (adapters report on every event):
 * one transaction on one pooled connection, a handful of prepared statements, no entity hydration or
 * change tracking. Same tables, same soft-delete rules as the entities.
 */
export class StatusStore {
  private constructor(
    private readonly client: PoolClient,
    private readonly log: (sql: string, ctx: Record<string, unknown>) => void,
  ) {}

  /** Runs `work` in a transaction; commits on success, rolls back on any error. */
  static async transaction<T>(em: EntityManager, work: (store: StatusStore) => Promise<T>): Promise<T> {
    const connection = em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
    const pool = await connection.getNativeClient();
    const client = await pool.connect();
    const store = new StatusStore(client, (sql, ctx) => connection.logQuery(sql, ctx));
    let broken = false;
    try {
      await store.run('begin', []);
      const result = await work(store);
      await store.run('commit', []);
      return result;
    } catch (err) {
      await store.run('rollback', []).catch(() => (broken = true));
      throw err;
    } finally {
      // a connection whose transaction could not be closed cleanly is not reused
      client.release(broken ? true : undefined);
    }
  }

  private async run<R extends QueryResultRow>(sql: string, params: unknown[], name?: string): Promise<R[]> {
    const text = numberPlaceholders(sql);
    const started = Date.now();
    try {
      const res = await this.client.query<R>(name && preparedStatements.enabled ? { name, text, values: params } : { text, values: params });
      this.log(text, { took: Date.now() - started, results: res.rowCount ?? 0, bound: params });
      return res.rows;
    } catch (err) {
      this.log(text, { took: Date.now() - started, level: 'error', bound: params });
      throw err;
    }
  }

  /** Locks a live resource row (a node pool only under its cluster); null when there is none. */
  async lockResource(kind: OwnerType, id: string, clusterId?: string): Promise<ResourceRow | null> {
    const cols = 'id, generation, version, conditions, created_time, updated_time, deleted_time';
    const [row] =
      kind === 'Cluster'
        ? await this.run(`select ${cols} from clusters where id = ? and deleted_at is null for update`, [id], 'hf_status_lock_clusters')
        : await this.run(`select ${cols} from node_pools where id = ? and owner_id = ? and deleted_at is null for update`, [id, clusterId], 'hf_status_lock_node_pools');
    return row ? resourceRow(row) : null;
  }

  /** Every live status of a resource. */
  async statuses(kind: OwnerType, ownerId: string): Promise<AdapterStatus[]> {
    const rows = await this.run('select * from adapter_statuses where owner_type = ? and owner_id = ? and deleted_at is null order by created_time, adapter', [kind, ownerId], 'hf_status_list');
    return rows.map(statusRow);
  }

  /** Inserts or replaces one adapter's status (one row per resource and adapter). */
  async upsert(s: AdapterStatus): Promise<void> {
    await this.run(
      `insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, metadata, created_time, last_report_time)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (owner_type, owner_id, adapter) do update set observed_generation = excluded.observed_generation, conditions = excluded.conditions,
         data = excluded.data, metadata = excluded.metadata, last_report_time = excluded.last_report_time`,
      [s.id, s.ownerType, s.ownerId, s.adapter, s.observedGeneration, JSON.stringify(s.conditions), JSON.stringify(s.data ?? {}), s.metadata ? JSON.stringify(s.metadata) : null, s.createdTime, s.lastReportTime],
      'hf_status_upsert',
    );
  }

  /** Stores a resource's recomputed conditions. */
  async saveConditions(kind: OwnerType, id: string, conditions: ResourceCondition[]): Promise<void> {
    await this.run(`update ${TABLE[kind]} set conditions = ? where id = ?`, [JSON.stringify(conditions), id], `hf_status_conditions_${TABLE[kind]}`);
  }

  /** Node pools of a cluster that are not removed. */
  async childCount(clusterId: string): Promise<number> {
    const [row] = await this.run<{ n: number }>('select count(*)::int as n from node_pools where owner_id = ? and deleted_at is null', [clusterId], 'hf_status_children');
    return row.n;
  }

  /** Removal (CONTRACT D4): the resource, its statuses and labels get deleted_at. */
  async remove(kind: OwnerType, id: string, at: Date): Promise<void> {
    await this.run(`update ${TABLE[kind]} set deleted_at = ?, version = version + 1 where id = ?`, [at, id]);
    await this.run('update adapter_statuses set deleted_at = ? where owner_type = ? and owner_id = ? and deleted_at is null', [at, kind, id]);
    await this.run('update labels set deleted_at = ? where owner_type = ? and owner_id = ? and deleted_at is null', [at, kind, id]);
  }
}
