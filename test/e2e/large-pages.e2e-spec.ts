import { ResourcePages } from '@app/persistence';
import { createCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const BATCH_BYTES = 64 * 1024;

/**
 * A list page whose items render larger than `list.batch_bytes` (issue 21) is read and sent in batches: the
 * first statement renders items until the batch is full and names the rest, each later batch renders the
 * next ones when the client took the one before. The answer is chunked, `size` comes after the items, and
 * every item is the same bytes as its GET. Items of ~100 KB (more than a batch; characters of two to four
 * bytes) take one batch each.
 */
describe('large list pages, in batches', () => {
  let t: TestApp;
  const ids: string[] = [];
  // characters of two, three and four bytes, ~100 KB in all
  const blob = `${'é日本😀 '.repeat(9000)}`;

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_LIST_BATCH_BYTES: String(BATCH_BYTES) });
    for (let i = 0; i < 6; i++) ids.push((await createCluster(t.http, { name: `big-${i}`, labels: { set: 'big' }, spec: { i, blob } })).id);
    // and small ones, which share batches
    for (let i = 0; i < 40; i++) ids.push((await createCluster(t.http, { name: `small-${String(i).padStart(2, '0')}`, labels: { set: 'big' } })).id);
  }, 60_000);
  afterAll(() => t?.close());

  const gets = async (order: string[]): Promise<string[]> => Promise.all(order.map(async (id) => (await t.http.get(`${API}/clusters/${id}`).expect(200)).text));

  it('sends every item, byte for byte as its GET, in order, chunked, with size after the items', async () => {
    const path = `${API}/clusters?size=100&search=${encodeURIComponent("labels.set='big'")}&order=name asc`;
    t.statements.length = 0;
    const res = await t.http.get(path).expect(200);
    const batches = t.statements.filter((s) => s.sql.includes('with recursive "o" as (select cast('));
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const order = [...ids.slice(0, 6), ...ids.slice(6)]; // big-* sort before small-*
    const items = await gets(order);
    expect(res.text).toBe(`{"kind":"ClusterList","page":1,"total":46,"items":[${items.join(',')}],"size":46}`);
    // the first statement held one big item, each later one the next (and the small ones the last)
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(batches.length).toBeLessThanOrEqual(7);
  });

  it('a page within one batch is one statement and one write with its Content-Length', async () => {
    t.statements.length = 0;
    const res = await t.http.get(`${API}/clusters?size=10&search=${encodeURIComponent("labels.set='big'")}&order=name desc`).expect(200);
    expect(t.statements.filter((s) => s.sql.includes('with recursive "o" as (select cast('))).toHaveLength(0);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body).toMatchObject({ page: 1, size: 10, total: 46 });
  });

  it('GET /resources sends a large page in batches too, each item rendered by its kind', async () => {
    const res = await t.http.get(`${API}/resources?size=100&order=name asc&search=${encodeURIComponent("name like 'big-%'")}`).expect(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text).toBe(`{"kind":"ResourceList","page":1,"total":6,"items":[${(await gets(ids.slice(0, 6))).join(',')}],"size":6}`);
  });

  it('a later batch passes over an item removed since its page was read', async () => {
    const pages = t.app.get(ResourcePages);
    const gone = (await createCluster(t.http, { name: 'gone' })).id;
    await t.http.delete(`${API}/clusters/${gone}`).expect(202);
    await t.http.post(`${API}/clusters/${gone}/force-delete`).send({ reason: 'test' }).expect(204);
    // each batch is its items joined by commas (sendPage puts one between batches)
    const read: string[] = [];
    let count = 0;
    for await (const batch of pages.batches({ ids: [ids[0], gone, ids[1]], kinds: ['Cluster', 'Cluster', 'Cluster'] })) {
      if (batch.count > 0) read.push(batch.parts.join(''));
      count += batch.count;
    }
    expect(count).toBe(2);
    expect(read.join(',')).toBe((await gets([ids[0], ids[1]])).join(','));
  });
});
