import { responseFlowOf } from '@app/common';
import { ResourcePages } from '@app/persistence';
import type { AddressInfo } from 'node:net';
import { createCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { unreadRequests } from '../support/unread';
import { until } from '../support/until';

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

  it('a batch holds at most list.batch_bytes of items, or one item larger than that alone, and no fewer items than fit', async () => {
    const pages = t.app.get(ResourcePages);
    // small, big, small ones, big, small ones: the walk meets items that fit and items that do not
    const order = [...ids.slice(6, 10), ids[0], ...ids.slice(10, 46), ids[1], ...ids.slice(46)];
    const texts = await gets(order);
    const batches: string[][] = [];
    for await (const batch of pages.batches({ ids: order, kinds: order.map(() => 'Cluster') })) {
      const items = texts.slice(batches.flat().length, batches.flat().length + batch.count);
      expect(batch.parts.join('')).toBe(items.join(','));
      batches.push(items);
    }
    expect(batches.flat()).toEqual(texts);
    const bytes = (items: string[]) => Buffer.byteLength(items.join(','));
    for (const [i, batch] of batches.entries()) {
      // within the budget, or a single item larger than it
      expect(batch.length === 1 || bytes(batch) <= BATCH_BYTES).toBe(true);
      // the next batch's first item would not have fit
      if (i + 1 < batches.length) expect(bytes([...batch, batches[i + 1][0]])).toBeGreaterThan(BATCH_BYTES);
    }
    expect(batches.filter((b) => b.length === 1 && bytes(b) > BATCH_BYTES)).toHaveLength(2);
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

/**
 * A page within one batch is written whole, with its Content-Length, in one write; when the client reads
 * none of it, what the socket could not take stays in the process. That response is watched from its end
 * (ResponseFlow.ended): its unsent bytes are counted while it waits, and it is cut once its client took
 * nothing for `server.write_timeout`. A page of ~24 MB (more than loopback's socket buffers take) and a
 * batch budget above it make one such write.
 */
describe('a page sent in one write to a client that never reads', () => {
  let t: TestApp;
  const WRITE_TIMEOUT_MS = 500;
  const search = `/clusters?size=100&search=${encodeURIComponent("labels.set='one'")}`;

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_LIST_BATCH_BYTES: String(64 * 1024 * 1024), HYPERFLEET_SERVER_WRITE_TIMEOUT: `${WRITE_TIMEOUT_MS}ms` });
    await t.app.listen(0, '127.0.0.1');
    const blob = 'y'.repeat(200_000);
    for (let i = 0; i < 30; i++) await createCluster(t.http, { name: `one-${i}`, labels: { set: 'one' }, spec: { a: blob, b: blob, c: blob, d: blob } });
  }, 60_000);
  afterAll(() => t?.close());

  it('counts its unsent bytes while it waits and cuts it after the write timeout', async () => {
    const flow = responseFlowOf(t.app.getHttpAdapter().getInstance().response)!;
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const socket = unreadRequests(port, [`${API}${search}`]);
    const received: Buffer[] = [];
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (c: Buffer) => received.push(c));
    const sent = Date.now();
    await until(() => flow.unsent > 0, 'the unsent bytes counted');
    const held = flow.unsent;
    const cut = () => t.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('response cut'));
    await until(() => cut().length === 1, 'the response cut');
    const cutAfter = Date.now() - sent;
    // what it held is given back when its connection closes
    await until(() => flow.unsent === 0, 'the unsent bytes given back');
    socket.resume();
    await closed;
    const bytes = Buffer.concat(received);
    const head = bytes.subarray(0, bytes.indexOf('\r\n\r\n')).toString();
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    expect(head.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(length).toBeGreaterThan(20_000_000);
    // the socket took part of it; the rest was held, then dropped with the connection
    expect(held).toBeGreaterThan(1_000_000);
    expect(bytes.length - head.length - 4).toBeLessThan(length);
    expect(cutAfter).toBeGreaterThanOrEqual(WRITE_TIMEOUT_MS);
    expect(flow.cut).toBe(1);
  });
});
