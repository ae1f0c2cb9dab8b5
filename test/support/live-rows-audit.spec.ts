import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { LiveRowsPlugin } from '@app/persistence/live-rows';
import { numberPlaceholders } from '@app/persistence/native-query';
import { auditLiveRows } from './live-rows-audit';

const TABLES: ReadonlySet<string> = new Set(['clusters', 'node_pools', 'labels', 'adapter_statuses']);
const audit = (text: string) => auditLiveRows(text, TABLES);

/** The 1-based character position of the `n`th (1-based) occurrence of `needle` in `text`. */
function at(text: string, needle: string, n = 1): number {
  let index = -1;
  for (let i = 0; i < n; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`${needle} not in ${text}`);
  return index + 1;
}

// The project's statements as libs/persistence/src/write-store.ts and resources/resource.repository.ts
// build them today (for one kind each; `?` numbered as they are before they run), with `deleted_at is null`
// written by hand.
const ROW_COLUMNS =
  'r.id, r.name, r.spec, r.generation, r.version, r.conditions, r.created_time, r.updated_time, r.created_by, r.updated_by, r.deleted_time, r.deleted_by, r.deleted_at, r.rendered_labels';
const STATUSES_OF_ROW = `(select json_agg(s order by s.created_time, s.adapter) from adapter_statuses s where s.owner_type = 'Cluster' and s.owner_id = r.id and s.deleted_at is null)`;
const CHILDREN = '(select count(*)::int from node_pools n where n.owner_id = r.id and n.deleted_at is null) as children';
const RENDERED_LABELS = `(select '{' || string_agg(to_json(x.key)::text || ':' || to_json(x.value)::text, ',' order by x.key) || '}' from unnest(cast(? as text[]), cast(? as text[])) as x(key, value))`;

const HONOURING: Record<string, string> = {
  'hf_snapshot_status_clusters (subquery in the select list, xmin)': `select r.id, r.generation, r.version, r.conditions, r.created_time, r.updated_time, r.deleted_time, r.xmin::text as revision, ${STATUSES_OF_ROW} as statuses from clusters r where r.id = ? and r.deleted_at is null`,
  'hf_snapshot_clusters (two subqueries)': `select ${ROW_COLUMNS}, r.xmin::text as revision, ${STATUSES_OF_ROW} as statuses, ${CHILDREN} from clusters r where r.id = ? and r.deleted_at is null`,
  'hf_lock_node_pools (join under its live cluster, for update of r)': `select ${ROW_COLUMNS}, r.owner_id from node_pools r join clusters o on o.id = r.owner_id and o.deleted_at is null where r.id = ? and r.owner_id = ? and r.deleted_at is null for update of r`,
  hf_lock_children: `select ${ROW_COLUMNS}, r.owner_id from node_pools r where r.owner_id = ? and r.deleted_at is null order by r.id for update`,
  'hf_statuses_of (= any(cast(? as uuid[])), unqualified)': 'select * from adapter_statuses where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null order by created_time, adapter',
  hf_hold_cluster: 'update clusters set conditions = conditions where id = ? and deleted_at is null returning deleted_time',
  hf_remove_labels: 'update labels set deleted_at = ? where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null',
  hf_status_children: 'select count(*)::int as n from node_pools where owner_id = ? and deleted_at is null',
  'hf_insert_clusters (insert in a CTE, INSERT … SELECT from it)': `with r as (insert into clusters (id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, rendered_labels)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${RENDERED_LABELS}) returning id)
    insert into labels (owner_type, owner_id, key, value) select 'Cluster', r.id, x.key, x.value from r, unnest(cast(? as text[]), cast(? as text[])) as x(key, value)`,
  'hf_get_owned_node_pools (cross join lateral)': `select r.version, j.json from node_pools r join clusters o on o.id = r.owner_id and o.deleted_at is null cross join lateral (select r.rendered_labels as json) j where r.id = ? and r.owner_id = ? and r.deleted_at is null`,
};

