import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/database';
import { API_FROM_SOURCE, cleanEnv, NODE, spawnLogged, Spawned } from '../support/processes';

const listening = (l: Record<string, unknown>) => typeof l.msg === 'string' && l.msg.startsWith('HyperFleet API listening');

/**
 * SIGTERM under load (CONTRACT §4.1, §8.3): readiness turns 503 first, every request already in flight
 * completes normally, then the process closes its connections and exits 0.
 */
describe('graceful shutdown', () => {
  let db: TestDatabase;
  let api: Spawned | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await db?.drop();
  });

  it('drains in-flight requests, reports shutting_down, and exits 0', async () => {
    api = spawnLogged(NODE, API_FROM_SOURCE, cleanEnv({ HYPERFLEET_DATABASE_URL: db.url, HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '16', HYPERFLEET_SERVER_PORT: '0', HYPERFLEET_HEALTH_PORT: '0', HYPERFLEET_METRICS_PORT: '0' }));
    const ready = await api.waitFor(listening, 90_000);
    const base = `http://127.0.0.1:${ready.api_port}/api/hyperfleet/v1`;
    const health = `http://127.0.0.1:${ready.health_port}`;
    const created = await fetch(`${base}/clusters`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'Cluster', name: 'drain-me', spec: {} }) });
    expect(created.status).toBe(201);
    const cluster = (await created.json()) as { id: string };

    // ordinary traffic first
    const warmup = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? fetch(`${base}/clusters`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'Cluster', name: `load-${i}`, spec: { i } }) }) : fetch(`${base}/clusters?size=5`))));
    expect(warmup.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);

    // hold the cluster's row, so that requests are certainly in flight (waiting in the database) when the signal arrives
    const holder = new Client({ connectionString: db.url });
    holder.on('error', () => undefined); // dropping the database at the end may cut it
    await holder.connect();
    await holder.query('begin');
    await holder.query('select id from clusters where id = $1 for update', [cluster.id]);
    const patch = (spec: object) => fetch(`${base}/clusters/${cluster.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec }) });
    const slow = patch({ drained: true, n: -1 });
    const burst = Array.from({ length: 10 }, (_, n) => patch({ n }));
    // watched from a connection of its own: inside the holder's transaction pg_stat_activity is a frozen snapshot
    const watcher = new Client({ connectionString: db.url });
    watcher.on('error', () => undefined);
    await watcher.connect();
    const waiting = async () => (await watcher.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n;
    while ((await waiting()) < 11) await new Promise((r) => setImmediate(r));
    await watcher.end();

    api.child.kill('SIGTERM');
    await api.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'), 10_000);
    const readyz = await fetch(`${health}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'shutting_down', reason: 'Application is shutting down' });

    await holder.query('rollback');
    await holder.end();
    const results = await Promise.all([slow, ...burst]);
    expect(results.map((r) => r.status)).toEqual(Array(11).fill(200));
    const generations = await Promise.all(results.map(async (r) => ((await r.json()) as { generation: number }).generation));
    expect(generations.sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));

    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    const check = new Client({ connectionString: db.url });
    check.on('error', () => undefined);
    await check.connect();
    try {
      const { rows } = await check.query(`select count(*)::int as n from pg_stat_activity where application_name = 'hyperfleet-api' and datname = current_database()`);
      expect(rows[0].n).toBe(0);
      const { rows: made } = await check.query(`select count(*)::int as n from clusters where name like 'load-%'`);
      expect(made[0].n).toBe(10);
    } finally {
      await check.end();
    }
  }, 120_000);
});
