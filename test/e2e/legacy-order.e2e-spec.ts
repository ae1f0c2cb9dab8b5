import { createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const names = (body: { items: { name: string }[] }): string[] => body.items.map((i) => i.name);

/** D16: seed-era clients send the sort field in `orderBy` and its direction in `order`. */
describe('orderBy with a seed-era order=asc|desc', () => {
  let t: TestApp;
  let clusterId: string;
  const clusterNames = ['ord-b', 'ord-c', 'ord-a'];
  beforeAll(async () => {
    t = await startTestApp();
    for (const name of clusterNames) clusterId = (await createCluster(t.http, { name })).id;
    for (const name of ['np-b', 'np-a', 'np-c']) await createNodePool(t.http, clusterId, { name });
  });
  afterAll(() => t?.close());

  it('orderBy=name&order=desc lists clusters by name descending, with Deprecation: true', async () => {
    const res = await t.http.get(`${API}/clusters?orderBy=name&order=desc`).expect(200);
    expect(res.headers.deprecation).toBe('true');
    expect(names(res.body)).toEqual(['ord-c', 'ord-b', 'ord-a']);
    const asc = await t.http.get(`${API}/clusters?orderBy=name&order=asc`).expect(200);
    expect(names(asc.body)).toEqual(['ord-a', 'ord-b', 'ord-c']);
  });

  it('applies to node pool lists too, and a direction inside orderBy wins', async () => {
    const desc = await t.http.get(`${API}/clusters/${clusterId}/nodepools?orderBy=name&order=desc`).expect(200);
    expect(names(desc.body)).toEqual(['np-c', 'np-b', 'np-a']);
    const explicit = await t.http.get(`${API}/nodepools?orderBy=name%20asc&order=desc`).expect(200);
    expect(names(explicit.body)).toEqual(['np-a', 'np-b', 'np-c']);
  });

  it('an order that names a field still wins over orderBy (D7)', async () => {
    const res = await t.http.get(`${API}/clusters?orderBy=name&order=name%20desc`).expect(200);
    expect(res.headers.deprecation).toBeUndefined();
    expect(names(res.body)).toEqual(['ord-c', 'ord-b', 'ord-a']);
    const byCreation = await t.http.get(`${API}/clusters?orderBy=created_time&order=asc`).expect(200);
    expect(names(byCreation.body)).toEqual(clusterNames);
  });
});