/** `ResourceRepository.page`'s statement: the ids subquery and the count have the condition, the items' `clusters r` has not. */
const IDS = 'select "r"."id" from "clusters" as "r" where "r"."deleted_at" is null order by "r"."created_time" desc, "r"."id" desc limit ? offset ?';
const COUNT = 'select count(*) as "count" from "clusters" as "r" where "r"."deleted_at" is null';
const page = (itemsWhere: string) =>
  numberPlaceholders(
    `select c.count as total, p.size, p.part from (${COUNT}) c left join lateral (select count(*)::int as size, ` +
      `case when x.g = 0 then '' else ',' end || string_agg(x.json, ',' order by x.n) as part, x.g from (` +
      `select j.json, row_number() over w as n, (sum(octet_length(j.json)) over w - octet_length(j.json)) / 32768 as g ` +
      `from clusters r join (${IDS}) p on p.id = r.id cross join lateral (select r.rendered_labels as json offset 0) j ${itemsWhere}` +
      `window w as (order by r.created_time desc, r.id desc rows between unbounded preceding and current row)` +
      `) x group by x.g) p on true order by p.g`,
  );

describe('auditLiveRows', () => {
  describe('passes statements that honour the rule', () => {
    it.each(Object.entries(HONOURING))('%s', async (_name, text) => {
      expect(await audit(numberPlaceholders(text))).toEqual([]);
    });

    it('window clauses, set operations, left joins with the condition in their ON, FOR UPDATE OF a table', async () => {
      expect(await audit(page('where r.deleted_at is null '))).toEqual([]);
      expect(await audit('select id from clusters where deleted_at is null union all select n.id from node_pools n where n.deleted_at is null')).toEqual([]);
      expect(await audit('select r.id, n.id from clusters r left join node_pools n on n.owner_id = r.id and n.deleted_at is null where r.deleted_at is null')).toEqual([]);
      expect(await audit('select id from clusters where id = $1 and (deleted_at is null and true) for update of clusters')).toEqual([]);
      expect(await audit('select public.clusters.id from public.clusters where public.clusters.deleted_at is null')).toEqual([]);
    });

    it('tables that are not listed, an INSERT target, ON CONFLICT DO UPDATE', async () => {
      expect(await audit('select e.id from events e where e.id = $1')).toEqual([]);
      expect(await audit('insert into labels (owner_id, key, value) values ($1, $2, $3) on conflict (owner_id, key) do update set value = excluded.value, deleted_at = null')).toEqual([]);
    });
  });

  describe('reports statements that do not', () => {
    it('a missing condition, with the table, alias and position', async () => {
      const text = 'select id from clusters where id = $1';
      expect(await audit(text)).toEqual([`clusters at character ${at(text, 'clusters')}: no "clusters.deleted_at is null" in the WHERE of its level or in a join's ON that filters it`]);
      const aliased = 'select r.id from node_pools r where r.id = $1';
      expect(await audit(aliased)).toEqual([expect.stringMatching(new RegExp(`^node_pools as r at character ${at(aliased, 'node_pools')}: no "r.deleted_at is null"`))]);
      // characters, not the parser's bytes
      const accented = `select 'é…' as x, id from clusters`;
      expect(await audit(accented)).toEqual([expect.stringMatching(new RegExp(`^clusters at character ${at(accented, 'clusters')}:`))]);
    });

    it('a condition under OR or NOT', async () => {
      expect(await audit('select r.id from clusters r where r.id = $1 or r.deleted_at is null')).toHaveLength(1);
      expect(await audit('select r.id from clusters r where r.id = $1 and not (r.deleted_at is not null and r.deleted_at is null)')).toHaveLength(1);
      expect(await audit('select r.id from clusters r where r.deleted_at is not null')).toHaveLength(1);
    });

    it('a condition on the wrong alias, or unqualified beside another table', async () => {
      expect(await audit('select r.id from node_pools r join clusters o on o.id = r.owner_id and r.deleted_at is null where r.deleted_at is null')).toEqual([expect.stringMatching(/^clusters as o /)]);
      expect(await audit('select r.id from clusters r, node_pools n where n.owner_id = r.id and deleted_at is null')).toEqual([
        expect.stringMatching(/^clusters as r /),
        expect.stringMatching(/^node_pools as n /),
      ]);
    });

    it('a listed table only inside a subquery, without the condition', async () => {
      const text = 'select r.id from clusters r where r.deleted_at is null and exists (select 1 from node_pools n where n.owner_id = r.id)';
      expect(await audit(text)).toEqual([expect.stringMatching(new RegExp(`^node_pools as n at character ${at(text, 'node_pools')}:`))]);
    });

    it('a left join whose condition is only in another scope, or only on its preserved side', async () => {
      expect(
        await audit(
          'select r.id, n.id from clusters r left join node_pools n on n.owner_id = r.id where r.deleted_at is null and exists (select 1 from labels l where l.owner_id = n.id and n.deleted_at is null and l.deleted_at is null)',
        ),
      ).toEqual([expect.stringMatching(/^node_pools as n /)]);
      // a left join's ON does not hide the rows of its left side
      expect(await audit('select r.id from clusters r left join node_pools n on n.owner_id = r.id and r.deleted_at is null and n.deleted_at is null')).toEqual([expect.stringMatching(/^clusters as r /)]);
    });

    it('the project’s statements that rely on a lock or an earlier read instead of the condition', async () => {
      // hf_status_upsert_clusters: the update in the CTE is by id and xmin only
      const upsert = numberPlaceholders(`with r as (
    update clusters set conditions = coalesce(cast(? as jsonb), conditions), condition_statuses = coalesce(cast(? as text[]), condition_statuses) where id = ? and (cast(? as text) is null or xmin = cast(cast(? as text) as xid)) returning id)
  insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, metadata, created_time, last_report_time)
  select cast(? as uuid), ?, r.id, ?, cast(? as int), cast(? as jsonb), cast(? as jsonb), cast(? as jsonb), cast(? as timestamptz), cast(? as timestamptz) from r
  on conflict (owner_type, owner_id, adapter) do update set observed_generation = excluded.observed_generation, conditions = excluded.conditions,
    data = excluded.data, metadata = excluded.metadata, last_report_time = excluded.last_report_time
  returning 1 as written`);
      expect(await audit(upsert)).toEqual([expect.stringMatching(new RegExp(`^clusters at character ${at(upsert, 'clusters')}:`))]);
      // hf_save_clusters: the update, and the delete of the labels
      const save = numberPlaceholders(`with u as (update clusters set spec = coalesce(cast(? as jsonb), spec), generation = ?, version = ?, conditions = ?, condition_statuses = cast(? as text[]), updated_time = ?, updated_by = ?, deleted_time = ?, deleted_by = ?,
        rendered_labels = case when cast(? as text[]) is null then rendered_labels else ${RENDERED_LABELS} end
      where id = ? and (cast(? as text) is null or xmin = cast(cast(? as text) as xid)) returning id),
    d as (delete from labels l using u where cast(? as text[]) is not null and l.owner_type = 'Cluster' and l.owner_id = u.id and l.key <> all(cast(? as text[]))),
    i as (insert into labels (owner_type, owner_id, key, value) select 'Cluster', u.id, x.key, x.value from u, unnest(cast(? as text[]), cast(? as text[])) as x(key, value)
      on conflict (owner_type, owner_id, key) do update set value = excluded.value, deleted_at = null)
  select id from u`);
      expect(await audit(save)).toEqual([expect.stringMatching(/^clusters at character \d+:/), expect.stringMatching(new RegExp(`^labels as l at character ${at(save, 'labels l')}:`))]);
      // hf_remove_clusters
      expect(await audit(numberPlaceholders('update clusters set deleted_at = ?, version = version + 1 where id = any(cast(? as uuid[]))'))).toHaveLength(1);
      // the page: the items read `clusters r` joined to live ids, without the condition at their own level
      const text = page('');
      expect(await audit(text)).toEqual([expect.stringMatching(new RegExp(`^clusters as r at character ${at(text, 'clusters r')}:`))]);
    });

    it('UPDATE … FROM, DELETE … USING, INSERT … SELECT, CTEs, set operations, lateral subqueries', async () => {
      expect(await audit('update node_pools r set name = $1 from clusters o where o.id = r.owner_id and r.deleted_at is null')).toEqual([expect.stringMatching(/^clusters as o /)]);
      expect(await audit('delete from labels l using node_pools n where l.owner_id = n.id and l.deleted_at is null')).toEqual([expect.stringMatching(/^node_pools as n /)]);
      expect(await audit('delete from labels where owner_id = $1')).toEqual([expect.stringMatching(/^labels at /)]);
      expect(await audit(`insert into labels (owner_id, key, value) select n.id, 'k', 'v' from node_pools n where n.owner_id = $1`)).toEqual([expect.stringMatching(/^node_pools as n /)]);
      expect(await audit('with r as (select id from clusters where id = $1) select * from r')).toEqual([expect.stringMatching(/^clusters at /)]);
      expect(await audit('select id from clusters where deleted_at is null union all select id from node_pools')).toEqual([expect.stringMatching(/^node_pools at /)]);
      expect(
        await audit('select r.id, j.n from clusters r cross join lateral (select count(*) as n from labels l where l.owner_id = r.id offset 0) j where r.deleted_at is null'),
      ).toEqual([expect.stringMatching(/^labels as l /)]);
    });

    it('a CTE that hides a listed table, MERGE, and a statement that does not parse', async () => {
      expect(await audit('with clusters as (select 1 as id) select id from clusters')).toEqual([expect.stringMatching(/^CTE clusters at character 6: hides/), expect.stringMatching(/^clusters at /)]);
      expect(await audit('merge into clusters c using events e on e.id = c.id when matched then delete')).toEqual([expect.stringMatching(/^clusters as c at character 12: MERGE/)]);
      expect(await audit('select r.id from clusters r tablesample system (10) where r.deleted_at is null')).toEqual([expect.stringMatching(/^clusters as r .*: in a position the audit does not check$/)]);
      const broken = 'select id from clusters wher id = $1';
      expect(await audit(broken)).toEqual([`does not parse: syntax error at or near "id" at character ${at(broken, 'id = ')}`]);
    });
  });
});

