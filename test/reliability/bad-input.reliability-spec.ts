import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { Response } from 'supertest';
import { jsonEqual } from '@app/common';
import { buildReport } from '../factories/adapter-status.factory';
import { buildCluster, createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { adminQuery } from '../setup/pg-admin';
import {
  ABSENT,
  answerProblem,
  bodyOf,
  field,
  Json,
  junkHeader,
  junkId,
  junkJson,
  junkKey,
  junkNumber,
  junkObject,
  junkQuery,
  junkSearch,
  junkString,
  Members,
  Now,
  payload,
  pct,
  Tally,
  toJson,
} from '../support/bad-input';
import { startTestApp, TestApp } from '../support/test-app';

// Generated bad input (fast-check, fixed seed) thrown at every operation of the API: bodies, label maps,
// query strings, search expressions, path ids and headers. Every answer must be 2xx or a 4xx problem+json
// with a HYPERFLEET code and trace_id = X-Request-ID; never a 5xx or internals. After each property the
// database must hold exactly what the 2xx answers say was written (a model kept by the test itself).
// FC_SEED=<n> replays with another seed; FC_RUNS_FACTOR=<x> scales every property's number of runs.

const API = '/api/hyperfleet/v1';
const SEED = Number(process.env.FC_SEED ?? 20261125);
const FACTOR = Number(process.env.FC_RUNS_FACTOR ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * FACTOR));

// ---------------------------------------------------------------- the model

interface Resource {
  id: string;
  name: string;
  generation: number;
  marked: boolean;
  removed: boolean;
  spec: unknown;
  labels: Record<string, string>;
  clusterId?: string;
}
interface Status {
  ownerType: 'Cluster' | 'NodePool';
  ownerId: string;
  adapter: string;
  observedGeneration: number;
  removed: boolean;
}

/** What the test itself created and changed through 2xx answers; the database must hold exactly this. */
class Model {
  readonly clusters = new Map<string, Resource>();
  readonly pools = new Map<string, Resource>();
  readonly statuses = new Map<string, Status>();

  resource(body: Record<string, any>, clusterId?: string): Resource {
    return { id: body.id, name: body.name, generation: body.generation, marked: !!body.deleted_time, removed: false, spec: body.spec, labels: body.labels ?? {}, ...(clusterId ? { clusterId } : {}) };
  }

  /** The `i`-th pick among the most recent entries (now and then any): targets that still do something. */
  pick<T>(map: Map<string, T>, i: number): T | undefined {
    const all = [...map.values()];
    if (all.length === 0) return undefined;
    const from = i % 7 === 0 ? all : all.slice(-6);
    return from[Math.floor(i / 7) % from.length];
  }

  removeResource(kind: 'Cluster' | 'NodePool', id: string): void {
    const map = kind === 'Cluster' ? this.clusters : this.pools;
    const row = map.get(id);
    if (row) row.removed = true;
    for (const s of this.statuses.values()) if (s.ownerType === kind && s.ownerId === id) s.removed = true;
  }
}

type Table = Record<string, unknown>[];
const key = (row: Record<string, unknown>, cols: string[]) => cols.map((c) => String(row[c])).join('|');

