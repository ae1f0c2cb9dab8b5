import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { numberPlaceholders, preparedStatements } from './native-query';
import { pgDate, resourceView } from './resources/resource-row';
import { AdapterStatus } from './statuses/adapter-status.entity';
import { AdapterCondition, JsonObject, LabelMap, OwnerType, ResourceCondition } from './resource.types';
import type { ResourceEntity } from './resource.entity';

const TABLE: Record<OwnerType, string> = { Cluster: 'clusters', NodePool: 'node_pools' };

/** A resource row as the status path reads it (entity-shaped, not managed; no spec, no audit fields). */
export type ResourceRow = Pick<ResourceEntity, 'id' | 'generation' | 'version' | 'conditions' | 'createdTime' | 'updatedTime' | 'deletedTime'>;

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

/** `labels` → the two arrays `unnest($k::text[], $v::text[])` turns back into rows. */
function labelArrays(labels: LabelMap): [string[], string[]] {
  const entries = Object.entries(labels);
  return [entries.map(([k]) => k), entries.map(([, v]) => v)];
}

/** A locked row with what a change of it needs: its statuses and (from `lockRow`) its labels. */
export interface Locked<T> {
  row: T;
  labels: LabelMap;
  statuses: AdapterStatus[];
}

/** The statement that inserts a resource row with its labels: one statement, so atomic on its own. */
const INSERT_RESOURCE: Record<OwnerType, string> = {
  Cluster: `with r as (insert into clusters (id, name, spec, generation, version, conditions, created_time, updated_time, created_by, updated_by)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id)
    insert into labels (owner_type, owner_id, key, value) select 'Cluster', r.id, l.key, l.value from r, unnest(cast(? as text[]), cast(? as text[])) as l(key, value)`,
  NodePool: `with r as (insert into node_pools (id, name, spec, generation, version, conditions, created_time, updated_time, created_by, updated_by, owner_id)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id)
    insert into labels (owner_type, owner_id, key, value) select 'NodePool', r.id, l.key, l.value from r, unnest(cast(? as text[]), cast(? as text[])) as l(key, value)`,
};

const UPSERT_STATUS = `insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, metadata, created_time, last_report_time)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (owner_type, owner_id, adapter) do update set observed_generation = excluded.observed_generation, conditions = excluded.conditions,
    data = excluded.data, metadata = excluded.metadata, last_report_time = excluded.last_report_time`;

/**
 * The write paths (resource create, PATCH, deletion mark, removal, adapter status reports): one
 * transaction on one pooled connection, named prepared statements (parsed and planned once per
 * connection), plain rows in and out — no entity hydration, identity map or change-set computation,
 * which cost several times more than the statements themselves. Same tables and soft-delete rules as
 * the entities: every read here states `deleted_at is null` itself.
 */
export class WriteStore {
  private constructor(
    private readonly client: PoolClient,
    private readonly log: (sql: string, ctx: Record<string, unknown>) => void,
  ) {}

