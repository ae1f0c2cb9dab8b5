import { EntityManager } from '@mikro-orm/postgresql';
import { pageOf, uuidv7 } from '@app/common';
import { Cluster, Label, NodePool, OwnerType, ResourceEntity, ResourceRecord } from '@app/persistence';
import { presentResource } from '../../apps/api/src/kinds/kind.presenter';
import { createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { buildReport } from '../factories/adapter-status.factory';
import { adminQuery } from '../setup/pg-admin';
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
 * GET by id and the lists send JSON that PostgreSQL rendered (resource.sql-presenter.ts); the write
 * responses present entities in JavaScript (resource.presenter.ts). Both must write the same JSON:
 * the same text except inside `spec` and `status.conditions`, which are jsonb's own text (spaces after
 * `:` and `,`, jsonb's key order, numbers as stored), and the same values once parsed.
 */
describe('rendering of reads by PostgreSQL', () => {
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

  /** What the write paths would send for this row: the entity, its labels, the JavaScript presenter. */
  async function presented(kind: OwnerType, id: string): Promise<Record<string, unknown>> {
    const em = t.app.get(EntityManager).fork();
    const labels = Object.fromEntries((await em.find(Label, { ownerType: kind, ownerId: id }, { orderBy: { key: 'asc' } })).map((l) => [l.key, l.value]));
    const entity: ResourceEntity & { cluster?: { id: string } } = kind === 'Cluster' ? await em.findOneOrFail(Cluster, id) : await em.findOneOrFail(NodePool, id);
    const row: ResourceRecord = {
      ...entity,
      deletedTime: entity.deletedTime ?? null,
      deletedBy: entity.deletedBy ?? null,
      ...(entity.cluster ? { ownerId: entity.cluster.id } : {}),
    };
    return presentResource({ kind: t.config.kinds.get(kind)!, row, labels }, t.config.kinds);
  }

  /** JSON.stringify's text of `body`, with jsonb's own text of the stored spec and conditions in their places. */
  async function expectedText(kind: OwnerType, id: string, body: Record<string, unknown>): Promise<string> {
    const table = kind === 'Cluster' ? 'clusters' : 'node_pools';
    const [{ spec, conditions }] = (await adminQuery(t.db.url, `select spec::text as spec, conditions::text as conditions from ${table} where id = $1`, [id])).rows as { spec: string; conditions: string }[];
    const [specMarker, conditionsMarker] = [`\u0000spec-${id}`, `\u0000conditions-${id}`];
    return JSON.stringify({ ...body, spec: specMarker, status: { conditions: conditionsMarker } })
      .replace(JSON.stringify(specMarker), spec)
      .replace(JSON.stringify(conditionsMarker), conditions);
  }

  /**
   * The same values: the text comparisons above hold the key order outside spec and conditions, here
   * the values are compared whole (inside spec and conditions, jsonb's key order).
   */
  const sameJson = (text: string, body: unknown) => expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(body)));

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

  it('GET /clusters/{id}: the text of the JavaScript presenter (spec, conditions: jsonb text), the ETag, the Content-Type', async () => {
    for (const id of clusters) {
      const res = await t.http.get(`${API}/clusters/${id}`).expect(200);
      const body = await presented('Cluster', id);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const [{ version }] = (await adminQuery(t.db.url, 'select version from clusters where id = $1', [id])).rows;
      expect(res.headers.etag).toBe(`"${version}"`);
      expect(res.text).toBe(await expectedText('Cluster', id, body));
      sameJson(res.text, body);
    }
  });

  it('GET /clusters/{id}/nodepools/{id}: the same, with owner_references', async () => {
    for (const { clusterId, id } of nodePools) {
      const res = await t.http.get(`${API}/clusters/${clusterId}/nodepools/${id}`).expect(200);
      const body = await presented('NodePool', id);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(await expectedText('NodePool', id, body));
      sameJson(res.text, body);
    }
  });

  it('lists: the envelope of pageOf around the same items, each the text GET sends', async () => {
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
      sameJson(res.text, pageOf(listKind, page.page, page.total, items));
      expect(res.text.startsWith(`{"kind":"${listKind}","page":${page.page},"size":${items.length},"total":${page.total},"items":[{`)).toBe(true);
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
    const [page] = t.statements.filter((s) => s.sql.includes('select "c"."count" as "total", "p"."size", "p"."part" from'));
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
});