/** Rows the database holds that the model does not expect, rows it misses, and rows that differ. */
async function compareWithDatabase(t: TestApp, model: Model): Promise<{ extra: string[]; missing: string[]; changed: string[]; rows: number }> {
  const q = async (sql: string): Promise<Table> => (await adminQuery(t.db.url, sql)).rows;
  const actual = {
    clusters: await q('select id, name, generation, deleted_time is not null as marked, deleted_at is not null as removed, spec from clusters'),
    node_pools: await q('select id, owner_id, name, generation, deleted_time is not null as marked, deleted_at is not null as removed, spec from node_pools'),
    labels: await q('select owner_type, owner_id, key, value, deleted_at is not null as removed from labels'),
    adapter_statuses: await q('select owner_type, owner_id, adapter, observed_generation, deleted_at is not null as removed from adapter_statuses'),
  };
  const expected: typeof actual = { clusters: [], node_pools: [], labels: [], adapter_statuses: [] };
  for (const c of model.clusters.values()) expected.clusters.push({ id: c.id, name: c.name, generation: c.generation, marked: c.marked, removed: c.removed, spec: c.spec });
  for (const p of model.pools.values()) expected.node_pools.push({ id: p.id, owner_id: p.clusterId, name: p.name, generation: p.generation, marked: p.marked, removed: p.removed, spec: p.spec });
  for (const [ownerType, map] of [['Cluster', model.clusters], ['NodePool', model.pools]] as const)
    for (const r of map.values()) for (const [k, v] of Object.entries(r.labels)) expected.labels.push({ owner_type: ownerType, owner_id: r.id, key: k, value: v, removed: r.removed });
  for (const s of model.statuses.values()) expected.adapter_statuses.push({ owner_type: s.ownerType, owner_id: s.ownerId, adapter: s.adapter, observed_generation: s.observedGeneration, removed: s.removed });

  const keys: Record<keyof typeof actual, string[]> = { clusters: ['id'], node_pools: ['id'], labels: ['owner_type', 'owner_id', 'key'], adapter_statuses: ['owner_type', 'owner_id', 'adapter'] };
  const extra: string[] = [];
  const missing: string[] = [];
  const changed: string[] = [];
  let rows = 0;
  for (const table of Object.keys(actual) as (keyof typeof actual)[]) {
    const want = new Map(expected[table].map((r) => [key(r, keys[table]), r]));
    rows += actual[table].length;
    for (const row of actual[table]) {
      const k = key(row, keys[table]);
      const w = want.get(k);
      if (!w) extra.push(`${table} ${JSON.stringify(row).slice(0, 300)}`);
      else if (!jsonEqual(row, w)) changed.push(`${table} ${k}: database ${JSON.stringify(row).slice(0, 300)} model ${JSON.stringify(w).slice(0, 300)}`);
      want.delete(k);
    }
    for (const [k] of want) missing.push(`${table} ${k}`);
  }
  return { extra, missing, changed, rows };
}

// ---------------------------------------------------------------- operations

type OpName =
  | 'listClusters' | 'createCluster' | 'getCluster' | 'patchCluster' | 'deleteCluster' | 'forceDeleteCluster'
  | 'listPools' | 'listAllPools' | 'createPool' | 'getPool' | 'patchPool' | 'deletePool' | 'forceDeletePool'
  | 'putClusterStatus' | 'postClusterStatus' | 'getClusterStatuses' | 'putPoolStatus' | 'postPoolStatus' | 'getPoolStatuses';

type BodyKind = 'cluster' | 'pool' | 'patch' | 'force' | 'status' | 'none';

const OPS: Record<OpName, { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: (c: string, p: string) => string; body: BodyKind; pool?: boolean; list?: boolean }> = {
  listClusters: { method: 'get', path: () => `${API}/clusters`, body: 'none', list: true },
  createCluster: { method: 'post', path: () => `${API}/clusters`, body: 'cluster' },
  getCluster: { method: 'get', path: (c) => `${API}/clusters/${c}`, body: 'none' },
  patchCluster: { method: 'patch', path: (c) => `${API}/clusters/${c}`, body: 'patch' },
  deleteCluster: { method: 'delete', path: (c) => `${API}/clusters/${c}`, body: 'none' },
  forceDeleteCluster: { method: 'post', path: (c) => `${API}/clusters/${c}/force-delete`, body: 'force' },
  listPools: { method: 'get', path: (c) => `${API}/clusters/${c}/nodepools`, body: 'none', list: true },
  listAllPools: { method: 'get', path: () => `${API}/nodepools`, body: 'none', list: true },
  createPool: { method: 'post', path: (c) => `${API}/clusters/${c}/nodepools`, body: 'pool' },
  getPool: { method: 'get', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}`, body: 'none', pool: true },
  patchPool: { method: 'patch', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}`, body: 'patch', pool: true },
  deletePool: { method: 'delete', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}`, body: 'none', pool: true },
  forceDeletePool: { method: 'post', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}/force-delete`, body: 'force', pool: true },
  putClusterStatus: { method: 'put', path: (c) => `${API}/clusters/${c}/statuses`, body: 'status' },
  postClusterStatus: { method: 'post', path: (c) => `${API}/clusters/${c}/statuses`, body: 'status' },
  getClusterStatuses: { method: 'get', path: (c) => `${API}/clusters/${c}/statuses`, body: 'none', list: true },
  putPoolStatus: { method: 'put', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}/statuses`, body: 'status', pool: true },
  postPoolStatus: { method: 'post', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}/statuses`, body: 'status', pool: true },
  getPoolStatuses: { method: 'get', path: (c, p) => `${API}/clusters/${c}/nodepools/${p}/statuses`, body: 'none', pool: true, list: true },
};
const ALL_OPS = Object.keys(OPS) as OpName[];
const BODY_OPS = ALL_OPS.filter((op) => OPS[op].body !== 'none');
const LIST_OPS = ALL_OPS.filter((op) => OPS[op].list);
const ID_OPS = ALL_OPS.filter((op) => !['listClusters', 'createCluster', 'listAllPools'].includes(op));