  /** Runs `work` in a transaction; commits on success, rolls back on any error. */
  static async transaction<T>(em: EntityManager, work: (store: WriteStore) => Promise<T>): Promise<T> {
    const connection = em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
    const pool = await connection.getNativeClient();
    const client = await pool.connect();
    const store = new WriteStore(client, (sql, ctx) => connection.logQuery(sql, ctx));
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

  /**
   * Locks a live resource row (a node pool only under its cluster) for a status report, then reads its
   * statuses; null when there is none. The statuses are read by a statement of their own, after the
   * lock is held: a statement that waited for the lock still reads with the snapshot it started with,
   * so it would miss what the transaction it waited for wrote.
   */
  async lockResource(kind: OwnerType, id: string, clusterId?: string): Promise<Locked<ResourceRow> | null> {
    const cols = 'id, generation, version, conditions, created_time, updated_time, deleted_time';
    const [row] =
      kind === 'Cluster'
        ? await this.run(`select ${cols} from clusters where id = ? and deleted_at is null for update`, [id], 'hf_status_lock_clusters')
        : await this.run(`select ${cols} from node_pools where id = ? and owner_id = ? and deleted_at is null for update`, [id, clusterId], 'hf_status_lock_node_pools');
    if (!row) return null;
    return { row: resourceView<ResourceEntity>(row), labels: {}, statuses: await this.statusesOf(kind, [id]) };
  }

  /**
   * Locks a whole live resource row for a change (a node pool only under its live cluster), then reads
   * its labels and statuses in one statement (after the lock, as in `lockResource`); null when there is none.
   */
  async lockRow<T extends ResourceEntity>(kind: OwnerType, id: string, clusterId?: string): Promise<Locked<T> | null> {
    const [row] =
      kind === 'Cluster'
        ? await this.run('select * from clusters where id = ? and deleted_at is null for update', [id], 'hf_lock_clusters')
        : await this.run(
            'select r.* from node_pools r join clusters o on o.id = r.owner_id and o.deleted_at is null where r.id = ? and r.owner_id = ? and r.deleted_at is null for update of r',
            [id, clusterId],
            'hf_lock_node_pools',
          );
    if (!row) return null;
    const [related] = await this.run<{ labels: LabelMap | null; statuses: Record<string, unknown>[] | null }>(
      `select (select jsonb_object_agg(l.key, l.value) from labels l where l.owner_type = $1 and l.owner_id = $2 and l.deleted_at is null) as labels,
         (select json_agg(s order by s.created_time, s.adapter) from adapter_statuses s where s.owner_type = $1 and s.owner_id = $2 and s.deleted_at is null) as statuses`,
      [kind, id],
      'hf_related',
    );
    return { row: resourceView<T>(row), labels: related.labels ?? {}, statuses: (related.statuses ?? []).map(statusRow) };
  }

  /** Locks the live cluster against being marked or removed while a node pool is created under it; null when there is none. */
  async shareCluster(id: string): Promise<{ deletedTime: Date | null } | null> {
    const [row] = await this.run('select deleted_time from clusters where id = ? and deleted_at is null for share', [id], 'hf_share_cluster');
    return row ? { deletedTime: pgDate(row.deleted_time) } : null;
  }

  /** Locks every live node pool of a cluster (in id order, so concurrent cascades cannot deadlock), then reads their statuses. */
  async lockChildren<T extends ResourceEntity>(clusterId: string): Promise<Locked<T>[]> {
    const rows = await this.run('select * from node_pools where owner_id = ? and deleted_at is null order by id for update', [clusterId], 'hf_lock_children');
    if (rows.length === 0) return [];
    const statuses = await this.statusesOf('NodePool', rows.map((r) => r.id as string));
    return rows.map((r) => ({ row: resourceView<T>(r), labels: {}, statuses: statuses.filter((st) => st.ownerId === r.id) }));
  }

  /** The live statuses of some resources, in list order (CONTRACT D11). */
  private async statusesOf(kind: OwnerType, ids: string[]): Promise<AdapterStatus[]> {
    const rows = await this.run('select * from adapter_statuses where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null order by created_time, adapter', [kind, ids], 'hf_statuses_of');
    return rows.map(statusRow);
  }

  /** Inserts a new resource row and its labels (a taken name fails with SQLSTATE 23505). */
  async insertResource(kind: OwnerType, r: ResourceEntity & { cluster?: { id: string } }, labels: LabelMap): Promise<void> {
    const params: unknown[] = [r.id, r.name, JSON.stringify(r.spec), r.generation, r.version, JSON.stringify(r.conditions), r.createdTime, r.updatedTime, r.createdBy, r.updatedBy];
    if (kind === 'NodePool') params.push(r.cluster!.id);
    await this.run(INSERT_RESOURCE[kind], [...params, ...labelArrays(labels)], `hf_insert_${TABLE[kind]}`);
  }

  /** Writes back what PATCH and the deletion mark change on a locked row. */
  async saveResource(kind: OwnerType, r: ResourceEntity): Promise<void> {
    await this.run(
      `update ${TABLE[kind]} set spec = ?, generation = ?, version = ?, conditions = ?, updated_time = ?, updated_by = ?, deleted_time = ?, deleted_by = ? where id = ?`,
      [JSON.stringify(r.spec), r.generation, r.version, JSON.stringify(r.conditions), r.updatedTime, r.updatedBy, r.deletedTime ?? null, r.deletedBy ?? null, r.id],
      `hf_save_${TABLE[kind]}`,
    );
  }

  /** Replaces the whole label set of one resource (PATCH semantics: `{}` clears it). */
  async replaceLabels(kind: OwnerType, ownerId: string, labels: LabelMap): Promise<void> {
    await this.run('delete from labels where owner_type = ? and owner_id = ?', [kind, ownerId], 'hf_labels_delete');
    await this.run(
      'insert into labels (owner_type, owner_id, key, value) select ?, ?, l.key, l.value from unnest(cast(? as text[]), cast(? as text[])) as l(key, value)',
      [kind, ownerId, ...labelArrays(labels)],
      'hf_labels_insert',
    );
  }

  /**
   * Inserts or replaces one adapter's status (one row per resource and adapter) and, when given, stores
   * the resource's recomputed conditions in the same statement.
   */
  async upsert(s: AdapterStatus, conditions?: ResourceCondition[]): Promise<void> {
    const params = [s.id, s.ownerType, s.ownerId, s.adapter, s.observedGeneration, JSON.stringify(s.conditions), JSON.stringify(s.data ?? {}), s.metadata ? JSON.stringify(s.metadata) : null, s.createdTime, s.lastReportTime];
    if (!conditions) {
      await this.run(UPSERT_STATUS, params, 'hf_status_upsert');
      return;
    }
    const table = TABLE[s.ownerType];
    await this.run(`with s as (${UPSERT_STATUS}) update ${table} set conditions = ? where id = ?`, [...params, JSON.stringify(conditions), s.ownerId], `hf_status_upsert_${table}`);
  }

  /** Node pools of a cluster that are not removed. */
  async childCount(clusterId: string): Promise<number> {
    const [row] = await this.run<{ n: number }>('select count(*)::int as n from node_pools where owner_id = ? and deleted_at is null', [clusterId], 'hf_status_children');
    return row.n;
  }

  /** Removal (CONTRACT D4): the resources, their statuses and labels get deleted_at. */
  async remove(kind: OwnerType, ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.run(`update ${TABLE[kind]} set deleted_at = ?, version = version + 1 where id = any(cast(? as uuid[]))`, [at, ids], `hf_remove_${TABLE[kind]}`);
    await this.run('update adapter_statuses set deleted_at = ? where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null', [at, kind, ids], 'hf_remove_statuses');
    await this.run('update labels set deleted_at = ? where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null', [at, kind, ids], 'hf_remove_labels');
  }
}
