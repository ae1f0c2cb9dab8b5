import { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from '@app/common';
import { Cluster, Label, NodePool, OwnerType, ResourceEntity, ResourceRecord, StoredText } from '@app/persistence';
import { presentResource } from '../../apps/api/src/kinds/kind.presenter';
import { createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { buildReport } from '../factories/adapter-status.factory';
import { adminQuery } from '../setup/pg-admin';
import { CHART_KINDS_ENV } from '../support/chart-kinds';
import { labelsText } from '../support/integrity';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/** Strings that need escaping or are outside ASCII, for every place a string can be. */
const AWKWARD = 'quote " backslash \\ slash / newline \n tab \t cr \r bell \u0007 del \u007f é 日本 😀 \u2028 \'';

const condition = (type: string, extra: Record<string, unknown>) => ({
  type,
  status: 'False',
  ...extra,
  observed_generation: 2,
  created_time: '2026-01-02T03:04:05.678Z',
  last_updated_time: '2026-01-02T03:04:06.000Z',
  last_transition_time: '2026-01-02T03:04:05.678Z',
});

/**
 * GET by id and the lists send JSON that PostgreSQL rendered (libs/persistence resource-json.ts); the
 * write answers are written in JavaScript (apps/api kind.presenter.ts) around the stored text of spec,
 * labels and conditions that the write's statement returned. A resource is the same bytes whichever
 * route sends it (issue 22.11): here the JavaScript presenter, given a row as MikroORM reads it and its
 * stored text, against the SQL rendering of every awkward row; and every write answer against the GET and
 * the list that follow it.
 */
describe('one rendering of a resource, byte for byte', () => {
  let t: TestApp;
  const clusters: string[] = [];
  const nodePools: { clusterId: string; id: string }[] = [];

  /** Inserts a row as the app would store it, with the given columns (ids, times, raw jsonb text). */
  async function insert(table: 'clusters' | 'node_pools', columns: Record<string, unknown>): Promise<string> {
    const id = uuidv7();
    const row: Record<string, unknown> = {
      id,
      name: `r-${id.slice(-8)}`,
      spec: '{}',
      conditions: '[]',
      created_time: '2026-01-02T03:04:05.678Z',
      updated_time: '2026-01-02T03:04:05.678Z',
      created_by: 'ann@example.com',
      updated_by: 'ann@example.com',
      ...columns,
    };
    const names = Object.keys(row);
    await adminQuery(t.db.url, `insert into ${table} (${names.join(', ')}) values (${names.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
    return id;
  }

  async function label(ownerType: OwnerType, ownerId: string, labels: Record<string, string>, deletedAt: string | null = null): Promise<void> {
    for (const [key, value] of Object.entries(labels)) await adminQuery(t.db.url, 'insert into labels (owner_type, owner_id, key, value, deleted_at) values ($1, $2, $3, $4, $5)', [ownerType, ownerId, key, value, deletedAt]);
    // as the write paths do with the labels they write
    const table = ownerType === 'Cluster' ? 'clusters' : 'node_pools';
    await adminQuery(t.db.url, `update ${table} r set rendered_labels = ${labelsText(ownerType, 'r.id')} where r.id = $1`, [ownerId]);
  }

  /** What the write paths would send for this row: the entity, its stored text, the JavaScript presenter. */
  async function presented(kind: OwnerType, id: string): Promise<string> {
    const em = t.app.get(EntityManager).fork();
    const labels = Object.fromEntries((await em.find(Label, { ownerType: kind, ownerId: id }, { orderBy: { key: 'asc' } })).map((l) => [l.key, l.value]));
    const entity: ResourceEntity & { cluster?: { id: string } } = kind === 'Cluster' ? await em.findOneOrFail(Cluster, id) : await em.findOneOrFail(NodePool, id);
    const table = kind === 'Cluster' ? 'clusters' : 'node_pools';
    const [text] = (await adminQuery(t.db.url, `select spec::text as spec, conditions::text as conditions, rendered_labels as labels from ${table} where id = $1`, [id])).rows as unknown as StoredText[];
    const row: ResourceRecord = {
      ...entity,
      deletedTime: entity.deletedTime ?? null,
      deletedBy: entity.deletedBy ?? null,
      ...(entity.cluster ? { ownerId: entity.cluster.id } : {}),
      text,
    };
    return presentResource({ kind: t.config.kinds.get(kind)!, row, labels }, t.config.kinds);
  }

  beforeAll(async () => {
    t = await startTestApp();

    // through the API: labels, a status report (adapter conditions), a node pool marked for deletion
    const made = await createCluster(t.http, { spec: { region: 'eu-west-1', nested: { a: [1, 2.5, null], b: null }, count: 3 }, labels: { env: 'prod', 'example.com/team': 'platform', a: '' } });
    await t.http.put(`${API}/clusters/${made.id}/statuses`).send(buildReport('dns', 1)).expect(201);
    const pool = await createNodePool(t.http, made.id, { labels: { pool: 'worker' } });
    await t.http.delete(`${API}/clusters/${made.id}/nodepools/${pool.id}`).expect(202);
    const bare = await createNodePool(t.http, made.id, { labels: {}, spec: {} });
    clusters.push(made.id);
    nodePools.push({ clusterId: made.id, id: pool.id }, { clusterId: made.id, id: bare.id });

    // directly in the database: every optional member present and absent, awkward strings and numbers
    clusters.push(await insert('clusters', {}));
    const labelled = await insert('clusters', { name: `n-${AWKWARD}`, created_by: AWKWARD, updated_by: 'x@y' });
    await label('Cluster', labelled, { env: 'prod', 'app.kubernetes.io/name': 'web', Zone: 'b', 'a-b_c.d': '', quoted: AWKWARD });
    await label('Cluster', labelled, { removed: 'gone' }, '2026-01-03T00:00:00Z');
    clusters.push(labelled);
    clusters.push(await insert('clusters', { deleted_time: '2026-01-03T04:05:06.007Z', deleted_by: `by ${AWKWARD}`, generation: 2, version: 3 }));
    clusters.push(await insert('clusters', { deleted_time: '2026-01-03T04:05:06Z', deleted_by: null }));
    // not a state the app writes: deleted_by counts only with deleted_time
    clusters.push(await insert('clusters', { deleted_by: 'nobody' }));
    clusters.push(
      await insert('clusters', {
        conditions: JSON.stringify([
          condition('Reconciled', { reason: 'R', message: AWKWARD }),
          condition('LastKnownReconciled', { reason: 'OnlyReason' }),
          condition('DnsSuccessful', { message: 'only a message' }),
          condition('ValidationSuccessful', {}),
          condition('HypershiftSuccessful', { reason: null, message: '' }),
        ]),
      }),
    );
    clusters.push(
      await insert('clusters', {
        spec: `{"b": 1.0, "10": "ten", "2": [1e21, 1e-7, -0, 0.1, 12345678901234567890, 3.14159, -2.5e-3], "a": {"deep": {"deeper": [null, {"x": null}, []]}, "empty": {}}, "s": ${JSON.stringify(AWKWARD)}, "ключ": true, "f": false, "n": null}`,
      }),
    );
    // microseconds (not written by the app): JavaScript reads them truncated to milliseconds
    clusters.push(await insert('clusters', { created_time: '2026-01-02T03:04:05.678999Z', updated_time: '2026-01-02T03:04:05.999999Z', deleted_time: '2026-01-02T03:04:05.0009Z', deleted_by: 'z' }));

    const owner = clusters[1];
    const np = await insert('node_pools', { owner_id: owner, spec: '{"replicas": 3, "x": null}', deleted_time: '2026-01-03T04:05:06.007Z', deleted_by: AWKWARD });
    await label('NodePool', np, { pool: 'worker', 'example.com/tier': AWKWARD });
    nodePools.push({ clusterId: owner, id: np }, { clusterId: owner, id: await insert('node_pools', { owner_id: owner }) });
  });
  afterAll(() => t?.close());

  it('GET /clusters/{id}: the bytes of the JavaScript presenter, the ETag, the Content-Type', async () => {
    for (const id of clusters) {
      const res = await t.http.get(`${API}/clusters/${id}`).expect(200);
      const body = await presented('Cluster', id);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const [{ version }] = (await adminQuery(t.db.url, 'select version from clusters where id = $1', [id])).rows;
      expect(res.headers.etag).toBe(`"${version}"`);
      expect(res.text).toBe(body);
    }
  });

  it('GET /clusters/{id}/nodepools/{id}: the same, with owner_references', async () => {
    for (const { clusterId, id } of nodePools) {
      const res = await t.http.get(`${API}/clusters/${clusterId}/nodepools/${id}`).expect(200);
      const body = await presented('NodePool', id);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(body);
    }
  });

  it('lists: the envelope around the same items, each the bytes of the presenter and of GET', async () => {
    const lists = [
      { path: `${API}/clusters?size=100&order=name asc`, kind: 'Cluster' as const, listKind: 'ClusterList' },
      { path: `${API}/nodepools?size=100`, kind: 'NodePool' as const, listKind: 'NodePoolList' },
      { path: `${API}/clusters/${clusters[1]}/nodepools?size=1&page=2`, kind: 'NodePool' as const, listKind: 'NodePoolList' },
    ];
    for (const { path, kind, listKind } of lists) {
      const res = await t.http.get(path).expect(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const page = JSON.parse(res.text);
      expect(page.items.length).toBeGreaterThan(0);
      const items = await Promise.all(page.items.map((item: { id: string }) => presented(kind, item.id)));
      expect(res.text).toBe(`{"kind":"${listKind}","page":${page.page},"size":${items.length},"total":${page.total},"items":[${items.join(',')}]}`);
      for (const item of page.items as { id: string; href: string }[]) expect(res.text).toContain((await t.http.get(item.href).expect(200)).text);
    }
  });

  it('GET by id is one statement; a list page is one (the page, labels included, and the count) at any size, past the end too', async () => {
    t.queries.length = 0;
    await t.http.get(`${API}/clusters/${clusters[2]}`).expect(200);
    await t.http.get(`${API}/clusters/${clusters[1]}/nodepools/${nodePools[2].id}`).expect(200);
    expect(t.queries).toHaveLength(2);
    for (const size of [1, 100]) {
      t.queries.length = 0;
      const res = await t.http.get(`${API}/clusters?size=${size}`).expect(200);
      expect(t.queries).toHaveLength(1);
      expect(res.body.items).toHaveLength(Math.min(size, res.body.total));
    }
    t.queries.length = 0;
    const past = await t.http.get(`${API}/clusters?size=100&page=50`).expect(200);
    expect(t.queries).toHaveLength(1);
    expect(past.body).toMatchObject({ page: 50, size: 0, items: [] });
    expect(past.body.total).toBeGreaterThan(0);
  });

  it('a page larger than its pieces: PostgreSQL joins the items in runs, the response is every byte of them in order, with its Content-Length (HEAD too)', async () => {
    // 16 clusters of ~12 KB each (non-ASCII: more bytes than characters) make a page of ~200 KB
    const blob = `${AWKWARD} ${'é日本😀 '.repeat(400)}${'x'.repeat(8000)}`;
    const big: string[] = [];
    for (let i = 0; i < 16; i++) {
      const id = await insert('clusters', { name: `big-${String(i).padStart(2, '0')}`, spec: JSON.stringify({ i, blob }) });
      await label('Cluster', id, { set: 'big' });
      big.push(id);
    }
    const path = `${API}/clusters?size=16&search=${encodeURIComponent("labels.set='big'")}&order=name asc`;
    t.statements.length = 0;
    const res = await t.http.get(path).expect(200);
    const items: string[] = [];
    for (const id of big) items.push((await t.http.get(`${API}/clusters/${id}`).expect(200)).text);
    expect(res.text).toBe(`{"kind":"ClusterList","page":1,"size":16,"total":16,"items":[${items.join(',')}]}`);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(Buffer.byteLength(res.text)).toBeGreaterThan(200_000);

    // the statement sent the items as several runs of about 32 KB, in order, none holding the page
    const [page] = t.statements.filter((s) => s.sql.includes('select "c"."count" as "total", "x"."size", "x"."part"'));
    const { rows } = await adminQuery(t.db.url, page.sql, page.params as unknown[]);
    const parts = (rows as { part: string }[]).map((r) => r.part);
    expect(parts.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...parts.map((p) => Buffer.byteLength(p)))).toBeLessThan(32 * 1024 + Math.max(...items.map((i) => Buffer.byteLength(i))) + 1);
    expect(parts.join('')).toBe(items.join(','));

    const head = await t.http.head(path).expect(200);
    expect(head.headers['content-length']).toBe(res.headers['content-length']);
    expect(head.text ?? '').toBe('');
  });

  it('still answers 404 for missing, removed and foreign resources', async () => {
    const removed = await insert('clusters', { deleted_time: '2026-01-03T00:00:00Z', deleted_at: '2026-01-03T00:00:00Z' });
    await t.http.get(`${API}/clusters/${removed}`).expect(404);
    await t.http.get(`${API}/clusters/${uuidv7()}`).expect(404);
    await t.http.get(`${API}/clusters/${clusters[0]}/nodepools/${nodePools[2].id}`).expect(404);
  });
  /** A spec whose JavaScript and jsonb texts differ: key order, integer-like keys, exponents, awkward strings. */
  const AWKWARD_SPEC = { zeta: 1, a: { deep: [1, 2.5, null, { y: true, x: false }] }, '10': 'ten', '2': 'two', big: 1e21, tiny: 1e-7, s: AWKWARD, 'ключ': {} };

  /** GET of the resource, and the list page holding it. */
  async function readsOf(href: string, list: string): Promise<[string, string]> {
    const get = await t.http.get(href).expect(200);
    const page = await t.http.get(list).expect(200);
    return [get.text, page.text];
  }

  it('every write answer is the bytes GET and the list send next: POST, PATCH (spec, labels, both, nothing), DELETE (and again), a report between', async () => {
    const created = await t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: 'bytes-1', spec: AWKWARD_SPEC, labels: { zone: 'b', env: 'prod', 'example.com/a': '' } }).expect(201);
    const id = created.body.id as string;
    const href = `${API}/clusters/${id}`;
    const list = `${API}/clusters?search=${encodeURIComponent("name='bytes-1'")}`;
    // jsonb's text: what JavaScript would have written differently
    expect(created.text).toContain('"spec":{"2": "two", "a": {"deep": [1, 2.5, null, {"x": false, "y": true}]}');
    expect(created.text).toContain('"big": 1000000000000000000000, "tiny": 0.0000001');
    expect(created.text).not.toBe(JSON.stringify(created.body));
    const answers: [string, string][] = [['POST', created.text]];
    const expectSame = async (what: string, text: string) => {
      const [get, page] = await readsOf(href, list);
      expect({ what, text }).toEqual({ what, text: get });
      expect(page).toContain(`"items":[${text}]`);
    };
    await expectSame('POST', created.text);
    for (const [what, body] of [
      ['PATCH spec', { spec: { ...AWKWARD_SPEC, zeta: 2 } }],
      ['PATCH labels', { labels: { b: '2', a: '1' } }],
      ['PATCH both', { spec: { n: 1.5 }, labels: {} }],
      ['PATCH nothing', { spec: { n: 1.5 } }],
    ] as const) {
      const res = await t.http.patch(href).send(body).expect(200);
      answers.push([what, res.text]);
      await expectSame(what, res.text);
    }
    await t.http.put(`${href}/statuses`).send(buildReport('dns', 3)).expect(201);
    const patched = await t.http.patch(href).send({ labels: { after: 'report' } }).expect(200);
    expect(patched.body.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'DnsSuccessful']);
    await expectSame('PATCH after a report', patched.text);

    const pool = await t.http.post(`${href}/nodepools`).send({ kind: 'NodePool', name: 'bytes-np', spec: AWKWARD_SPEC, labels: { z: '1', a: '2' } }).expect(201);
    const poolHref = pool.body.href as string;
    const poolList = `${href}/nodepools`;
    const [poolGet, poolPage] = await readsOf(poolHref, poolList);
    expect(pool.text).toBe(poolGet);
    expect(poolPage).toContain(pool.text);
    const flat = await t.http.patch(`${API}/nodepools/${pool.body.id}`).send({ spec: { replicas: 2 } }).expect(200);
    expect(flat.text).toBe((await t.http.get(poolHref).expect(200)).text);

    const marked = await t.http.delete(href).expect(202);
    await expectSame('DELETE', marked.text);
    const again = await t.http.delete(href).expect(202);
    expect(again.text).toBe(marked.text);
    // the cascade marked the node pool too; its DELETE answers it as it is
    const poolAgain = await t.http.delete(poolHref).expect(202);
    expect(poolAgain.text).toBe((await t.http.get(poolHref).expect(200)).text);
    expect(poolAgain.body.deleted_time).toBe(marked.body.deleted_time);
  });

  it('the generic /resources API answers with the same bytes as the kind\'s own routes', async () => {
    const created = await t.http.post(`${API}/resources`).send({ kind: 'Cluster', name: 'bytes-2', spec: AWKWARD_SPEC, labels: { y: '1', x: '2' } }).expect(201);
    const id = created.body.id as string;
    expect(created.text).toBe((await t.http.get(`${API}/clusters/${id}`).expect(200)).text);
    const patched = await t.http.patch(`${API}/resources/${id}`).send({ spec: { b: 1, a: 2 } }).expect(200);
    expect(patched.text).toBe((await t.http.get(`${API}/resources/${id}`).expect(200)).text);
    const marked = await t.http.delete(`${API}/resources/${id}`).expect(202);
    expect(marked.text).toBe((await t.http.get(`${API}/clusters/${id}`).expect(200)).text);
    expect((await t.http.get(`${API}/resources?kind=Cluster&search=${encodeURIComponent("name='bytes-2'")}`).expect(200)).text).toContain(`"items":[${marked.text}]`);
  });
});

describe('one rendering of a configured kind, byte for byte (references, removal at once)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(CHART_KINDS_ENV);
  });
  afterAll(() => t?.close());

  it('POST, PATCH and DELETE of a kind with references answer the bytes GET and the lists send; a removal at once answers the last rendering with the mark', async () => {
    const channel = await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'stable', spec: { b: 1, a: [2.50, 1e21] }, labels: { z: '1', a: '2' } }).expect(201);
    const other = await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'fast', spec: {} }).expect(201);
    expect(channel.text).toBe((await t.http.get(`${API}/channels/${channel.body.id}`).expect(200)).text);

    const version = await t.http
      .post(`${API}/channels/${channel.body.id}/versions`)
      .send({ kind: 'Version', name: 'v4-18', spec: { image: 'quay.io/x:4.18', '1': true }, references: { channel: [{ id: channel.body.id, kind: 'Channel' }] } })
      .expect(201);
    const href = version.body.href as string;
    expect(version.text).toContain('"references":{"channel":[{');
    expect(version.text).toBe((await t.http.get(href).expect(200)).text);
    expect((await t.http.get(`${API}/versions`).expect(200)).text).toContain(version.text);
    expect((await t.http.get(`${API}/resources?kind=Version`).expect(200)).text).toContain(version.text);

    const moved = await t.http.patch(`${API}/versions/${version.body.id}`).send({ references: { channel: [{ id: other.body.id, kind: 'Channel' }] } }).expect(200);
    expect(moved.body.references.channel[0].id).toBe(other.body.id);
    expect(moved.text).toBe((await t.http.get(href).expect(200)).text);
    const marked = await t.http.delete(href).expect(202);
    expect(marked.text).toBe((await t.http.get(href).expect(200)).text);

    // Channel has no required adapters: DELETE removes it at once and answers it with the mark
    const before = (await t.http.get(`${API}/channels/${other.body.id}`).expect(200)).text;
    await t.http.post(`${href}/force-delete`).send({ reason: 'test' }).expect(204);
    const removed = await t.http.delete(`${API}/channels/${other.body.id}`).expect(202);
    await t.http.get(`${API}/channels/${other.body.id}`).expect(404);
    const head = (text: string) => text.slice(0, text.indexOf(',"generation":'));
    const status = (text: string) => text.slice(text.indexOf(',"status":'), text.indexOf(',"created_time":'));
    expect(head(removed.text)).toBe(head(before));
    expect(status(removed.text)).toBe(status(before));
    expect(removed.body).toMatchObject({ generation: 2, deleted_time: expect.any(String), deleted_by: expect.any(String) });
  });
});