/** Which resource a call is about: picks from the model at run time, or junk ids in its place. */
interface Target {
  pick: number;
  junkCluster?: string;
  junkPool?: string;
  /** A node pool addressed under another cluster than its own. */
  foreign?: boolean;
}

interface Call {
  op: OpName;
  target: Target;
  body?: string;
  query?: string;
  headers?: Record<string, string>;
}

// ---------------------------------------------------------------- body arbitraries

const CLUSTER_ADAPTERS = ['validation', 'dns', 'pullsecret', 'hypershift'];
const clusterName = fc.stringMatching(/^[a-z][a-z0-9-]{1,20}[a-z0-9]$/);
const poolName = fc.stringMatching(/^[a-z][a-z0-9-]{1,11}[a-z0-9]$/);
const nearNames = fc.constantFrom('AB', 'ab', 'a'.repeat(54), 'a'.repeat(16), '-abc', 'abc-', 'a_b', 'a.b', 'ab c', 'ａｂｃ', 'Abc', 'abc\n', ' abc', 'a--b', '😀😀😀');
const labelKey = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.constantFrom('env', 'pool', 'example.com/team', 'app.kubernetes.io/name', 'A_b-c.d', 'constructor', 'toString', `k${'x'.repeat(62)}`));
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,8}[a-zA-Z0-9])?$/), fc.constantFrom('prod', 'x'.repeat(63)));
/** Valid label maps (duplicate keys: the last one wins). */
const labelMap: fc.Arbitrary<Json> = fc.array(fc.tuple(labelKey, labelValue), { maxLength: 4 }).map((m) => new Members(m));
/** Label maps with bad keys and values among good ones. */
const junkLabelMap: fc.Arbitrary<Json> = fc
  .array(
    fc.tuple(
      fc.oneof(labelKey, junkKey, fc.constantFrom('x'.repeat(64), 'a'.repeat(256), `${'a'.repeat(254)}/n`, '-bad', 'UPPER.com/x', '__proto__', 'a/b/c', '/x', 'x/', 'a..b/c')),
      fc.oneof(labelValue, junkJson, fc.constantFrom('x'.repeat(64), 'bad value!', 'ünï', '-x', 'x-')),
    ),
    { maxLength: 6 },
  )
  .map((m) => new Members(m));
