import { createServer, connect as netConnect, type Socket } from 'node:net';
import { Client } from 'pg';
import { createCluster } from '../factories/cluster.factory';
import { adminQuery } from '../setup/pg-admin';
import { createTestDatabase, TestDatabase } from '../support/database';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A TCP relay to the database that can hold everything back (`pause`: nothing is lost, it is kept in
 * order, as with a database that stopped answering for a while) and let it go (`resume`). `sent`
 * resolves when the API next sends something through it.
 */
async function pausableRelay(target: string): Promise<{ url: string; pause(): void; resume(): void; sent(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let paused = false;
  let onSent: (() => void) | undefined;
  const server = createServer((client) => {
    const u = new URL(target);
    const upstream = netConnect(Number(u.port || 5432), u.hostname);
    for (const [from, to, fromApi] of [
      [client, upstream, true],
      [upstream, client, false],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (fromApi) onSent?.();
        if (paused) held.push(() => to.write(chunk));
        else to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.href,
    pause: () => (paused = true),
    resume: () => {
      paused = false;
      for (const write of held.splice(0)) write();
    },
    sent: () => new Promise<void>((resolve) => (onSent = resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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

/**
 * A request answered 503 for its deadline leaves nothing behind: once the answer is out, no further
 * statement of it runs (its transaction is rolled back), even when what held it up lets go.
 */
describe('request deadline: nothing runs after the answer', () => {
  let t: TestApp;
  let db: TestDatabase;
  let relay: Awaited<ReturnType<typeof pausableRelay>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    relay = await pausableRelay(db.url);
    // one pooled connection: the second PATCH waits for the first one's
    t = await startTestApp({ HYPERFLEET_DATABASE_URL: relay.url, HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '1', HYPERFLEET_DATABASE_REQUEST_TIMEOUT: '1s' });
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
    await db?.drop();
  });

  it('applies neither a PATCH whose statement was held up nor one that waited for a connection, once both were answered 503', async () => {
    const c = await createCluster(t.http);
    relay.pause();
    const sent = relay.sent();
    const first = t.http.patch(`/api/hyperfleet/v1/clusters/${c.id}`).send({ spec: { by: 'first' } }).then((r) => r);
    // the first PATCH's statement is on its way (and held); the second one waits for the pool's connection
    await sent;
    const second = t.http.patch(`/api/hyperfleet/v1/clusters/${c.id}`).send({ spec: { by: 'second' } }).then((r) => r);
    for (const res of [await first, await second]) expectProblem(res, 503, 'HYPERFLEET-SVC-002');
    // what held them up lets go, before the connection's read timeout (a second later) would cut it
    relay.resume();
    // the pool serves again: the connection is back, and nothing of the two PATCHes was applied
    const after = await t.http.get(`/api/hyperfleet/v1/clusters/${c.id}`).expect(200);
    expect({ generation: after.body.generation, spec: after.body.spec }).toEqual({ generation: 1, spec: c.spec });
    const [row] = (await adminQuery(db.url, 'select generation, spec from clusters where id = $1', [c.id])).rows;
    expect(row).toEqual({ generation: 1, spec: c.spec });
  });
});
