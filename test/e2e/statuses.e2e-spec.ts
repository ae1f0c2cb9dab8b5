import { adminQuery } from '../setup/pg-admin';
import { buildReport, nextObservedTime } from '../factories/adapter-status.factory';
import { createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const UNKNOWN = '01939a6e-0000-7000-8000-000000000000';
const CLUSTER_ADAPTERS = ['validation', 'dns', 'pullsecret', 'hypershift'];

type Condition = { type: string; status: string; reason?: string; message?: string; observed_generation: number; last_transition_time: string; last_updated_time: string; created_time: string };
const byType = (resource: { status: { conditions: Condition[] } }, type: string) => resource.status.conditions.find((c) => c.type === type)!;

describe('adapter statuses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const put = (path: string, body: Record<string, unknown>) => t.http.put(`${API}${path}/statuses`).send(body);
  const cluster = async () => `/clusters/${(await createCluster(t.http)).id}`;

  describe('reporting', () => {
    it('stores a first report: 201 with the status, times from observed_time, data {} by default', async () => {
      const path = await cluster();
      const observed = nextObservedTime();
      const res = await put(path, buildReport('validation', 1, { observed_time: observed, extra: { metadata: { job_name: 'v-1', attempt: 1 } } })).expect(201);
      expect(res.body).toEqual({
        adapter: 'validation',
        observed_generation: 1,
        conditions: [
          { type: 'Available', status: 'True', reason: 'AllGood', message: 'validation is available', last_transition_time: observed },
          { type: 'Applied', status: 'True', reason: 'Applied', last_transition_time: observed },
          { type: 'Health', status: 'True', reason: 'Healthy', last_transition_time: observed },
        ],
        data: {},
        metadata: { job_name: 'v-1', attempt: 1 },
        created_time: observed,
        last_report_time: observed,
      });
    });

    it('updates the status: keeps created_time, moves last_report_time, keeps last_transition_time while a status is unchanged', async () => {
      const path = await cluster();
      const first = (await put(path, buildReport('dns', 1, { available: 'False' })).expect(201)).body;
      const later = nextObservedTime();
      const res = await put(path, buildReport('dns', 1, { observed_time: later, extra: { data: { zone: 'a' } } })).expect(201);
      expect(res.body.created_time).toBe(first.created_time);
      expect(res.body.last_report_time).toBe(later);
      expect(res.body.data).toEqual({ zone: 'a' });
      const avail = res.body.conditions.find((c: Condition) => c.type === 'Available');
      const applied = res.body.conditions.find((c: Condition) => c.type === 'Applied');
      expect(avail).toMatchObject({ status: 'True', last_transition_time: later });
      expect(applied.last_transition_time).toBe(first.created_time);
    });

    it('uses the server time when observed_time is omitted', async () => {
      const path = await cluster();
      const before = Date.now();
      const res = await put(path, buildReport('dns', 1, { observed_time: null })).expect(201);
      expect(Date.parse(res.body.last_report_time)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(res.body.last_report_time)).toBeLessThanOrEqual(Date.now() + 5);
    });

    it('serves POST with the same semantics as PUT (older adapters)', async () => {
      const path = await cluster();
      const res = await t.http.post(`${API}${path}/statuses`).send(buildReport('pullsecret', 1)).expect(201);
      expect(res.body.adapter).toBe('pullsecret');
      expect((await t.http.get(`${API}${path}/statuses`).expect(200)).body.items).toEqual([res.body]);
    });

    it('POST answers a discarded report with 200 and a JSON body, the stored status or the report as received, and X-HyperFleet-Discarded; PUT keeps 204 (D16)', async () => {
      const owner = await createCluster(t.http);
      const nodePool = `/clusters/${owner.id}/nodepools/${(await createNodePool(t.http, owner.id)).id}`;
      for (const path of [await cluster(), nodePool]) {
        const stored = (await put(path, buildReport('validation', 1)).expect(201)).body;

        // an adapter with a stored status: its stored status, for each discard rule
        const newer = await t.http.post(`${API}${path}/statuses`).send(buildReport('validation', 7)).expect(200);
        expect(newer.headers['content-type']).toMatch(/^application\/json/);
        expect(newer.headers['x-hyperfleet-discarded']).toBe("observed_generation 7 is newer than the resource's generation 1");
        expect(newer.body).toEqual(stored);
        const older = await t.http.post(`${API}${path}/statuses`).send(buildReport('validation', 1, { observed_time: new Date(Date.parse(stored.last_report_time) - 1000).toISOString() })).expect(200);
        expect(older.headers['x-hyperfleet-discarded']).toBe('a newer report for this generation is already stored');
        expect(older.body).toEqual(stored);
        const unknown = await t.http.post(`${API}${path}/statuses`).send(buildReport('validation', 1, { available: 'Unknown' })).expect(200);
        expect(unknown.headers['x-hyperfleet-discarded']).toBe("Available=Unknown is only stored as an adapter's first report");
        expect(unknown.body).toEqual(stored);

        // none stored: the report as received, and still nothing stored
        const report = buildReport('hypershift', 3, { extra: { data: { note: 'é' }, metadata: { job_name: 'j-1' } } });
        const received = await t.http.post(`${API}${path}/statuses`).send(report).expect(200);
        expect(received.headers['x-hyperfleet-discarded']).toBe("observed_generation 3 is newer than the resource's generation 1");
        expect(received.body).toEqual(report);
        const bare = buildReport('dns', 2, { observed_time: null });
        expect((await t.http.post(`${API}${path}/statuses`).send(bare).expect(200)).body).toEqual(bare);

        // PUT: 204 without a body
        const viaPut = await put(path, buildReport('validation', 7)).expect(204);
        expect(viaPut.headers['x-hyperfleet-discarded']).toBe("observed_generation 7 is newer than the resource's generation 1");
        expect(viaPut.text).toBe('');
        expect((await t.http.get(`${API}${path}/statuses`).expect(200)).body.items).toEqual([stored]);
      }
    });

    it('POST /resources/{id}/statuses answers a discarded report as the kinds\' POST does (D16)', async () => {
      const { id } = await createCluster(t.http);
      const stored = (await t.http.put(`${API}/resources/${id}/statuses`).send(buildReport('dns', 1)).expect(201)).body;
      const res = await t.http.post(`${API}/resources/${id}/statuses`).send(buildReport('dns', 4)).expect(200);
      expect(res.headers['x-hyperfleet-discarded']).toBe("observed_generation 4 is newer than the resource's generation 1");
      expect(res.body).toEqual(stored);
      const report = buildReport('pullsecret', 4);
      expect((await t.http.post(`${API}/resources/${id}/statuses`).send(report).expect(200)).body).toEqual(report);
      await t.http.put(`${API}/resources/${id}/statuses`).send(report).expect(204);
    });

    it.each([
      ['adapter missing', { adapter: undefined }, 'adapter is required'],
      ['adapter empty', { adapter: '' }, 'adapter is required'],
      // longer names broke the unique index on (owner, adapter) with a 500 (btree row size)
      ['adapter over 255 characters', { adapter: 'a'.repeat(256) }, 'adapter must be at most 255 characters'],
      ['observed_generation missing', { observed_generation: undefined }, 'observed_generation must be >= 1'],
      ['observed_generation 0', { observed_generation: 0 }, 'observed_generation must be >= 1'],
      ['observed_generation a string', { observed_generation: 'one' }, "field 'observed_generation' must be an integer"],
      ['an empty condition type', { conditions: [{ type: 'Available', status: 'True' }, { type: ' ', status: 'True' }] }, 'condition type cannot be empty at index 1'],
      ['a duplicate condition type', { conditions: [{ type: 'Available', status: 'True' }, { type: 'Available', status: 'False' }] }, "duplicate condition type 'Available' at index 1"],
      ['an invalid status', { conditions: [{ type: 'Available', status: 'true' }] }, "invalid status value 'true' for condition at index 0 (type: Available): must be 'True', 'False', or 'Unknown'"],
      ['conditions not an array', { conditions: { Available: 'True' } }, "field 'conditions' must be an array"],
      ['observed_time 6 minutes ahead', { observed_time: new Date(Date.now() + 6 * 60_000).toISOString() }, 'observed_time must not be more than 5m0s in the future'],
      ['observed_time 31 minutes old', { observed_time: new Date(Date.now() - 31 * 60_000).toISOString() }, 'observed_time must not be more than 30m0s in the past'],
      ['observed_time not a time', { observed_time: 'yesterday' }, "field 'observed_time' must be an RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z)"],
      ['data not an object', { data: [1] }, "field 'data' must be an object"],
    ])('rejects %s with 400 VAL-000', async (_case, override, detail) => {
      const path = await cluster();
      const body = { ...buildReport('validation', 1), ...override };
      for (const [k, v] of Object.entries(override)) if (v === undefined) delete (body as Record<string, unknown>)[k];
      expect(expectProblem(await put(path, body), 400, 'HYPERFLEET-VAL-000').detail).toBe(detail);
    });

    it('accepts an adapter name of 255 characters, and rejects U+0000 anywhere in a report with 400 VAL-006 (PostgreSQL cannot store it)', async () => {
      const path = await cluster();
      await put(path, buildReport('a'.repeat(255), 1)).expect(201);
      const conditions = [{ type: 'Available', status: 'True', reason: 'a\u0000b' }, { type: 'Applied', status: 'True' }, { type: 'Health', status: 'True' }];
      for (const body of [buildReport('nul\u0000', 1), { ...buildReport('dns', 1), conditions }, buildReport('dns', 1, { extra: { data: { 'k\u0000': 1 } } })])
        expect(expectProblem(await put(path, body), 400, 'HYPERFLEET-VAL-006').detail).toMatch(/^Invalid request format: .*must not contain the NUL character/);
      expect((await t.http.get(`${API}${path}/statuses`).expect(200)).body.total).toBe(1);
    });

    it('requires Available, Applied and Health (after the discard rules)', async () => {
      const path = await cluster();
      const noHealth = buildReport('validation', 1);
      noHealth.conditions = (noHealth.conditions as Condition[]).filter((c) => c.type !== 'Health');
      expect(expectProblem(await put(path, noHealth), 400, 'HYPERFLEET-VAL-000').detail).toBe("missing mandatory condition 'Health': all adapters must report Available, Applied, and Health");
      // a report for a future generation is discarded before its conditions are looked at
      await put(path, { ...noHealth, observed_generation: 5 }).expect(204);
    });

    it('is 404 for unknown, foreign and removed resources', async () => {
      expectProblem(await put(`/clusters/${UNKNOWN}`, buildReport('dns', 1)), 404, 'HYPERFLEET-NTF-001');
      const c = await createCluster(t.http);
      const other = await createCluster(t.http);
      const np = await createNodePool(t.http, c.id);
      expectProblem(await put(`/clusters/${c.id}/nodepools/${UNKNOWN}`, buildReport('dns', 1)), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await put(`/clusters/${other.id}/nodepools/${np.id}`, buildReport('dns', 1)), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await put(`/clusters/${UNKNOWN}/nodepools/${np.id}`, buildReport('dns', 1)), 404, 'HYPERFLEET-NTF-001');
      await t.http.delete(`${API}/clusters/${other.id}`).expect(202);
      await t.http.post(`${API}/clusters/${other.id}/force-delete`).send({ reason: 'test' }).expect(204);
      expectProblem(await put(`/clusters/${other.id}`, buildReport('dns', 1)), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.get(`${API}/clusters/${other.id}/statuses`), 404, 'HYPERFLEET-NTF-001');
    });
  });

  describe('discard rules (204, nothing stored)', () => {
    it('discards a report for a newer generation than the resource has', async () => {
      const path = await cluster();
      const res = await put(path, buildReport('validation', 2)).expect(204);
      expect(res.text).toBe('');
      expect((await t.http.get(`${API}${path}/statuses`)).body.total).toBe(0);
    });

    it('discards a report older than the stored one (generation, then observed_time)', async () => {
      const c = await createCluster(t.http);
      const path = `/clusters/${c.id}`;
      await t.http.patch(`${API}${path}`).send({ spec: { v: 2 } }).expect(200);
      const early = nextObservedTime();
      const late = nextObservedTime();
      await put(path, buildReport('dns', 2, { observed_time: late })).expect(201);
      await put(path, buildReport('dns', 1, { observed_time: nextObservedTime() })).expect(204);
      await put(path, buildReport('dns', 2, { observed_time: early, available: 'False' })).expect(204);
      const stored = (await t.http.get(`${API}${path}/statuses`)).body.items[0];
      expect(stored).toMatchObject({ observed_generation: 2, last_report_time: late });
      expect(stored.conditions[0].status).toBe('True');
    });

    it('stores Available=Unknown only as a first report, without touching the conditions', async () => {
      const c = await createCluster(t.http);
      const path = `/clusters/${c.id}`;
      const res = await put(path, buildReport('hypershift', 1, { available: 'Unknown' })).expect(201);
      expect(res.body.conditions[0].status).toBe('Unknown');
      expect((await t.http.get(`${API}${path}`)).body.status).toEqual(c.status);
      await put(path, buildReport('hypershift', 1, { available: 'Unknown' })).expect(204);
    });

    it('answers an identical repeat with the stored status and writes nothing', async () => {
      const path = await cluster();
      const report = buildReport('validation', 1);
      const first = await put(path, report).expect(201);
      t.queries.length = 0;
      const again = await put(path, report).expect(201);
      expect(again.body).toEqual(first.body);
      const writes = t.queries.filter((q) => /^\s*(insert|update|delete)\b/i.test(q));
      expect(writes).toEqual([]);
    });
  });

  describe('listing', () => {
    it('lists statuses oldest first, then by adapter, paginated; search and order are ignored', async () => {
      const path = await cluster();
      const same = nextObservedTime();
      for (const a of ['pullsecret', 'dns']) await put(path, buildReport(a, 1, { observed_time: same })).expect(201);
      await put(path, buildReport('validation', 1)).expect(201);
      const res = await t.http.get(`${API}${path}/statuses?order=adapter%20desc&search=whatever`).expect(200);
      expect(res.body).toMatchObject({ kind: 'AdapterStatusList', page: 1, size: 3, total: 3 });
      expect(res.body.items.map((s: { adapter: string }) => s.adapter)).toEqual(['dns', 'pullsecret', 'validation']);
      const page2 = await t.http.get(`${API}${path}/statuses?size=2&page=2`).expect(200);
      expect(page2.body).toMatchObject({ page: 2, size: 1, total: 3 });
      expectProblem(await t.http.get(`${API}${path}/statuses?size=0`), 400, 'HYPERFLEET-VAL-000');
      expectProblem(await t.http.get(`${API}/clusters/${UNKNOWN}/statuses`), 404, 'HYPERFLEET-NTF-001');
    });
  });

  describe('aggregation into conditions (§5.8 B)', () => {
    it('Reconciled and LastKnownReconciled follow the required adapters; PATCH and DELETE move them', async () => {
      const c = await createCluster(t.http);
      const path = `/clusters/${c.id}`;
      const times: Record<string, string> = {};
      for (const a of CLUSTER_ADAPTERS.slice(0, 3)) {
        times[a] = nextObservedTime();
        await put(path, buildReport(a, 1, { observed_time: times[a] })).expect(201);
      }
      let r = (await t.http.get(`${API}${path}`)).body;
      expect(byType(r, 'Reconciled')).toMatchObject({ status: 'False', reason: 'ReconciledMissingAdapters', message: 'Required adapters not reporting Available=True: [hypershift]. Currently reporting: [dns, pullsecret, validation]' });
      expect(r.status.conditions.map((x: Condition) => x.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'ValidationSuccessful', 'DnsSuccessful', 'PullsecretSuccessful']);

      // an adapter that is not required never shows up
      await put(path, buildReport('extra-checker', 1)).expect(201);
      times.hypershift = nextObservedTime();
      await put(path, buildReport('hypershift', 1, { observed_time: times.hypershift })).expect(201);
      r = (await t.http.get(`${API}${path}`)).body;
      expect(r.status.conditions.map((x: Condition) => x.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'ValidationSuccessful', 'DnsSuccessful', 'PullsecretSuccessful', 'HypershiftSuccessful']);
      expect(byType(r, 'Reconciled')).toMatchObject({ status: 'True', reason: 'ReconciledAll', observed_generation: 1, last_updated_time: times.validation, last_transition_time: times.validation, created_time: c.created_time });
      expect(byType(r, 'LastKnownReconciled')).toMatchObject({ status: 'True', reason: 'AllAdaptersReconciled', observed_generation: 1 });
      expect(byType(r, 'DnsSuccessful')).toMatchObject({ status: 'True', reason: 'AllGood', message: 'dns is available', observed_generation: 1, last_updated_time: times.dns });
      expect(r.generation).toBe(1);

      // a spec change: Reconciled drops at once (transition at the resource's updated_time); LastKnownReconciled sticks
      const patched = (await t.http.patch(`${API}${path}`).send({ spec: { v: 2 } }).expect(200)).body;
      expect(byType(patched, 'Reconciled')).toMatchObject({ status: 'False', observed_generation: 2, last_transition_time: patched.updated_time });
      expect(byType(patched, 'LastKnownReconciled')).toMatchObject({ status: 'True', observed_generation: 1 });

      for (const a of CLUSTER_ADAPTERS) await put(path, buildReport(a, 2)).expect(201);
      r = (await t.http.get(`${API}${path}`)).body;
      expect(byType(r, 'Reconciled')).toMatchObject({ status: 'True', observed_generation: 2 });
      expect(byType(r, 'LastKnownReconciled')).toMatchObject({ status: 'True', observed_generation: 2 });

      // an adapter reports Available=False at the tracked generation: both drop
      await put(path, buildReport('dns', 2, { available: 'False' })).expect(201);
      r = (await t.http.get(`${API}${path}`)).body;
      expect(byType(r, 'Reconciled')).toMatchObject({ status: 'False', message: 'Required adapters not reporting Available=True: [dns]. Currently reporting: [dns, hypershift, pullsecret, validation]' });
      expect(byType(r, 'LastKnownReconciled')).toMatchObject({ status: 'False', reason: 'AdapterReportedNotAvailable' });
      expect(byType(r, 'DnsSuccessful')).toMatchObject({ status: 'False' });

      // DELETE: generation +1, Reconciled now waits for Finalized=True
      const deleted = (await t.http.delete(`${API}${path}`).expect(202)).body;
      expect(byType(deleted, 'Reconciled')).toMatchObject({ status: 'False', observed_generation: 3, message: expect.stringMatching(/^Required adapters not reporting Finalized=True: \[dns, hypershift, pullsecret, validation\]/) });
    });

    it('aggregates node pools over their own required adapters', async () => {
      const c = await createCluster(t.http);
      const np = await createNodePool(t.http, c.id);
      const path = `/clusters/${c.id}/nodepools/${np.id}`;
      await put(path, buildReport('validation', 1)).expect(201);
      await put(path, buildReport('dns', 1)).expect(201);
      let r = (await t.http.get(`${API}${path}`)).body;
      expect(byType(r, 'Reconciled')).toMatchObject({ status: 'False', message: 'Required adapters not reporting Available=True: [hypershift]. Currently reporting: [validation]' });
      await put(path, buildReport('hypershift', 1)).expect(201);
      r = (await t.http.get(`${API}${path}`)).body;
      expect(r.status.conditions.map((x: Condition) => [x.type, x.status])).toEqual([
        ['Reconciled', 'True'],
        ['LastKnownReconciled', 'True'],
        ['ValidationSuccessful', 'True'],
        ['HypershiftSuccessful', 'True'],
      ]);
      // the cluster is not affected by its node pool's reports
      expect(byType((await t.http.get(`${API}/clusters/${c.id}`)).body, 'Reconciled').status).toBe('False');
    });
  });

  describe('finalization (R5.6 with D4)', () => {
    it('removes a node pool once every required adapter reports Finalized=True at its generation', async () => {
      const c = await createCluster(t.http);
      const np = await createNodePool(t.http, c.id);
      const path = `/clusters/${c.id}/nodepools/${np.id}`;
      await put(path, buildReport('validation', 1)).expect(201);
      const marked = (await t.http.delete(`${API}${path}`).expect(202)).body;
      expect(marked.generation).toBe(2);
      // Finalized at an older generation does not count
      await put(path, buildReport('validation', 1, { finalized: true })).expect(201);
      await put(path, buildReport('hypershift', 2, { finalized: true })).expect(201);
      await t.http.get(`${API}${path}`).expect(200);
      const last = await put(path, buildReport('validation', 2, { finalized: true })).expect(201);
      expect(last.body).toMatchObject({ adapter: 'validation', observed_generation: 2 });
      expectProblem(await t.http.get(`${API}${path}`), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.get(`${API}${path}/statuses`), 404, 'HYPERFLEET-NTF-001');
      const { rows } = await adminQuery(t.db.url, 'select count(*) filter (where deleted_at is null)::int as live, count(*)::int as total from adapter_statuses where owner_id = $1', [np.id]);
      expect(rows[0]).toEqual({ live: 0, total: 2 });
    });

    it('removes a cluster only after its node pools are gone, on its next qualifying report', async () => {
      const c = await createCluster(t.http);
      const np = await createNodePool(t.http, c.id);
      const cpath = `/clusters/${c.id}`;
      const npath = `${cpath}/nodepools/${np.id}`;
      await t.http.delete(`${API}${cpath}`).expect(202);
      for (const a of CLUSTER_ADAPTERS) await put(cpath, buildReport(a, 2, { finalized: true })).expect(201);
      const waiting = (await t.http.get(`${API}${cpath}`).expect(200)).body;
      expect(byType(waiting, 'Reconciled')).toMatchObject({ status: 'False', reason: 'ReconciledWaitingForChildren' });

      for (const a of ['validation', 'hypershift']) await put(npath, buildReport(a, 2, { finalized: true })).expect(201);
      expectProblem(await t.http.get(`${API}${npath}`), 404, 'HYPERFLEET-NTF-001');
      await t.http.get(`${API}${cpath}`).expect(200);

      await put(cpath, buildReport('dns', 2, { finalized: true })).expect(201);
      expectProblem(await t.http.get(`${API}${cpath}`), 404, 'HYPERFLEET-NTF-001');
      expect((await t.http.get(`${API}/clusters?size=100`)).body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    });

    it('does not remove a resource that is not marked for deletion', async () => {
      const path = await cluster();
      for (const a of CLUSTER_ADAPTERS) await put(path, buildReport(a, 1, { finalized: true })).expect(201);
      await t.http.get(`${API}${path}`).expect(200);
    });
  });
});
