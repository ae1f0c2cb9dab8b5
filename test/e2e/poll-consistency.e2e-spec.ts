import { LIST_CURSOR_TTL_SECONDS, ResourcePages } from '@app/persistence';
import fc from 'fast-check';
import { Client } from 'pg';
import { createCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/** What a client does between two pages of a poll. */
type Churn = { create: number; remove: number; mark: number };

/**
 * A poll read page after page, as the sentinel reads (CONTRACT D17: page 1, 2, … with the same size until it
 * holds `total` items or a page is empty), sees every resource that lives through the poll exactly once,
 * while other clients create, mark and remove resources between its pages.
 */
describe('a poll under churn', () => {
  let t: TestApp;
  /** The live clusters (not removed) the test knows of, by id. */
  const live = new Set<string>();

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_LIST_MAX_SIZE: '500' });
    for (let i = 0; i < 150; i++) live.add((await createCluster(t.http, { labels: { shard: String(i % 3) } })).id);
  }, 120_000);
  afterAll(() => t?.close());

  async function churn(c: Churn, pick: () => number): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    for (let i = 0; i < c.create; i++) live.add((await createCluster(t.http, { labels: { shard: String(i % 3) } })).id);
    for (let i = 0; i < c.mark; i++) {
      const id = [...live][pick() % live.size];
      await t.http.delete(`${API}/clusters/${id}`).expect(202);
    }
    for (let i = 0; i < c.remove && live.size > 20; i++) {
      const id = [...live][pick() % live.size];
      await t.http.delete(`${API}/clusters/${id}`).expect(202);
      await t.http.post(`${API}/clusters/${id}/force-delete`).send({ reason: 'churn' }).expect(204);
      live.delete(id);
      removed.push(id);
    }
    return { removed };
  }

  /** The ids of every cluster a query matches now (one page of 500). */
  async function matching(query: Record<string, string>): Promise<string[]> {
    const res = await t.http.get(`${API}/clusters`).query({ ...query, size: '500' }).expect(200);
    expect(res.body.total).toBeLessThanOrEqual(500);
    return res.body.items.map((i: { id: string }) => i.id);
  }

  it('sees every resource alive for the whole poll exactly once, whatever the page size, order, search and churn', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<Record<string, string>>({}, { order: 'name asc' }, { order: 'created_time asc' }, { search: "labels.shard='1'" }, { search: "labels.shard in ('0','2')", order: 'name desc' }),
        fc.array(fc.record({ create: fc.nat(3), remove: fc.nat(3), mark: fc.nat(2) }), { minLength: 1, maxLength: 40 }),
        fc.infiniteStream(fc.nat()),
        async (size, query, churns, numbers) => {
          const pick = () => numbers.next().value as number;
          const before = new Set(await matching(query));
          const seen: string[] = [];
          const removed = new Set<string>();
          for (let page = 1; ; page++) {
            // a poll whose pages shift under it may never end: it is wrong long before this
            expect(page).toBeLessThanOrEqual(400);
            const res = await t.http.get(`${API}/clusters`).query({ ...query, page: String(page), size: String(size) }).expect(200);
            seen.push(...res.body.items.map((i: { id: string }) => i.id));
            if (seen.length >= res.body.total || res.body.items.length === 0) break;
            for (const id of (await churn(churns[(page - 1) % churns.length], pick)).removed) removed.add(id);
          }
          const counts = new Map<string, number>();
          for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
          // alive for the whole poll: matched at its start and not removed during it
          const missed = [...before].filter((id) => !removed.has(id) && !counts.has(id));
          const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
          expect({ missed, repeated }).toEqual({ missed: [], repeated: [] });
        },
      ),
      // a counterexample is reported as found (shrinking would replay many polls)
      { numRuns: 12, endOnFailure: true },
    );
  }, 300_000);

  it('a poll shows nothing created after its first page, even where it sorts later', async () => {
    // a size that leaves the last page short, so that an item sorting last would be on it
    const { total } = (await t.http.get(`${API}/clusters`).query({ size: '1' }).expect(200)).body;
    const size = [7, 11, 13].find((s) => total % s !== 0)!;
    const page = (n: number) => t.http.get(`${API}/clusters`).query({ order: 'name asc', page: String(n), size: String(size) }).expect(200);
    const first = (await page(1)).body;
    // sorts after every other name: a later page would show it, and the poll would reach its total one page early
    const late = await createCluster(t.http, { name: `zz-${Date.now().toString(36)}` });
    const seen: string[] = first.items.map((i: { id: string }) => i.id);
    for (let n = 2; seen.length < first.total; n++) {
      const body = (await page(n)).body;
      expect(body.items.length).toBeGreaterThan(0);
      seen.push(...body.items.map((i: { id: string }) => i.id));
    }
    expect(seen).not.toContain(late.id);
    expect(new Set(seen).size).toBe(first.total);
    live.add(late.id);
  });

  it("continues a reader's own poll, not another client's poll of the same query", async () => {
    const as = (agent: string, n: number) => t.http.get(`${API}/clusters`).set('User-Agent', agent).query({ page: String(n), size: '5' }).expect(200);
    const a1 = (await as('sentinel-a', 1)).body.items.map((i: { id: string }) => i.id);
    // the newest sorts first: another client's first page now ends one item earlier than the sentinel's
    live.add((await createCluster(t.http)).id);
    const b1 = (await as('ui-b', 1)).body.items.map((i: { id: string }) => i.id);
    expect(b1.slice(1)).toEqual(a1.slice(0, 4));
    const a2 = (await as('sentinel-a', 2)).body.items.map((i: { id: string }) => i.id);
    const all = await matching({});
    // the sentinel's page 2 goes on from its own page 1: the five after it, none of them again
    expect(a2).toEqual(all.slice(6, 11));
    expect(a2).not.toContain(a1[4]);
  });

  it('takes pages up to HYPERFLEET_LIST_MAX_SIZE, and the served document says so', async () => {
    const full = (await t.http.get(`${API}/clusters`).query({ size: '500' }).expect(200)).body;
    expect(full.items).toHaveLength(Math.min(500, full.total));
    const res = await t.http.get(`${API}/clusters`).query({ size: '501' }).expect(400);
    expect(JSON.stringify(res.body.errors)).toContain('size must be at most 500');
    const doc = (await t.http.get(`${API}/openapi`).expect(200)).body;
    const size = doc.paths['/api/hyperfleet/v1/clusters'].get.parameters.find((p: { name: string }) => p.name === 'size');
    expect(size.schema.maximum).toBe(500);
  });

  it('without churn, a poll answers the same total on every page, and pages read again later count from the top', async () => {
    // the polls above removed many
    while (live.size < 130) live.add((await createCluster(t.http)).id);
    const first = (await t.http.get(`${API}/clusters`).query({ page: '1', size: '7' }).expect(200)).body;
    const second = (await t.http.get(`${API}/clusters`).query({ page: '2', size: '7' }).expect(200)).body;
    expect(second.total).toBe(first.total);
    // a page nobody read the page before of (a size no poll above used): its offset from the top
    const jumped = (await t.http.get(`${API}/clusters`).query({ page: '3', size: '41' }).expect(200)).body;
    const all = await matching({});
    expect(all.length).toBeGreaterThan(123);
    expect(jumped.items.map((i: { id: string }) => i.id)).toEqual(all.slice(82, 123));
  });

  it('removes the page ends older than their time to live, and only those', async () => {
    // a poll's first page records where it ended
    await t.http.get(`${API}/clusters`).set('User-Agent', 'expiry-check').query({ page: '1', size: '3' }).expect(200);
    const db = new Client({ connectionString: t.db.url });
    await db.connect();
    try {
      const count = async () => Number((await db.query('select count(*) from list_cursors')).rows[0].count);
      const fresh = await count();
      expect(fresh).toBeGreaterThan(0);
      await db.query(
        `insert into list_cursors (list_key, page, last_keys, total, since, written_at)
         values ('stale-poll', 1, array['x'], 1, now(), now() - make_interval(secs => $1 + 1))`,
        [LIST_CURSOR_TTL_SECONDS],
      );
      expect(await t.app.get(ResourcePages).expireEnds()).toBe(1);
      expect(await count()).toBe(fresh);
      expect((await db.query(`select 1 from list_cursors where list_key = 'stale-poll'`)).rowCount).toBe(0);
    } finally {
      await db.end();
    }
  });
});
