#!/usr/bin/env node
// Bulk-loads a large fleet straight into a migrated HyperFleet database (for the 100k / 1M scale runs,
// where seeding through the API would take hours). Same shape as seed.mjs: clusters with env/region/
// team/tier/ticket labels, node pools with pool/arch labels, adapter statuses with aggregated conditions;
// and a `cohort` label shared by 500 consecutive clusters at every size (a search that matches 500 of
// 10k, 100k or 1M: the selective search of the scale target, which allows up to 1,000 matches). With
// --shards N, every cluster also carries `shard=<i % N>`, the label a sharded sentinel deployment selects on.
//
//   node bench/bulk-load.mjs --db postgres://postgres@127.0.0.1:5432/hyperfleet_bench --clusters 100000 [--nodepools 2] [--shards 3] [--batch 50000]
// first, so an older Node stops with a message naming the one needed (not a TypeError in a dependency)
import '../scripts/require-node.cjs';
import pg from 'pg';

const args = { db: '', clusters: 100000, nodepools: 2, shards: 0, batch: 50000, prefix: `bulk${Date.now().toString(36)}` };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = /^\d+$/.test(process.argv[i + 1]) ? Number(process.argv[i + 1]) : process.argv[i + 1];
if (!args.db) {
  console.error('usage: bulk-load.mjs --db <postgres url> --clusters N [--nodepools K]');
  process.exit(2);
}
const client = new pg.Client({ connectionString: args.db });
await client.connect();
const t0 = Date.now();
const say = (m) => process.stderr.write(`[bulk ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
/** The aggregated condition an adapter's reports give its resource: `<Adapter>Successful`. */
const successful = (adapter) => `${adapter[0].toUpperCase()}${adapter.slice(1)}Successful`;
const conditions = (adapters) => `jsonb_build_array(
  jsonb_build_object('type','Reconciled','status','True','reason','ReconciledAll','message','All required adapters reported Available=True or Finalized=True at the current generation','observed_generation',1,'created_time',ts,'last_updated_time',ts,'last_transition_time',ts),
  jsonb_build_object('type','LastKnownReconciled','status','True','reason','AllAdaptersReconciled','message','All required adapters report Available=True for the tracked generation','observed_generation',1,'created_time',ts,'last_updated_time',ts,'last_transition_time',ts)
  ${adapters.map((a) => `, jsonb_build_object('type','${successful(a)}','status','True','reason','ResourcesAvailable','observed_generation',1,'created_time',ts,'last_updated_time',ts,'last_transition_time',ts)`).join('')})`;
/** The statuses of those conditions as the API stores them beside them (condition_statuses: `<type>=<status>`, sorted). */
const statuses = (adapters) => `'{${['Reconciled', 'LastKnownReconciled', ...adapters.map(successful)].map((t) => `${t}=True`).sort().join(',')}}'`;
/** The wire text of the labels `x(key, value)` (what the API stores in rendered_labels). */
const RENDER = `'{' || string_agg(to_json(x.key)::text || ':' || to_json(x.value)::text, ',' order by x.key) || '}'`;
const statusConds = `jsonb_build_array(jsonb_build_object('type','Available','status','True','reason','ResourcesAvailable','last_transition_time',ts), jsonb_build_object('type','Applied','status','True','last_transition_time',ts), jsonb_build_object('type','Health','status','True','last_transition_time',ts))`;

for (let from = 1; from <= args.clusters; from += args.batch) {
  const to = Math.min(args.clusters, from + args.batch - 1);
  await client.query('begin');
  await client.query(`create temp table batch on commit drop as
    select i, gen_random_uuid() as id, to_char(now() - make_interval(secs => ${args.clusters} - i), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ts, now() - make_interval(secs => ${args.clusters} - i) as t
      from generate_series(${from}, ${to}) i`);
  // the labels first: each row stores their wire text (rendered_labels), as the API's writes do
  await client.query(`create temp table batch_labels on commit drop as
    select id as owner_id, l.key, l.value from batch cross join lateral (values
      ('env', (array['prod','prod','prod','prod','prod','staging','staging','staging','dev','dev'])[1 + i % 10]),
      ('region', 'region-' || (i % 20)), ('team', 'team-' || lpad((i % 200)::text, 3, '0')),
      ('tier', (array['gold','silver','bronze'])[1 + i % 3]), ('ticket', 'T' || i), ('cohort', 'cohort-' || (i / 500))${args.shards > 0 ? `, ('shard', (i % ${args.shards})::text)` : ''}) as l(key, value)`);
  await client.query(`insert into clusters (id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, rendered_labels)
    select b.id, '${args.prefix}-' || i, jsonb_build_object('region', 'region-' || (i % 20), 'version', '4.1' || (i % 8), 'replicas', 3 + i % 5), 1, 1,
           ${conditions(['validation', 'dns', 'pullsecret', 'hypershift'])}, ${statuses(['validation', 'dns', 'pullsecret', 'hypershift'])}, t, t, 'bulk', 'bulk', r.text
      from batch b left join (select owner_id, ${RENDER} as text from batch_labels x group by owner_id) r on r.owner_id = b.id`);
  await client.query(`insert into labels (owner_type, owner_id, key, value) select 'Cluster', owner_id, key, value from batch_labels`);
  await client.query(`insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, created_time, last_report_time)
    select gen_random_uuid(), 'Cluster', id, a, 1, ${statusConds}, '{}', t, t from batch cross join unnest(array['validation','dns','pullsecret','hypershift']) a`);
  await client.query(`create temp table pools on commit drop as select gen_random_uuid() as id, b.id as owner_id, b.i, k, b.ts, b.t from batch b cross join generate_series(1, ${args.nodepools}) k`);
  await client.query(`create temp table pool_labels on commit drop as
    select id as owner_id, l.key, l.value from pools cross join lateral (values ('pool', case when k = 1 then 'worker' else 'infra' end), ('arch', case when i % 5 = 0 then 'arm64' else 'amd64' end)) as l(key, value)`);
  await client.query(`insert into node_pools (id, owner_id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, rendered_labels)
    select p.id, p.owner_id, 'np-' || k, jsonb_build_object('replicas', 2 + k), 1, 1, ${conditions(['validation', 'hypershift'])}, ${statuses(['validation', 'hypershift'])}, t, t, 'bulk', 'bulk', r.text
      from pools p left join (select owner_id, ${RENDER} as text from pool_labels x group by owner_id) r on r.owner_id = p.id`);
  await client.query(`insert into labels (owner_type, owner_id, key, value) select 'NodePool', owner_id, key, value from pool_labels`);
  await client.query(`insert into adapter_statuses (id, owner_type, owner_id, adapter, observed_generation, conditions, data, created_time, last_report_time)
    select gen_random_uuid(), 'NodePool', id, a, 1, ${statusConds}, '{}', t, t from pools cross join unnest(array['validation','hypershift']) a`);
  await client.query('commit');
  say(`clusters ${to}/${args.clusters}`);
}
for (const table of ['clusters', 'node_pools', 'labels', 'adapter_statuses']) await client.query(`vacuum analyze ${table}`);
const { rows } = await client.query(`select (select count(*) from clusters)::int as clusters, (select count(*) from node_pools)::int as node_pools, (select count(*) from labels)::int as labels, (select count(*) from adapter_statuses)::int as statuses, pg_size_pretty(pg_database_size(current_database())) as size`);
say(`done: ${JSON.stringify(rows[0])}`);
await client.end();
