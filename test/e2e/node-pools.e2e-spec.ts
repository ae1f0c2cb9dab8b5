import { createCluster } from '../factories/cluster.factory';
import { buildNodePool, createNodePool, nodePoolName } from '../factories/node-pool.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const CLUSTERS = '/api/hyperfleet/v1/clusters';
const UNKNOWN = '01939a6e-0000-7000-8000-000000000000';

describe('node pools', () => {
  let t: TestApp;
  let cluster: Record<string, any>;
  let pools: string;
  beforeAll(async () => {
    t = await startTestApp();
    cluster = await createCluster(t.http);
    pools = `${CLUSTERS}/${cluster.id}/nodepools`;
  });
  afterAll(() => t?.close());

  it('creates a node pool: 201 with owner_references, nested href and initial conditions', async () => {
    const name = nodePoolName();
    const res = await t.http.post(pools).send({ kind: 'NodePool', name, spec: { replicas: 2 }, labels: { pool: 'infra' } }).expect(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      kind: 'NodePool',
      name,
      href: `${pools}/${res.body.id}`,
      spec: { replicas: 2 },
      labels: { pool: 'infra' },
      generation: 1,
      owner_references: { id: cluster.id, kind: 'Cluster', href: `${CLUSTERS}/${cluster.id}` },
      created_by: 'system@hyperfleet.local',
    });
    expect(res.body.status.conditions.map((c: { type: string; status: string; message: string }) => [c.type, c.status])).toEqual([
      ['Reconciled', 'False'],
      ['LastKnownReconciled', 'False'],
    ]);
    expect(res.body.status.conditions[0].message).toBe('Required adapters not reporting Available=True: [hypershift, validation]. Currently reporting: []');
    expect((await t.http.get(`${pools}/${res.body.id}`).expect(200)).body).toEqual(res.body);
  });

  it('validates the body before looking at the cluster; names are 3–15 characters', async () => {
    expect(expectProblem(await t.http.post(pools).send(buildNodePool({ name: 'a'.repeat(16) })), 400, 'HYPERFLEET-VAL-000').detail).toBe('name must be at most 15 characters');
    expect(expectProblem(await t.http.post(pools).send(buildNodePool({ kind: 'Cluster' })), 400, 'HYPERFLEET-VAL-000').detail).toBe("kind must be 'NodePool'");
    expectProblem(await t.http.post(`${CLUSTERS}/${UNKNOWN}/nodepools`).send(buildNodePool({ name: 'x' })), 400, 'HYPERFLEET-VAL-000');
    const missing = expectProblem(await t.http.post(`${CLUSTERS}/${UNKNOWN}/nodepools`).send(buildNodePool()), 404, 'HYPERFLEET-NTF-001');
    expect(missing.detail).toBe(`Cluster with id='${UNKNOWN}' not found`);
  });

  it('keeps names unique within a cluster only', async () => {
    const name = nodePoolName();
    await createNodePool(t.http, cluster.id, { name });
    const dup = expectProblem(await t.http.post(pools).send(buildNodePool({ name })), 409, 'HYPERFLEET-CNF-001');
    expect(dup.detail).toBe(`This NodePool already exists: another NodePool of Cluster '${cluster.id}' not marked for deletion is named '${name}'`);
    const other = await createCluster(t.http);
    await t.http.post(`${CLUSTERS}/${other.id}/nodepools`).send(buildNodePool({ name })).expect(201);
  });

  it('finds a node pool only under its own cluster', async () => {
    const np = await createNodePool(t.http, cluster.id);
    const other = await createCluster(t.http);
    const wrong = expectProblem(await t.http.get(`${CLUSTERS}/${other.id}/nodepools/${np.id}`), 404, 'HYPERFLEET-NTF-001');
    expect(wrong.detail).toBe(`NodePool with id='${np.id}' not found`);
    const noCluster = expectProblem(await t.http.get(`${CLUSTERS}/${UNKNOWN}/nodepools/${np.id}`), 404, 'HYPERFLEET-NTF-001');
    expect(noCluster.detail).toBe(`Cluster with id='${UNKNOWN}' not found`);
    expectProblem(await t.http.patch(`${CLUSTERS}/${other.id}/nodepools/${np.id}`).send({ spec: {} }), 404, 'HYPERFLEET-NTF-001');
    expectProblem(await t.http.delete(`${CLUSTERS}/${other.id}/nodepools/${np.id}`), 404, 'HYPERFLEET-NTF-001');
    expectProblem(await t.http.get(`${pools}/not-a-uuid`), 404, 'HYPERFLEET-NTF-001');
  });

  it("lists a cluster's node pools (404 for an unknown cluster) and all node pools", async () => {
    const c = await createCluster(t.http);
    const a = await createNodePool(t.http, c.id);
    const b = await createNodePool(t.http, c.id);
    const res = await t.http.get(`${CLUSTERS}/${c.id}/nodepools`).expect(200);
    expect(res.body).toMatchObject({ kind: 'NodePoolList', page: 1, size: 2, total: 2 });
    expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([b.id, a.id]);
    expectProblem(await t.http.get(`${CLUSTERS}/${UNKNOWN}/nodepools`), 404, 'HYPERFLEET-NTF-001');
    const all = await t.http.get('/api/hyperfleet/v1/nodepools?size=100&order=owner_id,name').expect(200);
    expect(all.body.kind).toBe('NodePoolList');
    expect(all.body.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(all.body.total).toBeGreaterThanOrEqual(4);
    const owners = all.body.items.map((p: { owner_references: { id: string } }) => p.owner_references.id);
    expect([...owners].sort()).toEqual(owners);
    expectProblem(await t.http.get('/api/hyperfleet/v1/nodepools?size=500'), 400, 'HYPERFLEET-VAL-000');
  });

  it('PATCH replaces spec and labels, bumps generation, and is 409 once the node pool is marked', async () => {
    const np = await createNodePool(t.http, cluster.id);
    const res = await t.http.patch(`${pools}/${np.id}`).send({ spec: { replicas: 5 }, labels: { tier: 'gold' } }).expect(200);
    expect(res.body).toMatchObject({ spec: { replicas: 5 }, labels: { tier: 'gold' }, generation: 2 });
    expect(res.headers.etag).toBe('"2"');
    // the reads: by id, and in the cluster's list
    expect((await t.http.get(`${pools}/${np.id}`).expect(200)).body.labels).toEqual({ tier: 'gold' });
    expect((await t.http.get(pools).expect(200)).body.items.find((p: { id: string }) => p.id === np.id).labels).toEqual({ tier: 'gold' });
    expectProblem(await t.http.patch(`${pools}/${np.id}`).send({ spec: {}, kind: 'NodePool' }), 400, 'HYPERFLEET-VAL-006');
    await t.http.delete(`${pools}/${np.id}`).expect(202);
    const p = expectProblem(await t.http.patch(`${pools}/${np.id}`).send({ spec: {} }), 409, 'HYPERFLEET-CNF-003');
    expect(p.detail).toBe(`NodePool '${np.id}' is marked for deletion`);
  });

  it('DELETE marks only the node pool; force-delete removes only the node pool', async () => {
    const c = await createCluster(t.http);
    const np = await createNodePool(t.http, c.id);
    const sibling = await createNodePool(t.http, c.id);
    expectProblem(await t.http.post(`${CLUSTERS}/${c.id}/nodepools/${np.id}/force-delete`).send({ reason: 'x' }), 409, 'HYPERFLEET-CNF-003');
    const marked = (await t.http.delete(`${CLUSTERS}/${c.id}/nodepools/${np.id}`).expect(202)).body;
    expect(marked).toMatchObject({ generation: 2, deleted_time: expect.any(String) });
    expect((await t.http.get(`${CLUSTERS}/${c.id}`)).body).not.toHaveProperty('deleted_time');
    await t.http.post(`${CLUSTERS}/${c.id}/nodepools/${np.id}/force-delete`).send({ reason: 'adapter gone' }).expect(204);
    expectProblem(await t.http.get(`${CLUSTERS}/${c.id}/nodepools/${np.id}`), 404, 'HYPERFLEET-NTF-001');
    await t.http.get(`${CLUSTERS}/${c.id}/nodepools/${sibling.id}`).expect(200);
    const left = (await t.http.get(`${CLUSTERS}/${c.id}/nodepools`)).body.items.map((p: { id: string }) => p.id);
    expect(left).toEqual([sibling.id]);
    // the removed node pool's name is free again
    await t.http.post(`${CLUSTERS}/${c.id}/nodepools`).send(buildNodePool({ name: np.name })).expect(201);
  });
});
