import { adminQuery } from '../setup/pg-admin';
import { buildCluster, clusterName, createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { integrityProblems } from '../support/integrity';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const BASE = '/api/hyperfleet/v1/clusters';
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('clusters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  describe('POST /clusters', () => {
    it('creates a cluster: 201, the full body, initial conditions, an ETag and no Location', async () => {
      const name = clusterName();
      const res = await t.http.post(BASE).send({ kind: 'Cluster', name, spec: { region: 'eu-west-1', nested: { a: [1, 2] } }, labels: { env: 'prod', 'example.com/team': 'platform' } });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers.etag).toBe('"1"');
      const c = res.body;
      expect(c).toEqual({
        id: expect.stringMatching(UUIDV7),
        kind: 'Cluster',
        href: `${BASE}/${c.id}`,
        name,
        spec: { region: 'eu-west-1', nested: { a: [1, 2] } },
        labels: { env: 'prod', 'example.com/team': 'platform' },
        generation: 1,
        status: {
          conditions: [
            {
              type: 'Reconciled',
              status: 'False',
              reason: 'ReconciledMissingAdapters',
              message: 'Required adapters not reporting Available=True: [dns, hypershift, pullsecret, validation]. Currently reporting: []',
              observed_generation: 1,
              created_time: c.created_time,
              last_updated_time: c.created_time,
              last_transition_time: c.created_time,
            },
            {
              type: 'LastKnownReconciled',
              status: 'False',
              reason: 'AdaptersMissingReports',
              message: 'Required adapters have not yet reported status',
              observed_generation: 1,
              created_time: c.created_time,
              last_updated_time: c.created_time,
              last_transition_time: c.created_time,
            },
          ],
        },
        created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        updated_time: c.created_time,
        created_by: 'system@hyperfleet.local',
        updated_by: 'system@hyperfleet.local',
      });
      const read = await t.http.get(`${BASE}/${c.id}`).expect(200);
      expect(read.body).toEqual(c);
    });

    it('omits labels when there are none and ignores id, href and unknown properties', async () => {
      const res = await t.http.post(BASE).send({ kind: 'Cluster', name: clusterName(), spec: {}, id: 'mine', href: '/x', color: 'blue' }).expect(201);
      expect(res.body.id).not.toBe('mine');
      expect(res.body.href).toBe(`${BASE}/${res.body.id}`);
      expect(res.body).not.toHaveProperty('labels');
      expect(res.body).not.toHaveProperty('color');
      expect(res.body).not.toHaveProperty('deleted_time');
    });

    it.each([
      ['kind missing', { kind: undefined }, 'kind is required', 'kind'],
      ['kind empty', { kind: '' }, 'kind is required', 'kind'],
      ['kind wrong', { kind: 'NodePool' }, "kind must be 'Cluster'", 'kind'],
      ['kind not a string', { kind: 7 }, "field 'kind' must be a string", 'kind'],
      ['name missing', { name: undefined }, 'name is required', 'name'],
      ['name not a string', { name: 12345 }, "field 'name' must be a string", 'name'],
      ['name too short', { name: 'ab' }, 'name must be at least 3 characters', 'name'],
      ['name too long', { name: 'a'.repeat(54) }, 'name must be at most 53 characters', 'name'],
      ['name upper case', { name: 'Prod-1' }, 'name must start and end with lowercase letter or number, and contain only lowercase letters, numbers, and hyphens', 'name'],
      ['name ends with hyphen', { name: 'prod-' }, 'name must start and end with lowercase letter or number, and contain only lowercase letters, numbers, and hyphens', 'name'],
      ['spec missing', { spec: undefined }, 'spec is required', 'spec'],
      ['spec null', { spec: null }, 'spec field must be an object', 'spec'],
      ['spec an array', { spec: [1] }, 'spec field must be an object', 'spec'],
      ['spec a string', { spec: 'x' }, 'spec field must be an object', 'spec'],
    ])('rejects %s with 400 naming the field', async (_case, override, detail, field) => {
      const body = expectProblem(await t.http.post(BASE).send(buildCluster(override)), 400, 'HYPERFLEET-VAL-000');
      expect(body.detail).toBe(detail);
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: detail })]));
    });

    it('checks kind before name before spec (the first failure is the detail)', async () => {
      const body = expectProblem(await t.http.post(BASE).send({ kind: 'Nope', name: 'X', spec: 5 }), 400, 'HYPERFLEET-VAL-000');
      expect(body.detail).toBe("kind must be 'Cluster'");
      expect((body.errors as { field: string }[]).map((e) => e.field)).toEqual(['kind', 'name', 'spec']);
    });

    it('reports every bad label key and value together', async () => {
      const labels = { env: 'prod', '-bad': 'x', 'UPPER.example.com/ok': 'v', good: 'bad value!', [`k${'x'.repeat(63)}`]: 'v', empty: '' };
      const body = expectProblem(await t.http.post(BASE).send(buildCluster({ labels })), 400, 'HYPERFLEET-VAL-000');
      expect(body.detail).toBe('label validation failed');
      const errors = body.errors as { field: string; value?: string; constraint: string }[];
      expect(errors.map((e) => [e.field, e.value])).toEqual([
        ['labels', '-bad'],
        ['labels', 'UPPER.example.com/ok'],
        ['labels[good]', 'bad value!'],
        ['labels', `k${'x'.repeat(63)}`],
      ]);
      expect(errors.every((e) => e.constraint === 'pattern')).toBe(true);
      expectProblem(await t.http.post(BASE).send(buildCluster({ labels: { n: 5 } })), 400, 'HYPERFLEET-VAL-000');
      expectProblem(await t.http.post(BASE).send(buildCluster({ labels: ['a'] })), 400, 'HYPERFLEET-VAL-000');
    });

    it('keeps __proto__ and constructor keys in spec as plain data, validates them as label keys, and pollutes no prototype', async () => {
      // the body pipe used to deep-convert bodies with class-transformer: __proto__ keys vanished (or became
      // prototypes) and a constructor key was a 500
      const spec = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"nested":[{"__proto__":{"x":1}}]}';
      const send = (json: string) => t.http.post(BASE).set('Content-Type', 'application/json').send(json);
      const res = await send(`{"kind":"Cluster","name":"${clusterName()}","spec":${spec},"labels":{"constructor":"x","toString":"y"}}`).expect(201);
      // (JSON.parse keeps __proto__ keys as own properties, so these comparisons see them)
      expect(Object.keys(res.body.spec).sort()).toEqual(['__proto__', 'constructor', 'nested']);
      expect(res.body.spec).toEqual(JSON.parse(spec));
      expect(res.body.labels).toEqual({ constructor: 'x', toString: 'y' });
      const read = await t.http.get(`${BASE}/${res.body.id}`).expect(200);
      expect(read.body.spec).toEqual(JSON.parse(spec));
      const [row] = (await adminQuery(t.db.url, 'select spec::text as spec from clusters where id = $1', [res.body.id])).rows;
      expect(JSON.parse(row.spec as string)).toEqual(JSON.parse(spec));
      // the same spec again is no change; another one is
      await t.http.patch(`${BASE}/${res.body.id}`).set('Content-Type', 'application/json').send(`{"spec":${spec}}`).expect(200).expect((r) => expect(r.body.generation).toBe(1));
      await t.http.patch(`${BASE}/${res.body.id}`).set('Content-Type', 'application/json').send('{"spec":{"__proto__":{}}}').expect(200).expect((r) => expect(r.text).toContain('"spec":{"__proto__": {}},"labels"'));

      const badLabel = expectProblem(await send(`{"kind":"Cluster","name":"${clusterName()}","spec":{},"labels":{"__proto__":"x"}}`), 400, 'HYPERFLEET-VAL-000');
      expect(badLabel.errors).toEqual([expect.objectContaining({ field: 'labels', value: '__proto__' })]);
      expectProblem(await send(`{"kind":"Cluster","name":"${clusterName()}","spec":{},"labels":{"__proto__":{"polluted":"yes"}}}`), 400, 'HYPERFLEET-VAL-000');
      // top-level keys that are not properties of the body are ignored on create and change nothing about validation
      expectProblem(await send('{"kind":"Cluster","name":"Bad Name","spec":{},"constructor":{"name":"x"},"__proto__":{"name":"ok-name"}}'), 400, 'HYPERFLEET-VAL-000');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    });

    it('rejects an empty or non-object body as malformed', async () => {
      const empty = expectProblem(await t.http.post(BASE).set('Content-Type', 'application/json'), 400, 'HYPERFLEET-VAL-006');
      expect(empty.detail).toBe('Request body is required but was empty');
      expectProblem(await t.http.post(BASE).send([buildCluster()]), 400, 'HYPERFLEET-VAL-006');
      expectProblem(await t.http.post(BASE).set('Content-Type', 'application/json').send('"cluster"'), 400, 'HYPERFLEET-VAL-006');
    });

    it('answers a duplicate live name with 409 CNF-001; the name is free again once its holder is marked for deletion', async () => {
      const name = clusterName();
      const first = await createCluster(t.http, { name });
      const dup = expectProblem(await t.http.post(BASE).send(buildCluster({ name })), 409, 'HYPERFLEET-CNF-001');
      expect(dup).toMatchObject({ title: 'Resource Conflict', detail: `This Cluster already exists: another Cluster not marked for deletion is named '${name}'`, type: 'https://api.hyperfleet.io/errors/conflict' });
      await t.http.delete(`${BASE}/${first.id}`).expect(202);
      const again = await t.http.post(BASE).send(buildCluster({ name })).expect(201);
      expect(again.body.id).not.toBe(first.id);
    });

    it('two concurrent creates of one name give one 201 and the rest 409 (the database decides)', async () => {
      const name = clusterName();
      const results = await Promise.all(Array.from({ length: 8 }, () => t.http.post(BASE).send(buildCluster({ name }))));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const { rows } = await adminQuery(t.db.url, 'select count(*)::int as n from clusters where name = $1', [name]);
      expect(rows[0].n).toBe(1);
    });
  });

  describe('GET /clusters/{id}', () => {
    it.each([['an unknown uuid', '01939a6e-0000-7000-8000-000000000000'], ['a malformed id', 'not-an-id'], ['an injection attempt', "x' or '1'='1"]])('is 404 NTF-001 for %s', async (_c, id) => {
      const body = expectProblem(await t.http.get(`${BASE}/${encodeURIComponent(id)}`), 404, 'HYPERFLEET-NTF-001');
      expect(body.detail).toBe(`Cluster with id='${id}' not found`);
    });
  });

  describe('GET /clusters', () => {
    let names: string[];
    beforeAll(async () => {
      const prefix = clusterName('lst');
      names = [];
      for (let i = 0; i < 5; i++) names.push((await createCluster(t.http, { name: `${prefix}-${i}`, labels: { idx: String(i) } })).name);
    });

    it('returns the envelope with kind, page, size = items returned, total; newest first by default', async () => {
      const res = await t.http.get(`${BASE}?size=3`).expect(200);
      expect(res.body).toMatchObject({ kind: 'ClusterList', page: 1, size: 3 });
      expect(res.body.items).toHaveLength(3);
      expect(res.body.total).toBeGreaterThanOrEqual(5);
      expect(res.body.items.map((c: { name: string }) => c.name)).toEqual([names[4], names[3], names[2]]);
      const all = await t.http.get(`${BASE}?size=100`).expect(200);
      expect(all.body.size).toBe(all.body.items.length);
      expect(all.body.total).toBe(all.body.items.length);
      const times = all.body.items.map((c: { created_time: string }) => c.created_time);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it('pages without gaps or repeats, ordered by the requested fields with id as tie-breaker', async () => {
      const all = (await t.http.get(`${BASE}?size=100&order=name asc`).expect(200)).body.items.map((c: { name: string }) => c.name);
      expect([...all].sort()).toEqual(all);
      const paged: string[] = [];
      for (let page = 1; page <= Math.ceil(all.length / 2); page++) {
        const res = await t.http.get(`${BASE}?size=2&page=${page}&order=name%20asc`).expect(200);
        expect(res.body.page).toBe(page);
        paged.push(...res.body.items.map((c: { name: string }) => c.name));
      }
      expect(paged).toEqual(all);
      const desc = (await t.http.get(`${BASE}?size=100&order=generation desc,name desc`).expect(200)).body.items.map((c: { name: string; generation: number }) => [c.generation, c.name]);
      const byGenThenName = (a: [number, string], b: [number, string]) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0);
      expect([...desc].sort(byGenThenName)).toEqual(desc);
      await t.http.get(`${BASE}?order=created_time&order=id%20desc`).expect(200);
    });

    it('loads labels for the whole page in a constant number of queries (no N+1)', async () => {
      t.queries.length = 0;
      await t.http.get(`${BASE}?size=2`).expect(200);
      const small = t.queries.length;
      t.queries.length = 0;
      const big = await t.http.get(`${BASE}?size=100`).expect(200);
      expect(big.body.items.length).toBeGreaterThan(5);
      expect(t.queries.length).toBe(small);
      // one statement: the count and the page, its items rendered with their labels by PostgreSQL
      expect(small).toBe(1);
      expect(big.body.items.find((c: { name: string }) => c.name === names[2]).labels).toEqual({ idx: '2' });
    });

    it.each([
      ['size=0', 'size', 'min', 'size must be at least 1'],
      ['size=101', 'size', 'max', 'size must be at most 100'],
      ['size=ten', 'size', 'format', 'size must be an integer'],
      ['page=0', 'page', 'min', 'page must be at least 1'],
      ['page=100001', 'page', 'max', 'page must be at most 100000'],
      ['page=1.5', 'page', 'format', 'page must be an integer'],
    ])('rejects %s with 400 VAL-000 and errors[]', async (qs, field, constraint, message) => {
      const body = expectProblem(await t.http.get(`${BASE}?${qs}`), 400, 'HYPERFLEET-VAL-000');
      expect(body.detail).toBe('Invalid query parameters');
      expect(body.errors).toEqual([expect.objectContaining({ field, constraint, message })]);
    });

    it.each(['bogus', 'name ASC', 'Name', 'name up', 'labels.env', 'spec'])('rejects order=%s with 400 VAL-005', async (order) => {
      expectProblem(await t.http.get(`${BASE}?order=${encodeURIComponent(order)}`), 400, 'HYPERFLEET-VAL-005');
    });

    it('accepts the deprecated pageSize and orderBy with a Deprecation header; the new names win', async () => {
      const legacy = await t.http.get(`${BASE}?pageSize=2&orderBy=name%20desc`).expect(200);
      expect(legacy.headers.deprecation).toBe('true');
      expect(legacy.body.size).toBe(2);
      const names2 = legacy.body.items.map((c: { name: string }) => c.name);
      expect([...names2].sort().reverse()).toEqual(names2);
      const clamped = await t.http.get(`${BASE}?pageSize=65500`).expect(200);
      expect(clamped.body.items.length).toBeLessThanOrEqual(100);
      const both = await t.http.get(`${BASE}?size=1&pageSize=3`).expect(200);
      expect(both.body.size).toBe(1);
      const modern = await t.http.get(`${BASE}?size=1`).expect(200);
      expect(modern.headers.deprecation).toBeUndefined();
    });
  });

  describe('PATCH /clusters/{id}', () => {
    it('replaces spec whole, bumps generation once, updates the audit fields and the ETag, recomputes conditions', async () => {
      const c = await createCluster(t.http, { spec: { x: 1 } });
      const res = await t.http.patch(`${BASE}/${c.id}`).send({ spec: { a: 1, b: 2 } }).expect(200);
      expect(res.body.spec).toEqual({ a: 1, b: 2 });
      expect(res.body.generation).toBe(2);
      expect(res.body.updated_time > c.updated_time).toBe(true);
      expect(res.body.created_time).toBe(c.created_time);
      expect(res.headers.etag).toBe('"2"');
      const reconciled = res.body.status.conditions.find((x: { type: string }) => x.type === 'Reconciled');
      expect(reconciled).toMatchObject({ status: 'False', observed_generation: 2 });
      expect(res.body.labels).toEqual(c.labels);
    });

    it('replaces the label set whole; {} clears it; reads show the live labels in key order', async () => {
      const c = await createCluster(t.http, { labels: { b: '2', a: '1' } });
      const labelsOnRead = async () => /"labels":(\{[^}]*\})/.exec((await t.http.get(`${BASE}/${c.id}`).expect(200)).text)?.[1];
      expect(await labelsOnRead()).toBe('{"a":"1","b":"2"}');
      const res = await t.http.patch(`${BASE}/${c.id}`).send({ labels: { b: '3', aa: 'x.y_1' } }).expect(200);
      expect(res.body.labels).toEqual({ b: '3', aa: 'x.y_1' });
      expect(res.body.generation).toBe(2);
      expect(await labelsOnRead()).toBe('{"aa":"x.y_1","b":"3"}');
      // a PATCH that leaves the labels sends them as reads do: key order (jsonb's own order would put b first)
      const specOnly = await t.http.patch(`${BASE}/${c.id}`).send({ spec: { other: true } }).expect(200);
      expect(/"labels":(\{[^}]*\})/.exec(specOnly.text)?.[1]).toBe('{"aa":"x.y_1","b":"3"}');
      expect(await labelsOnRead()).toBe('{"aa":"x.y_1","b":"3"}');
      const cleared = await t.http.patch(`${BASE}/${c.id}`).send({ labels: {} }).expect(200);
      expect(cleared.body).not.toHaveProperty('labels');
      expect(cleared.body.generation).toBe(4);
      expect((await t.http.get(`${BASE}/${c.id}`)).body).not.toHaveProperty('labels');
      expect(await integrityProblems(t.db.url)).toEqual({});
    });

    it('a PATCH that changes nothing (same JSON value, other key order) leaves generation and audit fields alone', async () => {
      const c = await createCluster(t.http, { spec: { a: 1, b: { c: [1, 2], d: null } }, labels: { x: 'y' } });
      const res = await t.http.patch(`${BASE}/${c.id}`).send({ spec: { b: { d: null, c: [1, 2] }, a: 1 }, labels: { x: 'y' } }).expect(200);
      expect(res.body).toEqual(c);
      expect(res.headers.etag).toBe('"1"');
      const arrayOrder = await t.http.patch(`${BASE}/${c.id}`).send({ spec: { a: 1, b: { c: [2, 1], d: null } } }).expect(200);
      expect(arrayOrder.body.generation).toBe(2);
    });

    it('rejects an empty or all-null PATCH with VAL-005, unknown fields with VAL-006, bad values with VAL-000', async () => {
      const c = await createCluster(t.http);
      for (const body of [{}, { spec: null }, { spec: null, labels: null }]) {
        const p = expectProblem(await t.http.patch(`${BASE}/${c.id}`).send(body), 400, 'HYPERFLEET-VAL-005');
        expect(p.detail).toBe('at least one field must be provided for update');
      }
      const unknown = expectProblem(await t.http.patch(`${BASE}/${c.id}`).send({ spec: {}, name: 'renamed' }), 400, 'HYPERFLEET-VAL-006');
      expect(unknown.detail).toBe('Invalid request format: json: unknown field "name"');
      expect(expectProblem(await t.http.patch(`${BASE}/${c.id}`).send({ spec: 'x' }), 400, 'HYPERFLEET-VAL-000').detail).toBe('spec field must be an object');
      expect(expectProblem(await t.http.patch(`${BASE}/${c.id}`).send({ labels: { 'a b': 'c' } }), 400, 'HYPERFLEET-VAL-000').detail).toBe('label validation failed');
      expectProblem(await t.http.patch(`${BASE}/${c.id}`).set('Content-Type', 'application/json'), 400, 'HYPERFLEET-VAL-006');
      expect((await t.http.get(`${BASE}/${c.id}`)).body).toEqual(c);
    });

    it('is 404 for an unknown cluster and 409 CNF-003 once the cluster is marked for deletion', async () => {
      expectProblem(await t.http.patch(`${BASE}/01939a6e-0000-7000-8000-000000000000`).send({ spec: {} }), 404, 'HYPERFLEET-NTF-001');
      const c = await createCluster(t.http);
      await t.http.delete(`${BASE}/${c.id}`).expect(202);
      const p = expectProblem(await t.http.patch(`${BASE}/${c.id}`).send({ spec: { a: 1 } }), 409, 'HYPERFLEET-CNF-003');
      expect(p.detail).toBe(`Cluster '${c.id}' is marked for deletion`);
    });

    it('honours If-Match: a stale ETag is 412 and changes nothing; the current one or * applies', async () => {
      const c = await createCluster(t.http);
      const p = expectProblem(await t.http.patch(`${BASE}/${c.id}`).set('If-Match', '"7"').send({ spec: { a: 1 } }), 412, 'HYPERFLEET-CNF-004');
      expect(p.title).toBe('Precondition Failed');
      expect((await t.http.get(`${BASE}/${c.id}`)).body.generation).toBe(1);
      const ok = await t.http.patch(`${BASE}/${c.id}`).set('If-Match', '"1"').send({ spec: { a: 1 } }).expect(200);
      expect(ok.headers.etag).toBe('"2"');
      await t.http.patch(`${BASE}/${c.id}`).set('If-Match', '"1"').send({ spec: { a: 2 } }).expect(412);
      await t.http.patch(`${BASE}/${c.id}`).set('If-Match', '*').send({ spec: { a: 2 } }).expect(200);
      await t.http.delete(`${BASE}/${c.id}`).set('If-Match', '"2"').expect(412);
      await t.http.delete(`${BASE}/${c.id}`).set('If-Match', '"3"').expect(202);
    });

    it('concurrent PATCHes serialize: every change counts once, none is lost', async () => {
      const c = await createCluster(t.http, { spec: { n: -1 } });
      const results = await Promise.all(Array.from({ length: 10 }, (_, n) => t.http.patch(`${BASE}/${c.id}`).send({ spec: { n } })));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(results.map((r) => r.body.generation).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const final = (await t.http.get(`${BASE}/${c.id}`)).body;
      expect(final.generation).toBe(11);
      expect(results.find((r) => r.body.generation === 11)!.body.spec).toEqual(final.spec);
    });
  });

  describe('DELETE /clusters/{id}', () => {
    it('marks the cluster (202), keeps it readable and listed, and is idempotent', async () => {
      const c = await createCluster(t.http);
      const res = await t.http.delete(`${BASE}/${c.id}`).expect(202);
      expect(res.body).toMatchObject({ id: c.id, generation: 2, deleted_by: 'system@hyperfleet.local', deleted_time: expect.any(String) });
      const reconciled = res.body.status.conditions.find((x: { type: string }) => x.type === 'Reconciled');
      expect(reconciled).toMatchObject({ status: 'False', observed_generation: 2, message: expect.stringContaining('Finalized=True') });
      expect((await t.http.get(`${BASE}/${c.id}`).expect(200)).body).toEqual(res.body);
      const listed = (await t.http.get(`${BASE}?size=100`)).body.items.find((x: { id: string }) => x.id === c.id);
      expect(listed).toMatchObject({ deleted_time: res.body.deleted_time });
      const again = await t.http.delete(`${BASE}/${c.id}`).expect(202);
      expect(again.body).toEqual(res.body);
      expectProblem(await t.http.delete(`${BASE}/01939a6e-0000-7000-8000-000000000000`), 404, 'HYPERFLEET-NTF-001');
    });

    it('cascades to node pools; a node pool already marked keeps its own mark', async () => {
      const c = await createCluster(t.http);
      const early = await createNodePool(t.http, c.id);
      const late = await createNodePool(t.http, c.id);
      const earlyMarked = (await t.http.delete(`${BASE}/${c.id}/nodepools/${early.id}`).expect(202)).body;
      await t.http.delete(`${BASE}/${c.id}`).expect(202);
      const e = (await t.http.get(`${BASE}/${c.id}/nodepools/${early.id}`).expect(200)).body;
      const l = (await t.http.get(`${BASE}/${c.id}/nodepools/${late.id}`).expect(200)).body;
      expect(e).toMatchObject({ deleted_time: earlyMarked.deleted_time, generation: 2 });
      expect(l).toMatchObject({ deleted_time: expect.any(String), generation: 2, deleted_by: 'system@hyperfleet.local' });
      const blocked = expectProblem(await t.http.post(`${BASE}/${c.id}/nodepools`).send({ kind: 'NodePool', name: 'np-late', spec: {} }), 409, 'HYPERFLEET-CNF-003');
      expect(blocked.detail).toBe(`Cluster '${c.id}' is marked for deletion`);
    });

    it('concurrent DELETEs bump generation exactly once and all answer with the same mark', async () => {
      const c = await createCluster(t.http);
      const results = await Promise.all(Array.from({ length: 6 }, () => t.http.delete(`${BASE}/${c.id}`)));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(202));
      expect(new Set(results.map((r) => r.body.deleted_time)).size).toBe(1);
      expect(results.every((r) => r.body.generation === 2)).toBe(true);
    });

    it('node pool creation racing a cluster DELETE never leaves a live node pool under a marked cluster', async () => {
      const c = await createCluster(t.http);
      const creates = Array.from({ length: 6 }, (_, i) => t.http.post(`${BASE}/${c.id}/nodepools`).send({ kind: 'NodePool', name: `race-${i}`, spec: {} }));
      const [del, ...made] = await Promise.all([t.http.delete(`${BASE}/${c.id}`), ...creates]);
      expect(del.status).toBe(202);
      for (const r of made) expect([201, 409]).toContain(r.status);
      const pools = (await t.http.get(`${BASE}/${c.id}/nodepools?size=100`).expect(200)).body.items;
      expect(pools).toHaveLength(made.filter((r) => r.status === 201).length);
      for (const p of pools) expect(p.deleted_time).toEqual(expect.any(String));
    });
  });

  describe('POST /clusters/{id}/force-delete', () => {
    it('is 409 for a cluster not marked for deletion, 400 for a bad reason, 404 for an unknown one', async () => {
      const c = await createCluster(t.http);
      const p = expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).send({ reason: 'stuck' }), 409, 'HYPERFLEET-CNF-003');
      expect(p.detail).toBe(`Cluster '${c.id}' is not in Finalizing state: it is not marked for deletion; DELETE it first, then force-delete removes it`);
      expect(expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).send({}), 400, 'HYPERFLEET-VAL-000').detail).toBe('reason is required');
      expect(expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).send({ reason: '' }), 400, 'HYPERFLEET-VAL-000').detail).toBe('reason is required');
      expect(expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).send({ reason: 'x'.repeat(1025) }), 400, 'HYPERFLEET-VAL-000').detail).toBe('reason must be at most 1024 characters');
      expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).set('Content-Type', 'application/json'), 400, 'HYPERFLEET-VAL-006');
      expectProblem(await t.http.post(`${BASE}/01939a6e-0000-7000-8000-000000000000/force-delete`).send({ reason: 'x' }), 404, 'HYPERFLEET-NTF-001');
    });

    it('removes a marked cluster with its node pools, statuses and labels: 204, then 404 and gone from lists, rows kept', async () => {
      const c = await createCluster(t.http, { labels: { env: 'gone' } });
      const np = await createNodePool(t.http, c.id);
      await t.http.delete(`${BASE}/${c.id}`).expect(202);
      const reason = '🔥'.repeat(1024); // 1024 code points, 2048 UTF-16 units
      await t.http.post(`${BASE}/${c.id}/force-delete`).send({ reason }).expect(204);
      expectProblem(await t.http.get(`${BASE}/${c.id}`), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.get(`${BASE}/${c.id}/nodepools/${np.id}`), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.get(`${BASE}/${c.id}/nodepools`), 404, 'HYPERFLEET-NTF-001');
      expect((await t.http.get(`${BASE}?size=100`)).body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
      expect((await t.http.get('/api/hyperfleet/v1/nodepools?size=100')).body.items.map((x: { id: string }) => x.id)).not.toContain(np.id);
      expectProblem(await t.http.post(`${BASE}/${c.id}/force-delete`).send({ reason: 'again' }), 404, 'HYPERFLEET-NTF-001');
      const { rows } = await adminQuery(t.db.url, `select (select count(*) from clusters where id = $1 and deleted_at is not null)::int as c, (select count(*) from node_pools where id = $2 and deleted_at is not null)::int as np, (select count(*) from labels where owner_id in ($1, $2) and deleted_at is not null)::int as l, (select count(*) from labels where owner_id in ($1, $2) and deleted_at is null)::int as live`, [c.id, np.id]);
      expect(rows[0]).toEqual({ c: 1, np: 1, l: 2, live: 0 });
      const audit = t.logs.find((l) => l.audit === 'force-delete' && l.id === c.id);
      expect(audit).toMatchObject({ kind: 'Cluster', caller: 'system@hyperfleet.local', removed_children: [np.id] });
    });
  });
});
