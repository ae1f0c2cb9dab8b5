import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { isConnectionLost } from './db-errors';
import { numberPlaceholders, preparedStatements } from './native-query';
import { pgDate, resourceView } from './resources/resource-row';
import { AdapterStatus } from './statuses/adapter-status.entity';
import { AdapterCondition, conditionStatuses, JsonObject, LabelMap, OwnerType, ResourceCondition } from './resource.types';
import type { ResourceEntity } from './resource.entity';

const TABLE: Record<OwnerType, string> = { Cluster: 'clusters', NodePool: 'node_pools' };

/** A statement prepared once per connection under its name. */
interface Statement {
  name: string;
  sql: string;
}

/**
 * A statement for each kind, built once: `<name>_<table>` and the text `sql` writes for the kind. The
 * same text object on every call, so its numbering (`numberPlaceholders`) and its metric labels are found
 * by a hash V8 has already computed, instead of a template of 1–2 KB rebuilt and hashed per statement.
 */
function perKind(name: string, sql: (kind: OwnerType, table: string) => string): Record<OwnerType, Statement> {
  return {
    Cluster: { name: `${name}_${TABLE.Cluster}`, sql: sql('Cluster', TABLE.Cluster) },
    NodePool: { name: `${name}_${TABLE.NodePool}`, sql: sql('NodePool', TABLE.NodePool) },
  };
}

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

/** Thrown inside an optimistic run when it has to end: another write came first, or locks are needed. */
const CONTENDED = Symbol('write contended');

/**
 * The wire JSON text of the label set given as two parameters (keys, values): `{"key":"value",…}`, keys
 * in order; SQL null for no labels. Stored on the resource row (`rendered_labels`) by the statement that
 * writes the labels, so that reads send it as it is.
 */
const RENDERED_LABELS = `(select '{' || string_agg(to_json(x.key)::text || ':' || to_json(x.value)::text, ',' order by x.key) || '}' from unnest(cast(? as text[]), cast(? as text[])) as x(key, value))`;

/** The statement that inserts a resource row with its labels (and their rendering): one statement, so atomic on its own. */
const INSERT_RESOURCE = perKind('hf_insert', (kind, table) => {
  const owner = kind === 'NodePool';
  return `with r as (insert into ${table} (id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by${owner ? ', owner_id' : ''}, rendered_labels)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?${owner ? ', ?' : ''}, ${RENDERED_LABELS}) returning id)
    insert into labels (owner_type, owner_id, key, value) select '${kind}', r.id, x.key, x.value from r, unnest(cast(? as text[]), cast(? as text[])) as x(key, value)`;
});

/**
 * Stores one adapter's status (one row per resource and adapter) and touches its resource row in the
 * same statement: the new conditions (and their statuses) when given, else an update that only gives the row a new version
 * (xmin), so that every status write is visible to the revision check of a concurrent optimistic writer.
 * With a revision, nothing is written unless the row is still at that version.
 */
const UPSERT_STATUS = perKind('hf_status_upsert', (_kind, table) => `with r as (
    update ${table} set conditions = coalesce(cast(? as jsonb), conditions), condition_statuses = coalesce(cast(? as text[]), condition_statuses) where id = ? and (cast(? as text) is null or xmin = cast(cast(? as text) as xid)) returning id)
  insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, metadata, created_time, last_report_time)
  select cast(? as uuid), ?, r.id, ?, cast(? as int), cast(? as jsonb), cast(? as jsonb), cast(? as jsonb), cast(? as timestamptz), cast(? as timestamptz) from r
  on conflict (owner_type, owner_id, adapter) do update set observed_generation = excluded.observed_generation, conditions = excluded.conditions,
    data = excluded.data, metadata = excluded.metadata, last_report_time = excluded.last_report_time
  returning 1 as written`);

/** The statuses of one resource as a JSON array, in list order (CONTRACT D11), for `select … from <table> r`. */
const STATUSES_OF_ROW = (kind: OwnerType) =>
  `(select json_agg(s order by s.created_time, s.adapter) from adapter_statuses s where s.owner_type = '${kind}' and s.owner_id = r.id and s.deleted_at is null)`;

