import { MikroORM } from '@mikro-orm/core';
import { createCluster } from '../factories/cluster.factory';
import { buildReport } from '../factories/adapter-status.factory';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/**
 * Each request has an entity manager of its own (identity map, unit of work), forked from the ORM's
 * root on first use (requestScope): the routes that run their statements on the pool (GET by id, lists,
 * the writes) never fork one; those that go through the ORM's finders (status lists) fork exactly one
 * per request.
 */
describe('the request scope of the entity manager', () => {
  let t: TestApp;
  let forks: jest.SpyInstance;
  let clusterId: string;

  beforeAll(async () => {
    t = await startTestApp();
    clusterId = (await createCluster(t.http)).id;
    forks = jest.spyOn(t.app.get(MikroORM).em, 'fork');
  });
  afterAll(async () => {
    forks.mockRestore();
    await t.close();
  });
  beforeEach(() => forks.mockClear());

  it('is not forked for GET by id, a list, a search, a status report, a create or a PATCH', async () => {
    await t.http.get(`${API}/clusters/${clusterId}`).expect(200);
    await t.http.get(`${API}/clusters?size=5`).expect(200);
    await t.http.get(`${API}/clusters/${clusterId}/nodepools`).expect(200);
    await t.http.get(`${API}/clusters?search=labels.env='dev'`).expect(200);
    await t.http.put(`${API}/clusters/${clusterId}/statuses`).send(buildReport('dns', 1)).expect(201);
    const created = await createCluster(t.http);
    await t.http.patch(`${API}/clusters/${created.id}`).send({ spec: { changed: true } }).expect(200);
    expect(forks).not.toHaveBeenCalled();
  });

  it('is forked once per request that uses the ORM, each request its own, concurrent ones too', async () => {
    const answers = await Promise.all([
      t.http.get(`${API}/clusters/${clusterId}/statuses`),
      t.http.get(`${API}/clusters/${clusterId}/statuses?size=1`),
      t.http.get(`${API}/clusters/${clusterId}/statuses?page=2`),
      t.http.get(`${API}/resources/${clusterId}/statuses`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(forks).toHaveBeenCalledTimes(4);
    const made = forks.mock.results.map((r) => r.value as unknown);
    expect(new Set(made).size).toBe(4);
  });

  it('is not the root entity manager: a request that uses the ORM outside a request scope would be refused', () => {
    // the root is global; MikroORM refuses its use for work that needs a unit of work outside a request
    expect(() => t.app.get(MikroORM).em.getContext()).toThrow(/global EntityManager/i);
  });
});