/** Big label maps: hundreds of keys, valid or with one bad key among them. */
const bigLabelMap: fc.Arbitrary<Json> = fc.tuple(fc.integer({ min: 100, max: 2000 }), fc.boolean()).map(([n, bad]) => new Members([...Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`] as [string, Json]), ...(bad ? [['bad key', 'v'] as [string, Json]] : [])]));

const specValue = field(junkObject, fc.constantFrom<Json>([], 'spec', 1, true));
const optionalJunk = fc.oneof({ weight: 4, arbitrary: fc.constant<typeof ABSENT>(ABSENT) }, { weight: 1, arbitrary: junkJson });

const validConditions: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom('True', 'False', 'Unknown'), fc.boolean(), fc.option(junkString, { nil: undefined }))
  .map(([available, finalized, reason]): Json => [
    { type: 'Available', status: available, ...(reason !== undefined ? { reason } : {}) },
    { type: 'Applied', status: 'True' },
    { type: 'Health', status: 'True', message: 'ok' },
    ...(finalized ? [{ type: 'Finalized', status: 'True' }] : []),
  ]);
const condition: fc.Arbitrary<Json> = bodyOf({
  type: field(fc.constantFrom('Available', 'Applied', 'Health', 'Finalized', 'Ready'), fc.constantFrom('', ' ', 'available')),
  status: field(fc.constantFrom('True', 'False', 'Unknown'), fc.constantFrom('true', 'TRUE', '', 'Yes')),
  reason: field(junkString),
  message: field(junkString),
});
const observedTime = field(
  fc.constant(new Now()),
  fc.constantFrom(new Now(6 * 60_000), new Now(-31 * 60_000), new Now(4 * 60_000), new Now(-29 * 60_000)),
  fc.constantFrom('2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00+99:99', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00.123456789Z', 'yesterday', '', '1700000000'),
);

const BODIES: Record<Exclude<BodyKind, 'none'>, fc.Arbitrary<Json>> = {
  cluster: bodyOf({
    kind: field(fc.constant('Cluster'), fc.constantFrom('cluster', 'NodePool', 'CLUSTER', '')),
    name: field(clusterName, nearNames),
    spec: specValue,
    labels: field(labelMap, junkLabelMap),
    id: optionalJunk,
    href: optionalJunk,
  }),
  pool: bodyOf({
    kind: field(fc.constant('NodePool'), fc.constantFrom('nodepool', 'Cluster', 'NODEPOOL', '')),
    name: field(poolName, nearNames),
    spec: specValue,
    labels: field(labelMap, junkLabelMap),
  }),
  patch: bodyOf({ spec: field(junkObject, fc.constantFrom<Json>([], 'spec', 1)), labels: field(labelMap, junkLabelMap) }),
  force: bodyOf({ reason: field(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('x'.repeat(1024), '😀'.repeat(1024), 'x'.repeat(1025), ' ', '')) }),
  status: bodyOf({
    adapter: field(fc.constantFrom(...CLUSTER_ADAPTERS, 'other-adapter'), fc.constantFrom('a'.repeat(255), 'a'.repeat(256), 'Validation', ' ', '😀'.repeat(255))),
    observed_generation: field(fc.integer({ min: 1, max: 3 }), junkNumber),
    observed_time: observedTime,
    conditions: field(validConditions, fc.array(condition, { maxLength: 6 })),
    data: field(junkObject),
    metadata: field(junkObject),
  }),
};

/** Bodies that pass validation most of the time (for the path, header and auth properties). */
const plausible = (kind: BodyKind): fc.Arbitrary<string | undefined> => {
  const valid: Record<BodyKind, fc.Arbitrary<Json | undefined>> = {
    none: fc.constant(undefined),
    cluster: fc.tuple(clusterName, labelMap).map(([name, labels]) => new Members([['kind', 'Cluster'], ['name', name], ['spec', { region: 'eu' }], ['labels', labels]])),
    pool: fc.tuple(poolName, labelMap).map(([name, labels]) => new Members([['kind', 'NodePool'], ['name', name], ['spec', { replicas: 3 }], ['labels', labels]])),
    patch: fc.tuple(junkObject, labelMap).map(([spec, labels]) => new Members([['spec', spec], ['labels', labels]])),
    force: fc.constant({ reason: 'decommissioned' }),
    status: fc.tuple(fc.constantFrom(...CLUSTER_ADAPTERS), fc.integer({ min: 1, max: 3 }), validConditions).map(([adapter, gen, conditions]) => ({ adapter, observed_generation: gen, observed_time: new Now(), conditions })),
  };
  return fc.oneof({ weight: 4, arbitrary: valid[kind].map((b) => (b === undefined ? undefined : toJson(b))) }, { weight: 1, arbitrary: kind === 'none' ? fc.constant(undefined) : payload(BODIES[kind]) });
};

const target: fc.Arbitrary<Target> = fc.record({ pick: fc.nat() });
const junkTarget: fc.Arbitrary<Target> = fc.record(
  { pick: fc.nat(), junkCluster: junkId, junkPool: junkId, foreign: fc.boolean() },
  { requiredKeys: ['pick'] },
);

// ---------------------------------------------------------------- the suite

describe('bad input (generated, fast-check)', () => {
  let t: TestApp;
  const model = new Model();
  const tally = new Tally();
  const lost = { extra: 0, missing: 0, changed: 0, rowsChecked: 0 };

  /** The ids a call addresses; the resource the model says they are (if any). */
  function resolve(call: Call): { c: string; p: string; cluster?: Resource; pool?: Resource } {
    const spec = OPS[call.op];
    let cluster: Resource | undefined;
    let pool: Resource | undefined;
    if (spec.pool) {
      pool = model.pick(model.pools, call.target.pick);
      cluster = pool && model.clusters.get(pool.clusterId!);
      if (call.target.foreign) cluster = model.pick(model.clusters, call.target.pick + 1);
    } else cluster = model.pick(model.clusters, call.target.pick);
    const c = call.target.junkCluster ?? cluster?.id ?? '01939a6e-0000-7000-8000-000000000000';
    const p = call.target.junkPool ?? pool?.id ?? '01939a6e-0000-7000-8000-000000000001';
    return { c, p, cluster: call.target.junkCluster ? undefined : cluster, pool: call.target.junkPool ? undefined : pool };
  }

  async function send(call: Call): Promise<{ res: Response; c: string; p: string }> {
    const spec = OPS[call.op];
    const { c, p } = resolve(call);
    const url = spec.path(c, p) + (call.query ? `?${call.query}` : '');
    let req = t.http[spec.method](url);
    const headers = call.headers ?? (call.body !== undefined ? { 'Content-Type': 'application/json' } : {});
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    const res = call.body !== undefined ? await req.send(call.body) : await req;
    return { res, c, p };
  }

  /** Brings the model up to date with a 2xx answer (the only answers that may have written anything). */
  async function apply(call: Call, res: Response, c: string, p: string): Promise<void> {
    if (res.status < 200 || res.status >= 300) return;
    const body = res.body as Record<string, any>;
    switch (call.op) {
      case 'createCluster':
        model.clusters.set(body.id, model.resource(body));
        return;
      case 'createPool':
        model.pools.set(body.id, model.resource(body, c));
        return;
      case 'patchCluster':
      case 'patchPool': {
        const map = call.op === 'patchCluster' ? model.clusters : model.pools;
        Object.assign(map.get(body.id)!, { generation: body.generation, spec: body.spec, labels: body.labels ?? {} });
        return;
      }
      case 'deleteCluster': {
        const row = model.clusters.get(body.id)!;
        if (!row.marked) for (const pool of model.pools.values()) if (pool.clusterId === row.id && !pool.marked && !pool.removed) Object.assign(pool, { marked: true, generation: pool.generation + 1 });
        Object.assign(row, { generation: body.generation, marked: true });
        return;
      }
      case 'deletePool':
        Object.assign(model.pools.get(body.id)!, { generation: body.generation, marked: true });
        return;
      case 'forceDeleteCluster':
        for (const pool of model.pools.values()) if (pool.clusterId === c) model.removeResource('NodePool', pool.id);
        model.removeResource('Cluster', c);
        return;
      case 'forceDeletePool':
        model.removeResource('NodePool', p);
        return;
      case 'putClusterStatus':
      case 'postClusterStatus':
      case 'putPoolStatus':
      case 'postPoolStatus': {
        if (res.status !== 201) return; // 204 (POST: 200, CONTRACT D16): discarded, nothing stored
        const ownerType = call.op.endsWith('ClusterStatus') ? 'Cluster' : 'NodePool';
        const ownerId = ownerType === 'Cluster' ? c : p;
        model.statuses.set(`${ownerType}|${ownerId}|${body.adapter}`, { ownerType, ownerId, adapter: body.adapter, observedGeneration: body.observed_generation, removed: false });
        // a report on a resource marked for deletion may finalize it (removed: 404 from now on)
        const owner = ownerType === 'Cluster' ? model.clusters.get(ownerId) : model.pools.get(ownerId);
        if (owner?.marked) {
          const path = ownerType === 'Cluster' ? `${API}/clusters/${ownerId}` : `${API}/clusters/${c}/nodepools/${ownerId}`;
          const read = await t.http.get(path);
          if (read.status === 404) model.removeResource(ownerType, ownerId);
          else if (read.status !== 200) throw new Error(`reading ${path} after a report: ${read.status}`);
        }
        return;
      }
      default:
        return;
    }
  }

  /** One call: send, check the answer, update the model, count. Throws on a broken pass condition. */
  async function run(scenario: string, call: Call): Promise<void> {
    const { res, c, p } = await send(call);
    const problem = answerProblem(res);
    tally.count(scenario, res, !!problem);
    if (problem) {
      const logged = t.logs.find((l) => l.request_id === res.headers['x-request-id'] && l.err) as { err?: { message?: string } } | undefined;
      const cause = logged?.err?.message ? ` (logged: ${logged.err.message.slice(0, 300)})` : '';
      throw new Error(`${problem}: ${OPS[call.op].method.toUpperCase()} ${OPS[call.op].path(c, p).slice(0, 200)}?${(call.query ?? '').slice(0, 300)} → ${res.status} ${res.text?.slice(0, 500)}${cause}`);
    }
    await apply(call, res, c, p);
  }

  async function expectDatabaseMatchesModel(): Promise<void> {
    const diff = await compareWithDatabase(t, model);
    lost.extra += diff.extra.length;
    lost.missing += diff.missing.length;
    lost.changed += diff.changed.length;
    lost.rowsChecked = diff.rows;
    expect({ extra: diff.extra.slice(0, 10), missing: diff.missing.slice(0, 10), changed: diff.changed.slice(0, 10) }).toEqual({ extra: [], missing: [], changed: [] });
  }

  const check = (property: fc.IAsyncProperty<[Call]>, numRuns: number) => fc.assert(property, { seed: SEED, numRuns, endOnFailure: false });

  beforeAll(async () => {
    t = await startTestApp();
    // a few resources to aim at, written through the API and recorded like any other 2xx
    for (let i = 0; i < 3; i++) {
      const cluster = await createCluster(t.http, { spec: { region: 'eu', i } });
      model.clusters.set(cluster.id, model.resource(cluster));
      for (let j = 0; j < 2; j++) {
        const pool = await createNodePool(t.http, cluster.id);
        model.pools.set(pool.id, model.resource(pool, cluster.id));
      }
      const report = await t.http.put(`${API}/clusters/${cluster.id}/statuses`).send(buildReport('validation', 1)).expect(201);
      model.statuses.set(`Cluster|${cluster.id}|validation`, { ownerType: 'Cluster', ownerId: cluster.id, adapter: 'validation', observedGeneration: report.body.observed_generation, removed: false });
    }
    await expectDatabaseMatchesModel();
  });

  afterAll(async () => {
    process.stdout.write(`\n${tally.report('bad input: requests per scenario (last run)', { seed: SEED, 'database rows checked (last comparison)': lost.rowsChecked, 'rows left behind by rejected requests': lost.extra, 'rows missing (lost writes)': lost.missing, 'rows differing from the 2xx answers (half-written)': lost.changed })}\n`);
    await t?.close();
  });

  it('bodies: generated malformed bodies for every operation that takes one', async () => {
    // creates and PATCHes weigh more than deletes, so that there is something left to aim at
    const weights: Partial<Record<OpName, number>> = { createCluster: 4, createPool: 4, patchCluster: 3, patchPool: 3, deleteCluster: 1, deletePool: 1 };
    const op = fc.oneof(...[...BODY_OPS, 'deleteCluster' as const, 'deletePool' as const].map((name) => ({ weight: weights[name] ?? 2, arbitrary: fc.constant(name) })));
    const call = op.chain((name) => fc.record({ op: fc.constant(name), target, body: OPS[name].body === 'none' ? fc.option(payload(junkJson), { nil: undefined }) : payload(BODIES[OPS[name].body as Exclude<BodyKind, 'none'>]) }));
    await check(fc.asyncProperty(call, (c) => run('bodies', c)), runs(3000));
    await expectDatabaseMatchesModel();
  });

  it('label maps: bad keys and values, __proto__, duplicates and hundreds of labels on create and PATCH', async () => {
    const labels = fc.oneof(labelMap, junkLabelMap, bigLabelMap, junkJson);
    const call = fc.oneof(
      fc.record({ op: fc.constant<OpName>('createCluster'), target, body: fc.tuple(clusterName, labels).map(([name, l]) => toJson(new Members([['kind', 'Cluster'], ['name', name], ['spec', {}], ['labels', l]]))) }),
      fc.record({ op: fc.constant<OpName>('createPool'), target, body: fc.tuple(poolName, labels).map(([name, l]) => toJson(new Members([['kind', 'NodePool'], ['name', name], ['spec', {}], ['labels', l]]))) }),
      fc.record({ op: fc.constantFrom<OpName>('patchCluster', 'patchPool'), target, body: labels.map((l) => toJson(new Members([['labels', l]]))) }),
    );
    await check(fc.asyncProperty(call, (c) => run('label maps', c)), runs(600));
    await expectDatabaseMatchesModel();
  });

  it('query strings: page, size, order, search, pageSize, orderBy and unknown keys with junk on every list', async () => {
    const call = fc.record({ op: fc.constantFrom(...LIST_OPS, 'getCluster', 'getPool'), target, query: junkQuery });
    await check(fc.asyncProperty(call, (c) => run('query strings', c)), runs(1000));
    await expectDatabaseMatchesModel();
  });

  it('search expressions: token soup from the grammar, sentences and the limits', async () => {
    const extra = fc.constantFrom('', '&page=1&size=5', '&order=name%20asc', '&size=100&page=2');
    const call = fc.record({ op: fc.constantFrom<OpName>('listClusters', 'listPools', 'listAllPools'), target, query: fc.tuple(junkSearch, extra).map(([s, e]) => `search=${pct(s)}${e}`) });
    await check(fc.asyncProperty(call, (c) => run('search expressions', c)), runs(1500));
    await expectDatabaseMatchesModel();
  });

  it('path ids: random, unicode, %00, ..%2F, very long, foreign and removed ids on every operation with ids', async () => {
    const call = fc.constantFrom(...ID_OPS).chain((op) => fc.record({ op: fc.constant(op), target: junkTarget, body: plausible(OPS[op].body) }));
    await check(fc.asyncProperty(call, (c) => run('path ids', { ...c, body: c.body ?? undefined })), runs(1000));
    await expectDatabaseMatchesModel();
  });

  it('headers: Content-Type variants, If-Match, X-Request-ID and Authorization junk on every operation', async () => {
    const contentType = fc.oneof(
      { weight: 3, arbitrary: fc.constant('application/json') },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8', 'application/json;charset=latin1', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/problem+json', 'application/vnd.api+json',
          'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'json', '*/*', 'application/', ';', 'application/json, text/plain',
        ),
      },
      { weight: 1, arbitrary: junkHeader },
    );
    const headers = fc.record(
      {
        'Content-Type': contentType,
        'If-Match': fc.oneof(fc.constantFrom('*', '"1"', '"2"', '"3"', '1', 'W/"1"', '""', ',', '"1", "2"', '*, "x"', '"-1"', '"1e308"'), junkHeader),
        'X-Request-ID': fc.oneof(fc.constantFrom('', 'client-chosen', 'a'.repeat(8000), '../../x', '01939a6e-0000-7000-8000-000000000000'), junkHeader),
        Authorization: fc.oneof(fc.constantFrom('Bearer', 'Bearer ', 'Bearer x.y.z', 'Basic dXNlcjpwYXNz', 'bearer eyJhbGciOiJub25lIn0.e30.', `Bearer ${'a'.repeat(8000)}`), junkHeader),
        Accept: fc.constantFrom('application/xml', 'text/html', '*/*', 'application/problem+json', ''),
      },
      { requiredKeys: [] },
    );
    const call = fc.constantFrom(...ALL_OPS).chain((op) => fc.record({ op: fc.constant(op), target, body: plausible(OPS[op].body), headers }));
    await check(fc.asyncProperty(call, (c) => run('headers', { ...c, body: c.body ?? undefined })), runs(1000));
    await expectDatabaseMatchesModel();
  });
});

describe('bad input with authentication on (generated tokens and identity headers)', () => {
  const ISSUER = 'https://sso.reliability.test';
  const dir = mkdtempSync(join(tmpdir(), 'hf-bad-input-'));
  const tally = new Tally();
  let t: TestApp;
  let pair: Awaited<ReturnType<typeof generateKeyPair>>;
  const created = new Map<string, { name: string; created_by: string }>();

  beforeAll(async () => {
    pair = await generateKeyPair('RS256');
    const pem = join(dir, 'issuer.pem');
    writeFileSync(pem, await exportSPKI(pair.publicKey));
    t = await startTestApp({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', HYPERFLEET_SERVER_JWT_ISSUERS: JSON.stringify([{ issuer_url: ISSUER, jwk_cert_file: pem, identity_header: 'X-HyperFleet-Identity' }]) });
  });
  afterAll(async () => {
    process.stdout.write(`\n${tally.report('bad input with authentication on (last run)', { 'clusters created (2xx)': created.size })}\n`);
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers junk tokens, junk claims and junk identity headers with 401/403 problem+json or a 2xx, and stores the identity it answered with', async () => {
    const claims = fc.record(
      { email: fc.oneof(fc.constantFrom('ann@example.com', 'x'.repeat(300), '', ' ', 'ann\ud800@example.com'), junkString.filter((s) => s.length < 400)), preferred_username: junkString.filter((s) => s.length < 400), exp: fc.constantFrom(1, 4102444800), iss: fc.constantFrom(ISSUER, 'https://other.test', '') },
      { requiredKeys: ['exp', 'iss'] },
    );
    const authorization = fc.oneof(
      { weight: 3, arbitrary: claims.map((c) => ({ sign: c })) },
      { weight: 1, arbitrary: fc.oneof(junkHeader, fc.constantFrom('Bearer', 'Bearer x.y.z', 'Basic dXNlcjpwYXNz', 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL3Nzby5yZWxpYWJpbGl0eS50ZXN0In0.')).map((raw) => ({ raw })) },
    );
    const request = fc.record({
      op: fc.constantFrom('create', 'list', 'get'),
      authorization,
      identity: fc.option(fc.oneof(fc.constantFrom('bob@example.com', 'x'.repeat(300), ' '), junkHeader), { nil: undefined }),
      name: clusterName,
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const token = 'raw' in r.authorization ? r.authorization.raw : `Bearer ${await new SignJWT(r.authorization.sign as Record<string, unknown>).setProtectedHeader({ alg: 'RS256' }).sign(pair.privateKey)}`;
        const any = [...created.keys()][0] ?? '01939a6e-0000-7000-8000-000000000000';
        let req = r.op === 'create' ? t.http.post(`${API}/clusters`) : r.op === 'list' ? t.http.get(`${API}/clusters`) : t.http.get(`${API}/clusters/${any}`);
        req = req.set('Authorization', token);
        if (r.identity !== undefined) req = req.set('X-HyperFleet-Identity', r.identity);
        const res = r.op === 'create' ? await req.send(buildCluster({ name: r.name })) : await req;
        const problem = answerProblem(res);
        tally.count(`auth ${r.op}`, res, !!problem);
        if (problem) throw new Error(`${problem}: ${r.op} → ${res.status} ${res.text?.slice(0, 500)}`);
        if (res.status >= 400 && ![401, 403, 404, 409].includes(res.status)) throw new Error(`unexpected ${res.status}: ${res.text.slice(0, 300)}`);
        if (r.op === 'create' && res.status === 201) created.set(res.body.id, { name: res.body.name, created_by: res.body.created_by });
      }),
      { seed: SEED, numRuns: runs(500) },
    );
    const rows = (await adminQuery(t.db.url, 'select id, name, created_by from clusters')).rows;
    expect(new Map(rows.map((r) => [r.id as string, { name: r.name, created_by: r.created_by }]))).toEqual(created);
  });
});