/**
 * The columns of a resource row `r` that a change reads (what `resourceView` maps, and `rendered_labels`
 * for `labelsOf`); not `condition_statuses`, which the writes derive from the conditions again.
 */
const ROW_COLUMNS: Record<OwnerType, string> = {
  Cluster: 'r.id, r.name, r.spec, r.generation, r.version, r.conditions, r.created_time, r.updated_time, r.created_by, r.updated_by, r.deleted_time, r.deleted_by, r.deleted_at, r.rendered_labels',
  NodePool: 'r.id, r.name, r.spec, r.generation, r.version, r.conditions, r.created_time, r.updated_time, r.created_by, r.updated_by, r.deleted_time, r.deleted_by, r.deleted_at, r.rendered_labels, r.owner_id',
};

/**
 * The live labels of a resource row read with `ROW_COLUMNS`: its `rendered_labels`, which the statement that
 * writes the labels keeps equal to them (so no labels subquery runs), parsed; key order as reads send them.
 */
const labelsOf = (row: Record<string, unknown>): LabelMap => (typeof row.rendered_labels === 'string' ? JSON.parse(row.rendered_labels) : {});

/** The live row (a node pool only under its cluster) by id: `where` of the locks and snapshots. */
const LIVE_ROW: Record<OwnerType, string> = {
  Cluster: 'from clusters r where r.id = ? and r.deleted_at is null',
  NodePool: 'from node_pools r where r.id = ? and r.owner_id = ? and r.deleted_at is null',
};
/** The live row to change: a node pool only under its live cluster. */
const LIVE_ROW_TO_CHANGE: Record<OwnerType, string> = {
  Cluster: LIVE_ROW.Cluster,
  NodePool: 'from node_pools r join clusters o on o.id = r.owner_id and o.deleted_at is null where r.id = ? and r.owner_id = ? and r.deleted_at is null',
};
/** What the status path reads of a row. */
const STATUS_COLUMNS = 'r.id, r.generation, r.version, r.conditions, r.created_time, r.updated_time, r.deleted_time';
/** `lockResource`, optimistic: the row, its version and statuses, one snapshot. */
const STATUS_SNAPSHOT = perKind('hf_snapshot_status', (kind) => `select ${STATUS_COLUMNS}, r.xmin::text as revision, ${STATUSES_OF_ROW(kind)} as statuses ${LIVE_ROW[kind]}`);
/** `lockResource`, under locks. */
const STATUS_LOCK = perKind('hf_status_lock', (kind) => `select ${STATUS_COLUMNS} ${LIVE_ROW[kind]} for update`);
/** A cluster's live node pools, counted by its snapshot for `lockChildren`. */
const CHILDREN = '(select count(*)::int from node_pools n where n.owner_id = r.id and n.deleted_at is null) as children';
/** `lockRow`, optimistic: the whole row, its version and statuses (a cluster's live node pool count too), one snapshot. */
const ROW_SNAPSHOT = perKind(
  'hf_snapshot',
  (kind) => `select ${ROW_COLUMNS[kind]}, r.xmin::text as revision, ${STATUSES_OF_ROW(kind)} as statuses${kind === 'Cluster' ? `, ${CHILDREN}` : ''} ${LIVE_ROW_TO_CHANGE[kind]}`,
);
/** `lockRow`, under locks. */
const ROW_LOCK = perKind('hf_lock', (kind) => `select ${ROW_COLUMNS[kind]} ${LIVE_ROW_TO_CHANGE[kind]} for update${kind === 'NodePool' ? ' of r' : ''}`);

/**
 * `saveResource`: the row's changed fields (spec only when given), with the given label set (PATCH
 * semantics) and its rendering; only at the version read when a revision is given.
 */
