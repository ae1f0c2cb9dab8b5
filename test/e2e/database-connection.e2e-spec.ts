import 'reflect-metadata';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { Client, Pool } from 'pg';
import { DatabaseConnectionError, initOrm, queryBound, translateDriverError } from '@app/persistence';
import { createCluster } from '../factories/cluster.factory';
import { createTestDatabase, TestDatabase } from '../support/database';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/**
 * The connection pool under failures (found by test/reliability/database-faults): a connection that
 * dies inside a transaction goes back to the pool, a request that cannot get a connection is a 503,
 * and a transaction never needs a second pooled connection.
 */
/**
 * A TCP relay to the database that can stop relaying (`freeze`): the connections stay open and nothing
 * comes back, as when the server hangs or the network drops packets. New connections relay again after `thaw`.
 */
async function freezableRelay(target: URL): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const server: Server = createServer((client) => {
    const upstream = netConnect(Number(target.port || 5432), target.hostname);
    const stuck = frozen;
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!frozen && !stuck) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.href,
    freeze: () => (frozen = true),
    thaw: () => (frozen = false),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('database connections', () => {
  describe('a pool of two whose connections are cut under their statements', () => {
    let t: TestApp;
    let holder: Client;
    let observer: Client;
    beforeAll(async () => {
      t = await startTestApp({ HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '2' });
      holder = new Client({ connectionString: t.db.url });
      observer = new Client({ connectionString: t.db.url });
      await Promise.all([holder.connect(), observer.connect()]);
    });
    afterAll(async () => {
      await holder?.end();
      await observer?.end();
      await t?.close();
    });

    it('answers 503 for the cut requests and gets both connections back', async () => {
      const c = await createCluster(t.http);
      await holder.query('begin');
      await holder.query('select id from clusters where id = $1 for update', [c.id]);
      // both pooled connections now run a PATCH's write, waiting on the row lock
      const patches = [1, 2].map((n) => t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { n } }).then((r) => r));
      // asked outside the holder's transaction: a transaction sees one snapshot of pg_stat_activity
      const waiting = async () => (await observer.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n as number;
      while ((await waiting()) < 2) await new Promise((r) => setImmediate(r));
      await holder.query(`select pg_terminate_backend(pid) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`);
      for (const res of await Promise.all(patches)) expectProblem(res, 503, 'HYPERFLEET-SVC-001');
      await holder.query('rollback');

      // the pool must neither have lost those connections (it did once: every later request waited 5 s
      // for a connection and failed) nor have taken them back dead (the next request would get one)
      await t.http.get(`${API}/clusters/${c.id}`).expect(200);
      const after = await Promise.all([1, 2, 3].map((n) => t.http.patch(`${API}/clusters/${c.id}`).send({ labels: { n: String(n) } })));
      expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(Math.max(...after.map((r) => r.body.generation))).toBe(4);
    });
  });

  describe('a pool of one', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '1' });
    });
    afterAll(() => t?.close());

    it('serves every write: no transaction needs a second connection', async () => {
      const c = await createCluster(t.http, { labels: { env: 'dev' } });
      const patched = await t.http.patch(`${API}/clusters/${c.id}`).send({ spec: { v: 2 }, labels: { env: 'prod' } });
      expect({ status: patched.status, labels: patched.body.labels }).toEqual({ status: 200, labels: { env: 'prod' } });
      const np = await t.http.post(`${API}/clusters/${c.id}/nodepools`).send({ kind: 'NodePool', name: 'workers', spec: {}, labels: { a: 'b' } }).expect(201);
      const npPatched = await t.http.patch(`${API}/clusters/${c.id}/nodepools/${np.body.id}`).send({ labels: { a: 'c' } });
      expect({ status: npPatched.status, labels: npPatched.body.labels }).toEqual({ status: 200, labels: { a: 'c' } });
      await t.http.put(`${API}/clusters/${c.id}/statuses`).send({ adapter: 'dns', observed_generation: 2, conditions: [{ type: 'Available', status: 'True' }, { type: 'Applied', status: 'True' }, { type: 'Health', status: 'True' }] }).expect(201);
      await t.http.delete(`${API}/clusters/${c.id}/nodepools/${np.body.id}`).expect(202);
      const deleted = await t.http.delete(`${API}/clusters/${c.id}`).expect(202);
      expect(deleted.body.labels).toEqual({ env: 'prod' });
      await t.http.post(`${API}/clusters/${c.id}/force-delete`).send({ reason: 'test' }).expect(204);
      await t.http.get(`${API}/clusters`).expect(200);
    });
  });

  describe('an ORM of its own (initOrm)', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db?.drop());

    it('closes: close() returns only once every connection has closed', async () => {
      const orm = await initOrm({ clientUrl: db.url, poolMax: 6 });
      const pool = await (orm.em.getConnection() as unknown as { getNativeClient(): Promise<Pool> }).getNativeClient();
      const sockets: Socket[] = [];
      pool.on('connect', (client) => sockets.push((client as unknown as { connection: { stream: Socket } }).connection.stream));
      // six statements at once on the pool itself, as the hot paths run them (no statement through the
      // ORM, so kysely never learns of the pool): six connections, idle in the pool afterwards
      await Promise.all(Array.from({ length: 6 }, () => pool.query('select pg_sleep(0.05)')));
      expect(sockets.map((s) => s.destroyed)).toEqual(Array(6).fill(false));
      await orm.close(true);
      // a process may exit right here: its sockets are closed, and the server closes its side only after
      // the backend has left (pg-pool's own end resolves while they are still open)
      expect(sockets.map((s) => s.destroyed)).toEqual(Array(6).fill(true));
      const watcher = new Client({ connectionString: db.url });
      await watcher.connect();
      try {
        const { rows } = await watcher.query(`select count(*)::int as n from pg_stat_activity where application_name = 'hyperfleet-api' and datname = current_database()`);
        expect(rows[0].n).toBe(0);
      } finally {
        await watcher.end();
      }
    });

    it('a database that stops answering: the statement fails a second past the statement timeout (08006, a 503), and the pool goes on with a new connection', async () => {
      const relay = await freezableRelay(new URL(db.url));
      const orm = await initOrm({ clientUrl: relay.url, poolMax: 1, statementTimeoutMs: 1_000 });
      try {
        // statements shorter than the read timeout (2 s) one after another, 2.5 s in all, on the one
        // connection: the clock runs per statement, not per connection or checkout
        for (let i = 0; i < 5; i++) await orm.em.fork().getConnection().execute('select pg_sleep(0.5)');
        relay.freeze();
        const err = await queryBound(orm.em.fork(), 'select 1 as one', []).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(DatabaseConnectionError);
        expect((err as DatabaseConnectionError).code).toBe('08006');
        expect(translateDriverError(err)).toMatchObject({ status: 503, code: 'HYPERFLEET-SVC-001' });
        relay.thaw();
        await expect(queryBound(orm.em.fork(), 'select 1 as one', [])).resolves.toEqual([{ one: 1 }]);
        await expect(orm.em.fork().getConnection().execute('select 2 as two')).resolves.toEqual([{ two: 2 }]);
      } finally {
        await orm.close(true);
        await relay.close();
      }
    }, 30_000);

    it('a request that cannot get a connection fails with a connection error (SQLSTATE 08001), translated to 503, by class', async () => {
      const orm = await initOrm({ clientUrl: db.url, poolMax: 1, connectTimeoutMs: 200 });
      try {
        const err = await orm.em.fork().transactional(async () =>
          // the only connection is this transaction's; a query outside it has to wait for another
          orm.em
            .fork()
            .getConnection()
            .execute('select 1')
            .then(
              () => undefined,
              (e: unknown) => e,
            ),
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code).toBe('08001');
        expect(err instanceof DatabaseConnectionError || (err as { cause?: unknown }).cause instanceof DatabaseConnectionError).toBe(true);
        expect(translateDriverError(err)).toMatchObject({ status: 503, code: 'HYPERFLEET-SVC-001' });
      } finally {
        await orm.close(true);
      }
    });
  });
});
