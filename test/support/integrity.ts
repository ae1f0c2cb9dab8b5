import { Client } from 'pg';

/** The wire text of a resource's live labels, from the labels table (what `rendered_labels` must hold). */
export const labelsText = (kind: 'Cluster' | 'NodePool', idSql: string): string =>
  `(select '{' || string_agg(to_json(l.key)::text || ':' || to_json(l.value)::text, ',' order by l.key) || '}' from labels l where l.owner_type = '${kind}' and l.owner_id = ${idSql} and l.deleted_at is null)`;

/** The statuses of the conditions of the resource row `r` (what `condition_statuses` must hold), sorted as the API sorts them. */
const conditionStatusesOf = (rowSql: string): string =>
  `array(select s from jsonb_array_elements(${rowSql}.conditions) e, concat(e.value ->> 'type', '=', e.value ->> 'status') s order by s collate "C")`;

/**
 * Invariants of the stored data that no sequence of requests, crash or fault may break ("nothing
 * half-written"): each query returns the offending rows; every one must come back empty.
 */
const CHECKS: Record<string, string> = {
  'node pool not removed under a removed cluster': `select np.id from node_pools np join clusters c on c.id = np.owner_id where c.deleted_at is not null and np.deleted_at is null`,
  'live node pool under a cluster marked for deletion': `select np.id from node_pools np join clusters c on c.id = np.owner_id where c.deleted_time is not null and np.deleted_time is null and np.deleted_at is null`,
  'duplicate live cluster name': `select name from clusters where deleted_time is null and deleted_at is null group by name having count(*) > 1`,
  'duplicate live node pool name in a cluster': `select owner_id, name from node_pools where deleted_time is null and deleted_at is null group by owner_id, name having count(*) > 1`,
  'removed resource that was never marked for deletion': `select id from clusters where deleted_at is not null and deleted_time is null union all select id from node_pools where deleted_at is not null and deleted_time is null`,
  'mark without its author': `select id from clusters where deleted_time is not null and deleted_by is null union all select id from node_pools where deleted_time is not null and deleted_by is null`,
  'generation or version out of range': `select id from clusters where generation < 1 or version < generation union all select id from node_pools where generation < 1 or version < generation`,
  'resource without its aggregated conditions': `select id from clusters where not (conditions @> '[{"type":"Reconciled"}]' and conditions @> '[{"type":"LastKnownReconciled"}]') union all select id from node_pools where not (conditions @> '[{"type":"Reconciled"}]' and conditions @> '[{"type":"LastKnownReconciled"}]')`,
  'status without its resource': `select s.id from adapter_statuses s where not exists (select 1 from clusters c where s.owner_type = 'Cluster' and c.id = s.owner_id) and not exists (select 1 from node_pools n where s.owner_type = 'NodePool' and n.id = s.owner_id)`,
  'live status of a removed resource': `select s.id from adapter_statuses s left join clusters c on s.owner_type = 'Cluster' and c.id = s.owner_id left join node_pools n on s.owner_type = 'NodePool' and n.id = s.owner_id where s.deleted_at is null and coalesce(c.deleted_at, n.deleted_at) is not null`,
  'status ahead of its resource': `select s.id from adapter_statuses s left join clusters c on s.owner_type = 'Cluster' and c.id = s.owner_id left join node_pools n on s.owner_type = 'NodePool' and n.id = s.owner_id where s.observed_generation > coalesce(c.generation, n.generation)`,
  'label without its resource': `select l.owner_id from labels l where not exists (select 1 from clusters c where l.owner_type = 'Cluster' and c.id = l.owner_id) and not exists (select 1 from node_pools n where l.owner_type = 'NodePool' and n.id = l.owner_id)`,
  'live resource whose rendered labels are not its live labels': `select id from clusters r where r.deleted_at is null and r.rendered_labels is distinct from ${labelsText('Cluster', 'r.id')} union all select id from node_pools r where r.deleted_at is null and r.rendered_labels is distinct from ${labelsText('NodePool', 'r.id')}`,
  'resource whose condition statuses are not those of its conditions': `select id from clusters r where r.condition_statuses <> ${conditionStatusesOf('r')} union all select id from node_pools r where r.condition_statuses <> ${conditionStatusesOf('r')}`,
  'live label of a removed resource': `select l.owner_id from labels l left join clusters c on l.owner_type = 'Cluster' and c.id = l.owner_id left join node_pools n on l.owner_type = 'NodePool' and n.id = l.owner_id where l.deleted_at is null and coalesce(c.deleted_at, n.deleted_at) is not null`,
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
