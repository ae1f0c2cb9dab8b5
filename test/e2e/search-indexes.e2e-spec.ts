import { Client } from 'pg';
import { labelsText } from '../support/integrity';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const CLUSTERS = 20_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Subplan Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
  return out;
}

/**
 * The searches the sentinel and operators run most are answered from indexes at fleet scale: the
 * tests read the plans PostgreSQL chooses for the application's own statements on 20k clusters.
 */
describe('search uses indexes', () => {
  let t: TestApp;
  let db: Client;
  let someCluster: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new Client({ connectionString: t.db.url });
    await db.connect();
    // bulk-load like a fleet: labels env/region/team (their text on the row written with it, as the API does:
    // no mass UPDATE afterwards, whose new row versions VACUUM may not yet mark all-visible, which would turn
    // the index-only scans below into sequential ones), 5% of clusters not reconciled, 2 node pools each
    await db.query(`
      with fleet as (
        select i, gen_random_uuid() as id, (array['prod','staging','dev'])[1 + i % 3] as env, 'region-' || (i % 20) as region, 'team-' || (i % 200) as team
          from generate_series(1, ${CLUSTERS}) i),
      c as (
        insert into clusters (id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, rendered_labels)
        select id, 'c-' || i, jsonb_build_object('region', 'r' || (i % 20), 'replicas', i % 7), 1, 1,
               jsonb_build_array(jsonb_build_object('type', 'Reconciled', 'status', case when i % 20 = 0 then 'False' else 'True' end, 'observed_generation', 1,
                 'created_time', '2026-01-01T00:00:00.000Z', 'last_updated_time', '2026-01-01T00:00:00.000Z', 'last_transition_time', '2026-01-01T00:00:00.000Z')),
               array['Reconciled=' || case when i % 20 = 0 then 'False' else 'True' end],
               now() - make_interval(secs => ${CLUSTERS} - i), now(), 'bulk', 'bulk',
               '{"env":"' || env || '","region":"' || region || '","team":"' || team || '"}'
          from fleet)
      insert into labels (owner_type, owner_id, key, value)
      select 'Cluster', f.id, l.key, l.value
        from fleet f cross join lateral (values ('env', f.env), ('region', f.region), ('team', f.team)) as l(key, value)`);
    await db.query(`
      insert into node_pools (id, owner_id, name, spec, generation, version, conditions, created_time, updated_time, created_by, updated_by)
      select gen_random_uuid(), c.id, 'np-' || k, '{}', 1, 1, '[]', c.created_time, now(), 'bulk', 'bulk'
        from clusters c cross join generate_series(1, 2) k`);
    for (const table of ['clusters', 'labels', 'node_pools']) await db.query(`vacuum analyze ${table}`);
    someCluster = (await db.query(`select id from clusters where name = 'c-777'`)).rows[0].id;
    // the text written with the rows is the rendering of the labels written beside them
    const rendered = await db.query(`select count(*)::int as n from clusters r where r.rendered_labels is distinct from ${labelsText('Cluster', 'r.id')} and r.name in ('c-1', 'c-777', 'c-20000')`);
    expect(rendered.rows[0].n).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** Runs the request, then EXPLAINs the statement it sent (the count and the page, one statement), with the same bound parameters. */
  async function planOf(path: string): Promise<PlanNode[]> {
    return walk(await planRoot(path));
  }

  async function planRoot(path: string): Promise<PlanNode> {
    t.statements.length = 0;
    await t.http.get(`${API}${path}`).expect(200);
    const pages = t.statements.filter((s) => s.sql.includes('select "c"."count" as "total", "x"."size", "x"."part"'));
    expect(pages).toHaveLength(1);
    const [statement] = pages;
    const { rows } = await db.query(`explain (format json) ${statement!.sql}`, statement!.params as unknown[]);
    return rows[0]['QUERY PLAN'][0].Plan;
  }

  const seqScans = (plan: PlanNode[]) => plan.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
  const indexes = (plan: PlanNode[]) => plan.map((n) => n['Index Name']).filter(Boolean);

  it.each([
    ["labels.team='team-7'", 'labels'],
    ["labels.team in ('team-7', 'team-8')", 'labels'],
    ["labels.region='region-3' and labels.team='team-23'", 'labels'],
  ])('%s: label lookups through an index, no sequential scan', async (search) => {
    const plan = await planOf(`/clusters?size=100&search=${encodeURIComponent(search)}`);
    expect(seqScans(plan)).toEqual([]);
    // the count and the page each look the labels up
    expect(indexes(plan).filter((i) => /^labels_/.test(i!)).length).toBeGreaterThanOrEqual(2);
  });

  /** The part of the statement's plan that counts the matches: the common table expression `n` it is counted in once. */
  async function countPlan(path: string): Promise<PlanNode[]> {
    const [n] = walk(await planRoot(path)).filter((node) => node['Subplan Name'] === 'CTE n');
    expect(n).toBeDefined();
    const counting = walk(n);
    expect(counting.some((node) => node['Node Type'] === 'Aggregate')).toBe(true);
    return counting;
  }

  it.each(["labels.team='team-7'", "labels.team in ('team-7', 'team-8')"])('%s: the matches are counted from the labels index alone, without a cluster row', async (search) => {
    const plan = await countPlan(`/clusters?size=100&search=${encodeURIComponent(search)}`);
    expect(plan.filter((n) => n['Relation Name'] !== undefined).map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']])).toEqual([['Index Only Scan', 'labels', 'labels_live_search_idx']]);
  });

  it('labels.team is not null (every cluster): counted from the labels table, without a cluster row', async () => {
    const plan = await countPlan(`/clusters?size=100&search=${encodeURIComponent('labels.team is not null')}`);
    expect(plan.map((n) => n['Relation Name']).filter(Boolean)).toEqual(['labels']);
  });

  it('two label predicates, and the node pools of one cluster, are counted over the resource rows', async () => {
    const both = await countPlan(`/clusters?size=100&search=${encodeURIComponent("labels.region='region-3' and labels.team='team-23'")}`);
    expect(both.map((n) => n['Relation Name'])).toContain('clusters');
    const nested = await countPlan(`/clusters/${someCluster}/nodepools?search=${encodeURIComponent("labels.pool='worker'")}`);
    expect(nested.map((n) => n['Relation Name'])).toContain('node_pools');
  });

  it('name lookups use a name index', async () => {
    const plan = await planOf(`/clusters?search=${encodeURIComponent("name = 'c-4242'")}`);
    expect(seqScans(plan)).toEqual([]);
    expect(indexes(plan)).toEqual(expect.arrayContaining([expect.stringMatching(/^clusters_(name_idx|live_name_uq)$/)]));
  });

  it("condition status lookups use the GIN index on the conditions' statuses", async () => {
    // the page may walk created_time backwards and stop after 100 hits; counting all of them needs the GIN index
    const search = encodeURIComponent("status.conditions.Reconciled='False'");
    const plan = await planOf(`/clusters?size=100&search=${search}`);
    expect(seqScans(plan)).toEqual([]);
    expect(indexes(plan)).toContain('clusters_condition_statuses_gin');
  });

  it("a cluster's node pools and the owner_id search use the owner index", async () => {
    const nested = await planOf(`/clusters/${someCluster}/nodepools`);
    expect(seqScans(nested)).toEqual([]);
    expect(indexes(nested)).toContain('node_pools_owner_created_idx');
    const byOwner = await planOf(`/nodepools?search=${encodeURIComponent(`owner_id = '${someCluster}'`)}`);
    expect(seqScans(byOwner)).toEqual([]);
  });

  it('the default page walks the created_time index instead of sorting the table', async () => {
    const plan = await planOf('/clusters?page=3&size=100');
    expect(seqScans(plan)).toEqual([]);
    expect(indexes(plan)).toContain('clusters_created_idx');
  });

  it.each([
    ['', 'clusters_created_idx'],
    ['&orderBy=name', 'clusters_name_idx'],
  ])("a poll's deep page (%s) starts its index scan at the previous page's end: it reads one page of rows, not the pages above it", async (order, index) => {
    // a sentinel's poll at size 100 down to page 150 (15,000 clusters above it)
    const path = (page: number) => `${API}/clusters?page=${page}&size=100${order}`;
    for (let page = 1; page < 150; page++) await t.http.get(path(page)).expect(200);
    t.statements.length = 0;
    await t.http.get(path(150)).expect(200);
    const [statement] = t.statements.filter((s) => s.sql.includes('select "c"."count" as "total", "x"."size", "x"."part"'));
    // the page again, as it ran (it continues from page 149's end, recorded by the request before)
    const { rows } = await db.query(`explain (analyze, format json) ${statement!.sql}`, statement!.params as unknown[]);
    const [ids] = walk(rows[0]['QUERY PLAN'][0].Plan).filter((node) => node['Subplan Name'] === 'CTE ids');
    const scans = walk(ids!).filter((node) => node['Relation Name'] === 'clusters' && (node['Actual Rows'] ?? 0) > 0);
    expect(scans).toHaveLength(1);
    const [scan] = scans;
    expect(scan!['Index Name']).toBe(index);
    // the index condition starts at the previous end's first key (a value fixed before the scan); an index
    // on the name alone reads that end's row again
    // (PostgreSQL 16 and older print the value as `$n`, 17 and later as `(InitPlan n).col1`)
    expect(scan!['Index Cond']).toMatch(/\((\$\d+|\(InitPlan \d+\)\.col\d+)\)\[1\]/);
    expect(scan!['Actual Rows']).toBeLessThanOrEqual(101);
  });
});
