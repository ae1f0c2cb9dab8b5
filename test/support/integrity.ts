import { Client } from 'pg';

/** The wire text of a resource's live labels, from the labels table (what `rendered_labels` must hold); `kindSql` is an SQL expression. */
const labelsTextOf = (kindSql: string, idSql: string): string =>
  `(select '{' || string_agg(to_json(l.key)::text || ':' || to_json(l.value)::text, ',' order by l.key) || '}' from labels l where l.owner_type = ${kindSql} and l.owner_id = ${idSql} and l.deleted_at is null)`;

/** The wire text of the live labels of a resource of `kind`. */
export const labelsText = (kind: string, idSql: string): string => labelsTextOf(`'${kind}'`, idSql);

/** The statuses of the conditions of the resource row `r` (what `condition_statuses` must hold), sorted as the API sorts them. */
const conditionStatusesOf = (rowSql: string): string =>
  `array(select s from jsonb_array_elements(${rowSql}.conditions) e, concat(e.value ->> 'type', '=', e.value ->> 'status') s order by s collate "C")`;

const COLUMNS = 'id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, deleted_time, deleted_by, deleted_at, rendered_labels';

/** Every resource row of every table, with its kind and owner (the built-in tables' kinds are their own). */
const ROWS = `(select 'Cluster' as kind, ${COLUMNS}, null::uuid as owner_id from clusters
  union all select 'NodePool', ${COLUMNS}, owner_id from node_pools
  union all select kind, ${COLUMNS}, owner_id from resources)`;

/**
 * Invariants of the stored data that no sequence of requests, crash or fault may break ("nothing
 * half-written"): each query returns the offending rows; every one must come back empty.
 */
const CHECKS: Record<string, string> = {
  'child not removed under a removed owner': `select c.id from ${ROWS} c join ${ROWS} o on o.id = c.owner_id where o.deleted_at is not null and c.deleted_at is null`,
  'live child under an owner marked for deletion': `select c.id from ${ROWS} c join ${ROWS} o on o.id = c.owner_id where o.deleted_time is not null and c.deleted_time is null and c.deleted_at is null`,
  'duplicate live name of a configured kind': `select kind, owner_id, name from resources where deleted_time is null and deleted_at is null group by kind, owner_id, name having count(*) > 1`,
  'live reference of a removed resource, or to one': `select x.owner_id from resource_references x left join ${ROWS} o on o.id = x.owner_id left join ${ROWS} t on t.id = x.target_id where x.deleted_at is null and (o.id is null or t.id is null or o.deleted_at is not null or t.deleted_at is not null)`,
  'live reference held by a resource marked for deletion': `select x.owner_id from resource_references x join ${ROWS} o on o.id = x.owner_id where x.deleted_at is null and o.deleted_time is not null`,
  'node pool not removed under a removed cluster': `select np.id from node_pools np join clusters c on c.id = np.owner_id where c.deleted_at is not null and np.deleted_at is null`,
  'live node pool under a cluster marked for deletion': `select np.id from node_pools np join clusters c on c.id = np.owner_id where c.deleted_time is not null and np.deleted_time is null and np.deleted_at is null`,
  'duplicate live cluster name': `select name from clusters where deleted_time is null and deleted_at is null group by name having count(*) > 1`,
  'duplicate live node pool name in a cluster': `select owner_id, name from node_pools where deleted_time is null and deleted_at is null group by owner_id, name having count(*) > 1`,
  'removed resource that was never marked for deletion': `select id from ${ROWS} r where deleted_at is not null and deleted_time is null`,
  'mark without its author': `select id from ${ROWS} r where deleted_time is not null and deleted_by is null`,
  'generation or version out of range': `select id from ${ROWS} r where generation < 1 or version < generation`,
  // kinds with required adapters (the built-in ones here) always have them; others until an adapter reports, none
  'resource without its aggregated conditions': `select id from ${ROWS} r where r.kind in ('Cluster', 'NodePool') and not (conditions @> '[{"type":"Reconciled"}]' and conditions @> '[{"type":"LastKnownReconciled"}]')`,
  'status without its resource': `select s.id from adapter_statuses s where not exists (select 1 from ${ROWS} r where r.kind = s.owner_type and r.id = s.owner_id)`,
  'live status of a removed resource': `select s.id from adapter_statuses s join ${ROWS} r on r.kind = s.owner_type and r.id = s.owner_id where s.deleted_at is null and r.deleted_at is not null`,
  'status ahead of its resource': `select s.id from adapter_statuses s join ${ROWS} r on r.kind = s.owner_type and r.id = s.owner_id where s.observed_generation > r.generation`,
  'label without its resource': `select l.owner_id from labels l where not exists (select 1 from ${ROWS} r where r.kind = l.owner_type and r.id = l.owner_id)`,
  'live resource whose rendered labels are not its live labels': `select id from ${ROWS} r where r.deleted_at is null and r.rendered_labels is distinct from ${labelsTextOf('r.kind', 'r.id')}`,
  'resource whose condition statuses are not those of its conditions': `select id from ${ROWS} r where r.condition_statuses <> ${conditionStatusesOf('r')}`,
  'live label of a removed resource': `select l.owner_id from labels l join ${ROWS} r on r.kind = l.owner_type and r.id = l.owner_id where l.deleted_at is null and r.deleted_at is not null`,
};

/** Runs every invariant on the database at `url` (directly, not through the API); returns the broken ones. */
export async function integrityProblems(url: string): Promise<Record<string, unknown[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const problems: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(CHECKS)) {
      const { rows } = await client.query(sql);
      if (rows.length) problems[name] = rows.slice(0, 10);
    }
    return problems;
  } finally {
    await client.end();
  }
}

/** A short-lived direct connection for the checks of a test. */
export async function sql<T = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
