import { Client } from 'pg';
import { createCluster } from '../factories/cluster.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

/** A request whose database work cannot finish in time is answered 503, not left hanging. */
describe('request deadline', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_DATABASE_REQUEST_TIMEOUT: '300ms' });
    db = new Client({ connectionString: t.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('answers 503 HYPERFLEET-SVC-002 when a write waits past the deadline, and recovers', async () => {
    const c = await createCluster(t.http);
    await db.query('begin');
    await db.query('select id from clusters where id = $1 for update', [c.id]);
    try {
      const blocked = await t.http.patch(`/api/hyperfleet/v1/clusters/${c.id}`).send({ spec: { v: 2 } });
      const problem = expectProblem(blocked, 503, 'HYPERFLEET-SVC-002');
      expect(problem.detail).toContain('deadline');
      expect(blocked.headers['retry-after']).toBe('1');
      // reads do not take the lock
      await t.http.get(`/api/hyperfleet/v1/clusters/${c.id}`).expect(200);
    } finally {
      await db.query('rollback');
    }
    const after = await t.http.patch(`/api/hyperfleet/v1/clusters/${c.id}`).send({ spec: { v: 2 } }).expect(200);
    expect(after.body.generation).toBe(2);
  });
});