const SAVE_RESOURCE = perKind(
  'hf_save',
  (kind, table) => `with u as (update ${table} set spec = coalesce(cast(? as jsonb), spec), generation = ?, version = ?, conditions = ?, condition_statuses = cast(? as text[]), updated_time = ?, updated_by = ?, deleted_time = ?, deleted_by = ?,
        rendered_labels = case when cast(? as text[]) is null then rendered_labels else ${RENDERED_LABELS} end
      where id = ? and (cast(? as text) is null or xmin = cast(cast(? as text) as xid)) returning id),
    d as (delete from labels l using u where cast(? as text[]) is not null and l.owner_type = '${kind}' and l.owner_id = u.id and l.key <> all(cast(? as text[]))),
    i as (insert into labels (owner_type, owner_id, key, value) select '${kind}', u.id, x.key, x.value from u, unnest(cast(? as text[]), cast(? as text[])) as x(key, value)
      on conflict (owner_type, owner_id, key) do update set value = excluded.value, deleted_at = null)
  select id from u`,
);
/** `remove`: the resource rows get deleted_at (and a new version). */
const REMOVE = perKind('hf_remove', (_kind, table) => `update ${table} set deleted_at = ?, version = version + 1 where id = any(cast(? as uuid[]))`);
/** `lockChildren`: a cluster's live node pools, in id order. */
const LOCK_CHILDREN = `select ${ROW_COLUMNS.NodePool} from node_pools r where r.owner_id = ? and r.deleted_at is null order by r.id for update`;

/**
 * The write paths (resource create, PATCH, deletion mark, removal, adapter status reports) on one
 * pooled connection: optimistic (`optimistic`), in a transaction under row locks (`transaction`), or a
 * single statement (`session`); named prepared statements (parsed and planned once per
 * connection), plain rows in and out — no entity hydration, identity map or change-set computation,
 * which cost several times more than the statements themselves. Same tables and soft-delete rules as
 * the entities: every read here states `deleted_at is null` itself.
 */
export class WriteStore {
  /** Optimistic mode (no transaction, no locks): the version (xmin) each read row had, by id. */
  private revisions?: Map<string, string>;
  /** Optimistic mode: the live node pools each read cluster had, by id. */
  private readonly childCounts = new Map<string, number>();

  private constructor(
    private readonly client: PoolClient,
    private readonly log: (sql: string, ctx: Record<string, unknown>) => void,
  ) {}

  /**
   * Runs `work` optimistically first, then, if it has to, again in a transaction under row locks. The
   * optimistic run has no transaction and takes no lock: `lockRow` and `lockResource` read the row with
   * what belongs to it in one statement (one snapshot) and note the row's version (xmin); `saveResource`
   * and `upsert` write in one statement each, and only if the row is still at that version. When another
   * write got there first, or `work` needs what only locks give (`needLocks`: cascades, removals), the
   * optimistic run ends without having written anything and `work` runs again in `transaction`. So
   * `work` writes at most one statement per row in its optimistic run, and its side effects follow
   * its writes.
   */
  static async optimistic<T>(em: EntityManager, work: (store: WriteStore) => Promise<T>): Promise<T> {
    const first = await WriteStore.session(em, async (store) => {
      store.revisions = new Map();
      try {
        return { value: await work(store) };
      } catch (err) {
        if (err === CONTENDED) return undefined;
        throw err;
      }
    });
    return first ? first.value : WriteStore.transaction(em, work);
  }

  /** In the optimistic run: end it, and run the work again under row locks (for cascades and removals). */
  needLocks(): void {
    if (this.revisions) throw CONTENDED;
  }

