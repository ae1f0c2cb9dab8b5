import { Client } from 'pg';
import { buildReport } from '../factories/adapter-status.factory';
import { createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/**
 * Status reports, PATCH and a node pool's deletion mark run optimistically first (WriteStore.optimistic):
 * one statement reads, one statement writes only if the row is still at the version it read. A write
 * another write overtook is redone under the row lock, so nothing is lost; these tests force that race
 * by holding the row lock from a second connection while the request's write waits for it.
 */
describe('optimistic writes', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await startTestApp();
    db = new Client({ connectionString: t.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** The statements of one request, by their kind: `select`, `with update` (a statement led by a CTE), `select for update`, `begin`… */
  async function statementsOf(send: () => PromiseLike<unknown>): Promise<string[]> {
    t.queries.length = 0;
    await send();
    return t.queries.map((q) => {
      const m = /^\s*(with\s+"?\w+"?\s+as\s*\(\s*)?(\w+)/i.exec(q)!;
      return `${m[1] ? 'with ' : ''}${m[2].toLowerCase()}${/\bfor update\b/i.test(q) ? ' for update' : ''}`;
    });
  }

  /** Waits (polling the server's own view) until one statement of the test database waits for a lock. */
  async function untilWaitingForLock(): Promise<void> {
    for (;;) {
      const { rows } = await db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      if (rows[0].n > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('a status report is one read and one write, without a transaction; the same report again is the read alone', async () => {
    const c = await createCluster(t.http);
    const report = buildReport('validation', 1);
    const first = await statementsOf(() => t.http.put(`${API}/clusters/${c.id}/statuses`).send(report).expect(201));
    expect(first).toEqual(['select', 'with update']);
    const again = await statementsOf(() => t.http.put(`${API}/clusters/${c.id}/statuses`).send(report).expect(201));
    expect(again).toEqual(['select']);
    const discarded = await statementsOf(() => t.http.put(`${API}/clusters/${c.id}/statuses`).send(buildReport('validation', 5)).expect(204));
    expect(discarded).toEqual(['select']);
  });

  it('a PATCH is one read and one write (row, spec and labels together); a cluster is created by one statement', async () => {
    const created: Record<string, any>[] = [];
    expect(await statementsOf(async () => created.push(await createCluster(t.http, { labels: { a: '1', b: '2' } })))).toEqual(['with insert']);
    const c = created[0];
    const patched = await statementsOf(() => t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { v: 2 }, labels: { b: '3', c: '4' } }).expect(200));
    expect(patched).toEqual(['select', 'with update']);
    const body = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body;
    expect(body).toMatchObject({ generation: 2, spec: { v: 2 }, labels: { b: '3', c: '4' } });
    const { rows } = await db.query(`select key, value from labels where owner_type = 'Cluster' and owner_id = $1 order by key`, [c.id]);
    expect(rows).toEqual([
      { key: 'b', value: '3' },
      { key: 'c', value: '4' },
    ]);
  });

  it('a status report overtaken between its read and its write is redone under the lock, and counts the other write', async () => {
    const c = await createCluster(t.http);
    const other = await createCluster(t.http);
    await t.http.put(`${API}/clusters/${other.id}/statuses`).send(buildReport('dns', 1)).expect(201);

    await db.query('begin');
    await db.query('select id from clusters where id = $1 for update', [c.id]);
    t.queries.length = 0;
    const pending = t.http.put(`${API}/clusters/${c.id}/statuses`).send(buildReport('validation', 1)).then((res) => res);
    try {
      await untilWaitingForLock();
      // meanwhile another writer stores dns's status for this cluster (and, as every status write does, writes the row)
      await db.query(`update adapter_statuses set owner_id = $1 where owner_id = $2 and adapter = 'dns'`, [c.id, other.id]);
      await db.query('update clusters set conditions = conditions where id = $1', [c.id]);
    } finally {
      await db.query('commit');
    }
    expect((await pending).status).toBe(201);
    // the optimistic write found the row changed and wrote nothing; the locked rerun read both statuses
    expect(t.queries.filter((q) => /^(begin|commit)$/i.test(q.trim()))).toEqual(['begin', 'commit']);
    const body = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body;
    const status = (type: string) => body.status.conditions.find((x: { type: string }) => x.type === type)?.status;
    expect(status('ValidationSuccessful')).toBe('True');
    expect(status('DnsSuccessful')).toBe('True');
    const stored = (await t.http.get(`${API}/clusters/${c.id}/statuses`).expect(200)).body.items.map((s: { adapter: string }) => s.adapter);
    expect(stored.sort()).toEqual(['dns', 'validation']);
  });

  it('a PATCH overtaken between its read and its write is checked again under the lock: a stale If-Match is 412', async () => {
    const c = await createCluster(t.http);
    const etag = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).headers.etag;

    await db.query('begin');
    await db.query('select id from clusters where id = $1 for update', [c.id]);
    const pending = t.http.patch(`${API}/clusters/${c.id}`).set('If-Match', etag).send({ spec: { v: 2 } }).then((res) => res);
    try {
      await untilWaitingForLock();
      // another PATCH gets there first
      await db.query(`update clusters set spec = '{"v": 9}', generation = generation + 1, version = version + 1 where id = $1`, [c.id]);
    } finally {
      await db.query('commit');
    }
    expectProblem(await pending, 412, 'HYPERFLEET-CNF-004');
    expect((await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body).toMatchObject({ generation: 2, spec: { v: 9 } });
  });

  it('a cluster DELETE is one read and one write when it has no node pools, and runs under row locks when it has', async () => {
    const alone = await createCluster(t.http);
    expect(await statementsOf(() => t.http.delete(`${API}/clusters/${alone.id}`).expect(202))).toEqual(['select', 'with update']);
    const parent = await createCluster(t.http);
    await createNodePool(t.http, parent.id);
    const cascade = await statementsOf(() => t.http.delete(`${API}/clusters/${parent.id}`).expect(202));
    expect(cascade[0]).toBe('select');
    expect(cascade.slice(1, 3)).toEqual(['begin', 'select for update']);
    expect(cascade.at(-1)).toBe('commit');
  });

  it('a node pool created between a cluster DELETE\'s read and its write is marked with the cluster (the mark is redone under the locks)', async () => {
    const c = await createCluster(t.http);
    const donor = await createCluster(t.http);
    const np = await createNodePool(t.http, donor.id);

    await db.query('begin');
    await db.query('select id from clusters where id = $1 for update', [c.id]);
    const pending = t.http.delete(`${API}/clusters/${c.id}`).then((res) => res);
    try {
      await untilWaitingForLock();
      // meanwhile a node pool is created under the cluster, the way the API creates one (it writes the cluster row)
      await db.query('update clusters set conditions = conditions where id = $1', [c.id]);
      await db.query(
        `insert into node_pools (id, name, spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, owner_id)
           select gen_random_uuid(), 'late', spec, generation, version, conditions, condition_statuses, created_time, updated_time, created_by, updated_by, $1 from node_pools where id = $2`,
        [c.id, np.id],
      );
    } finally {
      await db.query('commit');
    }
    expect((await pending).status).toBe(202);
    const pools = (await t.http.get(`${API}/clusters/${c.id}/nodepools`).expect(200)).body.items;
    expect(pools.map((p: { name: string; deleted_time?: string }) => [p.name, typeof p.deleted_time])).toEqual([['late', 'string']]);
  });

  it('concurrent PATCHes of one cluster all apply, one after another, each with its whole label set', async () => {
    const c = await createCluster(t.http, { labels: { start: 'x' } });
    const sets = Array.from({ length: 12 }, (_, i) => ({ [`k${i}`]: `${i}`, shared: `${i}` }));
    const results = await Promise.all(sets.map((labels, i) => t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { i }, labels })));
    for (const res of results) expect(res.status).toBe(200);
    const generations = results.map((r) => r.body.generation).sort((a, b) => a - b);
    expect(generations).toEqual(sets.map((_, i) => i + 2));

    const body = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body;
    expect(body.generation).toBe(1 + sets.length);
    // the last PATCH's spec and labels, never a mix of two
    const last = results.find((r) => r.body.generation === body.generation)!.body;
    expect(body.spec).toEqual(last.spec);
    expect(body.labels).toEqual(sets[last.spec.i]);
    const { rows } = await db.query(`select key, value from labels where owner_type = 'Cluster' and owner_id = $1 order by key`, [c.id]);
    expect(Object.fromEntries(rows.map((r: { key: string; value: string }) => [r.key, r.value]))).toEqual(sets[last.spec.i]);
  });
});