describe('auditLiveRows and LiveRowsPlugin', () => {
  const plain = new Kysely<Record<string, Record<string, unknown>>>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const live = plain.withPlugin(new LiveRowsPlugin(TABLES));

  /** Statements built with `db`, each reading listed tables in other positions, and how many references each has. */
  const statements = (db: typeof plain) => ({
    'select with a left join, a lateral subquery and EXISTS under OR': {
      references: 4,
      query: db
        .selectFrom('clusters as r')
        .leftJoin('node_pools as n', 'n.owner_id', 'r.id')
        .crossJoinLateral((eb) => eb.selectFrom('labels as l').select('l.key').whereRef('l.owner_id', '=', 'r.id').offset(0).as('j'))
        .select(['r.id', 'n.id as pool', 'j.key'])
        .where((eb) => eb.or([eb('r.name', '=', 'a'), eb.exists(eb.selectFrom('adapter_statuses as s').select('s.id').whereRef('s.owner_id', '=', 'r.id'))]))
        .compile(),
    },
    'a schema-qualified table and a cross join': {
      references: 2,
      query: db.selectFrom('public.clusters').crossJoin('node_pools as n').select('n.id').whereRef('n.owner_id', '=', 'public.clusters.id').compile(),
    },
    'update … from': {
      references: 2,
      query: db.updateTable('node_pools as r').set({ name: 'b' }).from('clusters as o').whereRef('o.id', '=', 'r.owner_id').where('r.id', '=', 'a').compile(),
    },
    'delete … using': { references: 2, query: db.deleteFrom('labels as l').using('node_pools as n').whereRef('l.owner_id', '=', 'n.id').compile() },
    'insert … select under an updating CTE': {
      references: 2,
      query: db
        .with('u', (qb) => qb.updateTable('clusters').set({ name: 'b' }).where('id', '=', 'a').returning('id'))
        .insertInto('labels')
        .columns(['owner_id', 'key'])
        .expression((eb) => eb.selectFrom('u').innerJoin('node_pools as n', 'n.owner_id', 'u.id').select(['u.id', 'n.name']))
        .compile(),
    },
    'a builder inside sql': {
      references: 1,
      query: sql`select p.id from ${db.selectFrom('clusters as r').select('r.id').where('r.name', '=', 'a')} as p where p.id = ${'x'}`.compile(db),
    },
  });

  it.each(Object.keys(statements(plain)))('%s: passes with the plugin, and fails without it for every reference', async (name) => {
    const key = name as keyof ReturnType<typeof statements>;
    const { query: withPlugin } = statements(live)[key];
    const { query: without, references } = statements(plain)[key];
    expect(await audit(withPlugin.sql)).toEqual([]);
    expect(await audit(without.sql)).toHaveLength(references);
  });
});