  /** Runs `work` in a transaction; commits on success, rolls back on any error. */
  static async transaction<T>(em: EntityManager, work: (store: WriteStore) => Promise<T>): Promise<T> {
    const { client, store } = await WriteStore.connect(em);
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

  /**
   * Runs `work` on one pooled connection without a transaction: each statement commits on its own (a
   * create is one statement; `optimistic` runs its first attempt here).
   */
  static async session<T>(em: EntityManager, work: (store: WriteStore) => Promise<T>): Promise<T> {
    const { client, store } = await WriteStore.connect(em);
    let lost: Error | undefined;
    try {
      return await work(store);
    } catch (err) {
      // a connection cut under a statement does not go back to the pool (it may not know yet that it is dead)
      if (isConnectionLost(err)) lost = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(lost);
    }
  }

  private static async connect(em: EntityManager): Promise<{ client: PoolClient; store: WriteStore }> {
    const connection = em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
    const pool = await connection.getNativeClient();
    const client = await pool.connect();
    return { client, store: new WriteStore(client, (sql, ctx) => connection.logQuery(sql, ctx)) };
  }

  /** A statement of `perKind`, under its name. */
  private exec<R extends QueryResultRow>(statement: Statement, params: unknown[]): Promise<R[]> {
    return this.run<R>(statement.sql, params, statement.name);
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
   * so it would miss what the transaction it waited for wrote. In the optimistic run, one statement
   * reads the row and its statuses, without a lock.
   */
  async lockResource(kind: OwnerType, id: string, clusterId?: string): Promise<Locked<ResourceRow> | null> {
    const params = kind === 'Cluster' ? [id] : [id, clusterId];
    if (this.revisions) {
      const [row] = await this.exec(STATUS_SNAPSHOT[kind], params);
      return row ? this.noted<ResourceRow>(row, {}, row.statuses) : null;
    }
    const [row] = await this.exec(STATUS_LOCK[kind], params);
    if (!row) return null;
    return { row: resourceView<ResourceEntity>(row), labels: {}, statuses: await this.statusesOf(kind, [id]) };
  }

  /** A row read by the optimistic run, with its version noted for the revision-checked write. */
  private noted<T>(row: Record<string, unknown>, labels: LabelMap, statuses: unknown): Locked<T> {
    this.revisions!.set(row.id as string, row.revision as string);
    return { row: resourceView<T & ResourceEntity>(row), labels, statuses: ((statuses ?? []) as Record<string, unknown>[]).map(statusRow) };
  }

  /**
   * Locks a whole live resource row for a change (a node pool only under its live cluster), then reads
   * its statuses (after the lock, as in `lockResource`); null when there is none. In the optimistic run,
   * one statement reads the row with its statuses (and a cluster's count of node pools, for
   * `lockChildren`), without a lock. Either way the labels are the row's own (`labelsOf`).
   */
  async lockRow<T extends ResourceEntity>(kind: OwnerType, id: string, clusterId?: string): Promise<Locked<T> | null> {
    const params = kind === 'Cluster' ? [id] : [id, clusterId];
    if (this.revisions) {
      const [row] = await this.exec(ROW_SNAPSHOT[kind], params);
      if (!row) return null;
      if (kind === 'Cluster') this.childCounts.set(id, row.children as number);
      return this.noted<T>(row, labelsOf(row), row.statuses);
    }
    const [row] = await this.exec(ROW_LOCK[kind], params);
    if (!row) return null;
    // the locked row is its latest version, so its labels are current; the statuses are another table's rows
    return { row: resourceView<T>(row), labels: labelsOf(row), statuses: await this.statusesOf(kind, [id]) };
  }

  /**
   * Locks the live cluster against being marked or removed while a node pool is created under it; null
   * when there is none. The lock is an update that changes nothing but the row's version, so that an
   * optimistic deletion mark that read the cluster without this node pool cannot apply.
   */
  async holdCluster(id: string): Promise<{ deletedTime: Date | null } | null> {
    this.needLocks();
    const [row] = await this.run('update clusters set conditions = conditions where id = ? and deleted_at is null returning deleted_time', [id], 'hf_hold_cluster');
    return row ? { deletedTime: pgDate(row.deleted_time) } : null;
  }

  /** Locks every live node pool of a cluster (in id order, so concurrent cascades cannot deadlock), then reads their statuses. */
  async lockChildren<T extends ResourceEntity>(clusterId: string): Promise<Locked<T>[]> {
    // the optimistic run read the cluster's node pool count with the cluster; none: nothing to lock
    if (this.revisions?.has(clusterId) && this.childCounts.get(clusterId) === 0) return [];
    this.needLocks();
    const rows = await this.run(LOCK_CHILDREN, [clusterId], 'hf_lock_children');
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
    const params: unknown[] = [r.id, r.name, JSON.stringify(r.spec), r.generation, r.version, JSON.stringify(r.conditions), conditionStatuses(r.conditions), r.createdTime, r.updatedTime, r.createdBy, r.updatedBy];
    if (kind === 'NodePool') params.push(r.cluster!.id);
    const arrays = labelArrays(labels);
    await this.exec(INSERT_RESOURCE[kind], [...params, ...arrays, ...arrays]);
  }

  /**
   * Writes back what PATCH and the deletion mark change on a row (its spec only with `spec`: the deletion
   * mark and a labels-only PATCH leave it as stored) and, with `labels`, replaces its whole label set
   * (PATCH semantics: `{}` clears it) and their rendering on the row, in one statement. In the optimistic
   * run, only if the row is still at the version read.
   */
  async saveResource(kind: OwnerType, r: ResourceEntity, changed: { spec?: boolean; labels?: LabelMap } = {}): Promise<void> {
    const rev = this.revisionOf(r.id);
    const [keys, values] = changed.labels ? labelArrays(changed.labels) : [null, null];
    const rows = await this.exec(
      SAVE_RESOURCE[kind],
      [changed.spec ? JSON.stringify(r.spec) : null, r.generation, r.version, JSON.stringify(r.conditions), conditionStatuses(r.conditions), r.updatedTime, r.updatedBy, r.deletedTime ?? null, r.deletedBy ?? null, keys, keys, values, r.id, rev, rev, keys, keys, keys, values],
    );
    if (rows.length === 0) this.contended();
  }

  /** The version the optimistic run read a row at (null outside it: the row is locked). */
  private revisionOf(id: string): string | null {
    if (!this.revisions) return null;
    const rev = this.revisions.get(id);
    if (rev === undefined) throw new Error(`optimistic write of a row that was not read: ${id}`);
    return rev;
  }

  /** A revision-checked write found the row changed: end the optimistic run. */
  private contended(): void {
    if (this.revisions) throw CONTENDED;
    throw new Error('a locked row was not written');
  }

  /**
   * Inserts or replaces one adapter's status and touches its resource row in the same statement: the
   * recomputed conditions when given. In the optimistic run, only if the row is still at the version read.
   */
  async upsert(s: AdapterStatus, conditions?: ResourceCondition[]): Promise<void> {
    const rev = this.revisionOf(s.ownerId);
    const rows = await this.exec(
      UPSERT_STATUS[s.ownerType],
      [
        conditions ? JSON.stringify(conditions) : null, conditions ? conditionStatuses(conditions) : null, s.ownerId, rev, rev,
        s.id, s.ownerType, s.adapter, s.observedGeneration, JSON.stringify(s.conditions), JSON.stringify(s.data ?? {}), s.metadata ? JSON.stringify(s.metadata) : null, s.createdTime, s.lastReportTime,
      ],
    );
    if (rows.length === 0) this.contended();
  }

  /** Node pools of a cluster that are not removed. */
  async childCount(clusterId: string): Promise<number> {
    this.needLocks();
    const [row] = await this.run<{ n: number }>('select count(*)::int as n from node_pools where owner_id = ? and deleted_at is null', [clusterId], 'hf_status_children');
    return row.n;
  }

  /** Removal (CONTRACT D4): the resources, their statuses and labels get deleted_at. */
  async remove(kind: OwnerType, ids: string[], at: Date): Promise<void> {
    this.needLocks();
    if (ids.length === 0) return;
    await this.exec(REMOVE[kind], [at, ids]);
    await this.run('update adapter_statuses set deleted_at = ? where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null', [at, kind, ids], 'hf_remove_statuses');
    await this.run('update labels set deleted_at = ? where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null', [at, kind, ids], 'hf_remove_labels');
  }
}
