import { buildReport, nextObservedTime } from '../factories/adapter-status.factory';
import { createCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const ADAPTERS = ['validation', 'dns', 'pullsecret', 'hypershift', 'extra'];

/** A small seeded PRNG so the race is the same race every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Report = Record<string, unknown> & { adapter: string; observed_generation: number; observed_time: string };

describe('concurrent status reports', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '20' });
  });
  afterAll(() => t?.close());

  async function clusterAtGeneration3(): Promise<{ id: string; updated_time: string }> {
    const c = await createCluster(t.http);
    await t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { v: 2 } }).expect(200);
    return (await t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { v: 3 } }).expect(200)).body;
  }

  it('64 reports from many adapters at once serialize: the result equals a sequential replay of them', async () => {
    const rand = mulberry32(42);
    const reports: Report[] = [];
    for (let i = 0; i < 60; i++) {
      const adapter = ADAPTERS[Math.floor(rand() * ADAPTERS.length)];
      const generation = 1 + Math.floor(rand() * 4); // 4 is newer than the resource: always discarded
      reports.push(buildReport(adapter, generation, { available: rand() < 0.7 ? 'True' : 'False', extra: { data: { i } } }) as Report);
    }
    // each required adapter's newest report is Available=True at the current generation
    for (const adapter of ADAPTERS.slice(0, 4)) reports.push(buildReport(adapter, 3, { available: 'True', extra: { data: { final: adapter } } }) as Report);
    const order = reports.map((r, i) => [rand(), i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => reports[i]);

    const raced = await clusterAtGeneration3();
    const results = await Promise.all(order.map((r) => t.http.put(`${API}/clusters/${raced.id}/statuses`).send(r)));
    for (const [i, res] of results.entries()) {
      expect([201, 204]).toContain(res.status);
      if (order[i].observed_generation > 3) expect(res.status).toBe(204);
    }

    const replayed = await clusterAtGeneration3();
    const sequential = [...reports].filter((r) => r.observed_generation <= 3).sort((a, b) => a.observed_generation - b.observed_generation || a.observed_time.localeCompare(b.observed_time));
    for (const r of sequential) expect((await t.http.put(`${API}/clusters/${replayed.id}/statuses`).send(r)).status).toBe(201);

    // the stored statuses are exactly those of the replay (no lost or out-of-order write)
    // (created_time and transition times record which report came first, so they are left out)
    const statuses = async (id: string) =>
      (await t.http.get(`${API}/clusters/${id}/statuses?size=100`).expect(200)).body.items
        .map((s: Record<string, unknown> & { conditions: Record<string, unknown>[] }) => ({ ...s, created_time: undefined, conditions: s.conditions.map((c) => ({ ...c, last_transition_time: undefined })) }))
        .sort((a: { adapter: string }, b: { adapter: string }) => a.adapter.localeCompare(b.adapter));
    const racedStatuses = await statuses(raced.id);
    expect(racedStatuses).toHaveLength(ADAPTERS.length);
    expect(racedStatuses).toEqual(await statuses(replayed.id));
    for (const s of racedStatuses) {
      const newest = sequential.filter((r) => r.adapter === s.adapter).pop()!;
      expect(s).toMatchObject({ observed_generation: newest.observed_generation, last_report_time: newest.observed_time, data: newest.data });
    }

    // and so are the aggregated conditions (transition times aside: they record the order of events)
    const conditions = async (c: { id: string; updated_time: string }) => {
      const body = (await t.http.get(`${API}/clusters/${c.id}`).expect(200)).body;
      const ref = (v: string) => (v === c.updated_time ? 'updated_time' : v === body.created_time ? 'created_time' : v);
      return body.status.conditions.map((x: Record<string, string>) => ({ ...x, created_time: ref(x.created_time), last_updated_time: ref(x.last_updated_time), last_transition_time: undefined }));
    };
    const racedConditions = await conditions(raced);
    expect(racedConditions).toEqual(await conditions(replayed));
    expect(racedConditions.map((c: { type: string; status: string }) => [c.type, c.status])).toEqual([
      ['Reconciled', 'True'],
      ['LastKnownReconciled', 'True'],
      ['ValidationSuccessful', 'True'],
      ['DnsSuccessful', 'True'],
      ['PullsecretSuccessful', 'True'],
      ['HypershiftSuccessful', 'True'],
    ]);
    expect(nextObservedTime() > sequential[sequential.length - 1].observed_time).toBe(true);
  });
});
