import { aggregateConditions } from '@app/common';
import { adminQuery } from '../setup/pg-admin';
import { buildReport } from '../factories/adapter-status.factory';
import { clusterName, createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { startTestApp, TestApp } from '../support/test-app';

// Bounded: ~400 requests in all, a few seconds. Each scenario ends by checking the stored state equals
// what some serial order of the accepted requests produces.
const API = '/api/hyperfleet/v1';

describe('concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '20' });
  });
  afterAll(() => t?.close());

  it('many clients creating the same names: one winner per name, no duplicate live name', async () => {
    const names = Array.from({ length: 5 }, () => clusterName('same'));
    const attempts = names.flatMap((name) => Array.from({ length: 8 }, () => t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name, spec: {} })));
    const results = await Promise.all(attempts);
    for (const name of names) {
      const mine = results.filter((r) => r.status === 201 && r.body.name === name);
      expect(mine).toHaveLength(1);
    }
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.code === 'HYPERFLEET-CNF-001')).toBe(true);
    const { rows } = await adminQuery(t.db.url, `select name, count(*)::int as n from clusters where name = any($1) and deleted_time is null group by name`, [names]);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(rows).toHaveLength(5);
  });

  it('PATCH with If-Match from 20 clients that read the same version: exactly one wins, the rest get 412', async () => {
    const c = await createCluster(t.http, { spec: { owner: 'nobody' } });
    const etag = (await t.http.get(`${API}/clusters/${c.id}`)).headers.etag;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.http.patch(`${API}/clusters/${c.id}`).set('If-Match', etag).send({ spec: { owner: `client-${i}` } })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(19);
    const final = (await t.http.get(`${API}/clusters/${c.id}`)).body;
    expect(final.spec).toEqual(winners[0].body.spec);
    expect(final.generation).toBe(2);
  });

  it('PATCH without If-Match from 20 clients: every change applied once, in some serial order', async () => {
    const c = await createCluster(t.http, { spec: { n: -1 } });
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { n }, labels: { writer: `w${n}` } })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const byGeneration = new Map(results.map((r) => [r.body.generation as number, r.body]));
    expect([...byGeneration.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const final = (await t.http.get(`${API}/clusters/${c.id}`)).body;
    // the last in the serial order is the one that saw generation 21, spec and labels together
    expect({ spec: final.spec, labels: final.labels }).toEqual({ spec: byGeneration.get(21)!.spec, labels: byGeneration.get(21)!.labels });
  });

  it('deleting while adapters report: the mark and the reports serialize; conditions match the stored statuses', async () => {
    const c = await createCluster(t.http);
    const np = await createNodePool(t.http, c.id);
    const adapters = ['validation', 'dns', 'pullsecret', 'hypershift'];
    const reports = Array.from({ length: 40 }, (_, i) => {
      const adapter = adapters[i % 4];
      const gen = 1 + (i % 2);
      return i % 5 === 0 ? t.http.put(`${API}/clusters/${c.id}/nodepools/${np.id}/statuses`).send(buildReport(i % 2 ? 'validation' : 'hypershift', gen)) : t.http.put(`${API}/clusters/${c.id}/statuses`).send(buildReport(adapter, gen));
    });
    const [deleted, ...answers] = await Promise.all([t.http.delete(`${API}/clusters/${c.id}`), ...reports]);
    expect(deleted.status).toBe(202);
    for (const a of answers) expect([201, 204]).toContain(a.status);

    const cluster = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body;
    expect(cluster).toMatchObject({ generation: 2, deleted_time: expect.any(String) });
    const pool = (await t.http.get(`${API}/clusters/${c.id}/nodepools/${np.id}`).expect(200)).body;
    expect(pool).toMatchObject({ generation: 2, deleted_time: expect.any(String) });
    // the stored conditions are what aggregation gives for the stored statuses (a fixed point)
    const statuses = (await t.http.get(`${API}/clusters/${c.id}/statuses?size=100`)).body.items;
    const recomputed = aggregateConditions({
      generation: cluster.generation,
      refTime: cluster.updated_time,
      requiredAdapters: adapters,
      statuses: statuses.map((s: { adapter: string; observed_generation: number; conditions: never[]; last_report_time: string }) => ({ adapter: s.adapter, observedGeneration: s.observed_generation, conditions: s.conditions, lastReportTime: s.last_report_time })),
      previous: cluster.status.conditions,
      deleting: true,
      hasActiveChildren: true,
    });
    expect(recomputed.map((x) => [x.type, x.status, x.observed_generation])).toEqual(cluster.status.conditions.map((x: { type: string; status: string; observed_generation: number }) => [x.type, x.status, x.observed_generation]));
    expect(cluster.status.conditions[0]).toMatchObject({ type: 'Reconciled', status: 'False' });
  });

  it('node pools created while their cluster is being deleted: none is left live under the marked cluster', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await createCluster(t.http);
      const creates = Array.from({ length: 8 }, (_, i) => t.http.post(`${API}/clusters/${c.id}/nodepools`).send({ kind: 'NodePool', name: `r${round}-${i}`, spec: {} }));
      const [del, ...made] = await Promise.all([t.http.delete(`${API}/clusters/${c.id}`), ...creates]);
      expect(del.status).toBe(202);
      expect(made.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'HYPERFLEET-CNF-003'))).toBe(true);
      const { rows } = await adminQuery(t.db.url, 'select count(*)::int as live from node_pools where owner_id = $1 and deleted_time is null and deleted_at is null', [c.id]);
      expect(rows[0].live).toBe(0);
      const { rows: all } = await adminQuery(t.db.url, 'select count(*)::int as n from node_pools where owner_id = $1', [c.id]);
      expect(all[0].n).toBe(made.filter((r) => r.status === 201).length);
    }
  });
});
