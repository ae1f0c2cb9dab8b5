/**
 * The API behind PgBouncer in transaction pooling mode (each transaction may run on a different server
 * connection; nothing session-scoped survives between transactions). The test writes its own
 * pgbouncer.ini and userlist, runs Debian's /usr/sbin/pgbouncer in the foreground (as the `postgres`
 * OS user when we are root: it refuses to run as root) in front of the test PostgreSQL, starts two
 * API processes through it at once on an EMPTY database with migrate-on-boot (the migration lock is
 * transaction-scoped, so they must serialize), then exercises every write path and the searches
 * through it and checks the rows directly on PostgreSQL.
 *
 * Settings PgBouncer needs (docs/operations.md, "PgBouncer"):
 * - `ignore_startup_parameters = statement_timeout`: the API's driver sends `statement_timeout` (the
 *   request deadline) as a startup parameter, which PgBouncer rejects ("unsupported startup parameter",
 *   08P01). Ignored there, the deadline is set on the database instead (ALTER DATABASE/ROLE … SET
 *   statement_timeout); `application_name` is the only other parameter sent and PgBouncer handles it.
 * - `HYPERFLEET_DATABASE_PREPARED_STATEMENTS=false`: PgBouncer before 1.21 cannot carry named prepared
 *   statements across server connections in transaction mode (Debian 12 ships 1.18).
 *
 * Needs `apt-get install pgbouncer`; without it the test fails (it is never skipped).
 * Expected duration: 3–10 s on a 2-core machine (about 100 requests; two API starts and one migrate run).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@app/persistence';
import { MIGRATIONS } from '@app/persistence';
import { Answer, ApiProcess, bounded, call, CLUSTER_ADAPTERS, killIfRunning, NODE_POOL_ADAPTERS, report, spawnApi, stopApi, whenListening } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { integrityProblems, sql } from '../support/integrity';
import { cleanEnv, NODE, spawnLogged, Spawned, tempDir } from '../support/processes';

const PGBOUNCER = '/usr/sbin/pgbouncer';
const SERVER_POOL = 4;

interface Bouncer {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs pgbouncer in the foreground; resolves once it logged that it is up. */
async function startBouncer(ini: string): Promise<Bouncer> {
  const asRoot = process.getuid?.() === 0;
  const [command, args] = asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', PGBOUNCER, ini]] : [PGBOUNCER, [ini]];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/process up/.test(out)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`pgbouncer exited (${code}) before it was up:\n${out}`)));
  });
  return { child, output: () => out, exited };
}

describe('the API through PgBouncer (transaction pooling)', () => {
  let db: TestDatabase;
  let bouncer: Bouncer | undefined;
  let dir: string | undefined;
  const spawned: Spawned[] = [];
  let apis: ApiProcess[] = [];
  let viaBouncer: string;
  const answers: Answer[] = [];
  const started = Date.now();
  let n = 0;
  /** Alternates between the two processes; every answer is kept (5xx are counted at the end). */
  const send = async (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> => {
    const a = await call(method, `${apis[n++ % apis.length].base}${path}`, body, headers);
    answers.push(a);
    return a;
  };
  const expectStatus = (a: Answer, status: number) => expect({ status: a.status, body: a.status === status ? undefined : a.body }).toEqual({ status, body: undefined });

  beforeAll(async () => {
    if (!existsSync(PGBOUNCER)) {
      throw new Error(`PgBouncer is not installed (${PGBOUNCER} is missing). Install Debian's package and run again: apt-get update && apt-get install -y pgbouncer`);
    }
    db = await createTestDatabase({ empty: true });
    const server = new URL(process.env.TEST_PG_ADMIN_URL!);
    const user = decodeURIComponent(server.username || 'postgres');
    // the password PgBouncer checks clients against, and logs in to PostgreSQL with (a trust server ignores it)
    const password = decodeURIComponent(server.password) || 'hyperfleet-bouncer';
    // the request deadline, set where PgBouncer cannot drop it
    await sql(process.env.TEST_PG_ADMIN_URL!, `alter database ${db.name} set statement_timeout = '30s'`);

    dir = tempDir('hf-pgbouncer-');
    const port = await freePort();
    const ini = join(dir, 'pgbouncer.ini');
    writeFileSync(
      ini,
      [
        '[databases]',
        `hyperfleet = host=${server.hostname} port=${server.port || 5432} dbname=${db.name}`,
        '',
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = md5',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        `default_pool_size = ${SERVER_POOL}`,
        'max_client_conn = 200',
        'ignore_startup_parameters = statement_timeout',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
    bouncer = await startBouncer(ini);
    viaBouncer = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/hyperfleet`;
  });
  afterAll(async () => {
    for (const p of spawned) killIfRunning(p);
    if (bouncer && bouncer.child.exitCode === null) bouncer.child.kill('SIGTERM');
    await bouncer?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('sets up PgBouncer: clients get the statement timeout from the database', async () => {
    const client = new Client({ connectionString: viaBouncer });
    await client.connect();
    try {
      expect((await client.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '30s' }]);
      expect((await client.query('select current_database() as d')).rows).toEqual([{ d: db.name }]);
    } finally {
      await client.end();
    }
  });

  it('starts two API processes at once through it, migrating the empty database exactly once', async () => {
    const env = { HYPERFLEET_DATABASE_URL: viaBouncer, HYPERFLEET_DB_MIGRATE_ON_BOOT: 'true', HYPERFLEET_DATABASE_PREPARED_STATEMENTS: 'false', HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '10' };
    spawned.push(spawnApi(env), spawnApi(env));
    apis = await Promise.all(spawned.map((p) => whenListening(p)));
    const rows = await sql(db.url, 'select name, count(*)::int as n from mikro_orm_migrations group by name order by name');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: 1 })));
    const lines = apis.map((p) => p.lines.find((l) => /^applied \d+ migration|^database schema is up to date$/.test(String(l.msg)))!);
    expect(lines.map((l) => (l.applied as string[]).length).sort()).toEqual([0, MIGRATIONS.length]);

    // and the migrate command through it afterwards finds nothing to do
    const migrate = spawnLogged(NODE, ['test/support/run-from-source.cjs', 'apps/migrate/src/main.ts'], cleanEnv({ HYPERFLEET_DATABASE_URL: viaBouncer }));
    spawned.push(migrate);
    expect(await migrate.exited).toEqual({ code: 0, signal: null });
    expect(migrate.lines.some((l) => l.msg === 'database schema is up to date')).toBe(true);
  });

  it('serves every write path and the searches through it', async () => {
    // clusters: create, duplicate, PATCH with If-Match, stale If-Match, no-op
    const a = await send('POST', '/clusters', { kind: 'Cluster', name: 'bouncer-a', spec: { region: 'eu-west-1' }, labels: { env: 'prod' } });
    expectStatus(a, 201);
    const b = await send('POST', '/clusters', { kind: 'Cluster', name: 'bouncer-b', spec: { region: 'us-east-1' }, labels: { env: 'dev' } });
    expectStatus(b, 201);
    expectStatus(await send('POST', '/clusters', { kind: 'Cluster', name: 'bouncer-a', spec: {} }), 409);
    const A = a.body.id as string;
    const B = b.body.id as string;
    const patched = await send('PATCH', `/clusters/${A}`, { spec: { region: 'eu-west-1', version: '4.18' }, labels: { env: 'prod', tier: 'gold' } }, { 'If-Match': a.headers.get('etag')! });
    expectStatus(patched, 200);
    expect(patched.body.generation).toBe(2);
    expectStatus(await send('PATCH', `/clusters/${A}`, { spec: { stale: true } }, { 'If-Match': a.headers.get('etag')! }), 412);
    const noop = await send('PATCH', `/clusters/${A}`, { labels: { env: 'prod', tier: 'gold' } });
    expectStatus(noop, 200);
    expect(noop.body.generation).toBe(2);

    // node pools: create, PATCH, DELETE, force-delete
    const np1 = await send('POST', `/clusters/${A}/nodepools`, { kind: 'NodePool', name: 'np1', spec: { replicas: 3 }, labels: { pool: 'worker' } });
    expectStatus(np1, 201);
    const np2 = await send('POST', `/clusters/${A}/nodepools`, { kind: 'NodePool', name: 'np2', spec: { replicas: 1 } });
    expectStatus(np2, 201);
    const NP1 = np1.body.id as string;
    const NP2 = np2.body.id as string;
    const npPatched = await send('PATCH', `/clusters/${A}/nodepools/${NP1}`, { spec: { replicas: 5 } });
    expectStatus(npPatched, 200);
    expect(npPatched.body.generation).toBe(2);
    expectStatus(await send('DELETE', `/clusters/${A}/nodepools/${NP2}`), 202);
    expectStatus(await send('POST', `/clusters/${A}/nodepools/${NP2}/force-delete`, { reason: 'pgbouncer test' }), 204);
    expectStatus(await send('GET', `/clusters/${A}/nodepools/${NP2}`), 404);

    // statuses: every required adapter (PUT, and POST as older adapters send it), node pool statuses
    for (const adapter of CLUSTER_ADAPTERS) expectStatus(await send(adapter === 'dns' ? 'POST' : 'PUT', `/clusters/${A}/statuses`, report(adapter, 2)), 201);
    for (const adapter of NODE_POOL_ADAPTERS) expectStatus(await send('PUT', `/clusters/${A}/nodepools/${NP1}/statuses`, report(adapter, 2)), 201);
    const reconciled = await send('GET', `/clusters/${A}`);
    expect(reconciled.body.status.conditions.find((c: { type: string }) => c.type === 'Reconciled').status).toBe('True');
    expect((await send('GET', `/clusters/${A}/statuses`)).body.total).toBe(4);

    // many clients at once: more transactions than PgBouncer has server connections
    const bulk = await bounded(20, Array.from({ length: 20 }, (_, i) => () => send('POST', '/clusters', { kind: 'Cluster', name: `bulk-${i}`, spec: { i }, labels: { team: i % 2 ? 'odd' : 'even' } })));
    for (const r of bulk) expectStatus(r, 201);
    const target = bulk[0].body.id as string;
    const concurrentPatches = await bounded(20, Array.from({ length: 20 }, (_, i) => () => send('PATCH', `/clusters/${target}`, { spec: { i, concurrent: true } })));
    for (const r of concurrentPatches) expectStatus(r, 200);
    expect(concurrentPatches.map((r) => r.body.generation).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const concurrentReports = await bounded(20, bulk.map((r, i) => () => send('PUT', `/clusters/${r.body.id}/statuses`, report(CLUSTER_ADAPTERS[i % 4], i === 0 ? 21 : 1))));
    for (const r of concurrentReports) expectStatus(r, 201);

    // lists with search
    const search = async (path: string, expr: string, extra = '') => send('GET', `${path}?search=${encodeURIComponent(expr)}${extra}`);
    const prod = await search('/clusters', "labels.env='prod'");
    expect(prod.body.items.map((c: { id: string }) => c.id)).toEqual([A]);
    const ok = await search('/clusters', "status.conditions.Reconciled='True' and labels.tier='gold'");
    expect(ok.body.items.map((c: { id: string }) => c.id)).toEqual([A]);
    const odd = await search('/clusters', "labels.team='odd' and spec.i >= 10", '&size=3&page=2&order=name%20asc');
    expect({ total: odd.body.total, names: odd.body.items.map((c: { name: string }) => c.name) }).toEqual({ total: 5, names: ['bulk-17', 'bulk-19'] });
    expect((await search('/nodepools', `owner_id='${A}' and labels.pool='worker'`)).body.items.map((p: { id: string }) => p.id)).toEqual([NP1]);
    expect((await send('GET', `/clusters/${A}/nodepools`)).body.items.map((p: { id: string }) => p.id)).toEqual([NP1]);
    const badSearch = await search('/clusters', "labels.env = = 'x'");
    expectStatus(badSearch, 400);

    // deletion with finalization: node pool first, then the cluster
    const marked = await send('DELETE', `/clusters/${A}`);
    expectStatus(marked, 202);
    expect(marked.body.generation).toBe(3);
    const npGeneration = (await send('GET', `/clusters/${A}/nodepools/${NP1}`)).body.generation as number;
    expect(npGeneration).toBe(3);
    for (const adapter of NODE_POOL_ADAPTERS) expectStatus(await send('PUT', `/clusters/${A}/nodepools/${NP1}/statuses`, report(adapter, npGeneration, [{ type: 'Finalized', status: 'True' }])), 201);
    expectStatus(await send('GET', `/clusters/${A}/nodepools/${NP1}`), 404);
    for (const adapter of CLUSTER_ADAPTERS) expectStatus(await send('PUT', `/clusters/${A}/statuses`, report(adapter, 3, [{ type: 'Finalized', status: 'True' }])), 201);
    expectStatus(await send('GET', `/clusters/${A}`), 404);

    // deletion by an operator
    expectStatus(await send('DELETE', `/clusters/${B}`), 202);
    expectStatus(await send('POST', `/clusters/${B}/force-delete`, { reason: 'pgbouncer test' }), 204);
    expectStatus(await send('GET', `/clusters/${B}`), 404);

    // ---- the rows, read on PostgreSQL itself
    const [clusterA] = await sql(db.url, 'select generation, deleted_time, deleted_at from clusters where id = $1', [A]);
    expect(clusterA).toMatchObject({ generation: 3, deleted_time: expect.any(Date), deleted_at: expect.any(Date) });
    const pools = await sql(db.url, 'select name, generation, deleted_time is not null as marked, deleted_at is not null as removed from node_pools where owner_id = $1 order by name', [A]);
    expect(pools).toEqual([
      { name: 'np1', generation: 3, marked: true, removed: true },
      { name: 'np2', generation: 2, marked: true, removed: true },
    ]);
    const statusesA = await sql(db.url, `select adapter, observed_generation, deleted_at is not null as removed from adapter_statuses where owner_type = 'Cluster' and owner_id = $1 order by adapter`, [A]);
    expect(statusesA).toEqual([...CLUSTER_ADAPTERS].sort().map((adapter) => ({ adapter, observed_generation: 3, removed: true })));
    const [clusterB] = await sql(db.url, 'select deleted_at is not null as removed from clusters where id = $1', [B]);
    expect(clusterB).toEqual({ removed: true });
    const live = await sql(db.url, `select c.name, c.generation, (select count(*)::int from labels l where l.owner_id = c.id and l.deleted_at is null) as labels, (select count(*)::int from adapter_statuses s where s.owner_id = c.id) as statuses from clusters c where c.deleted_at is null order by c.name`);
    expect(live).toHaveLength(20);
    expect(live.every((c) => c.labels === 1 && c.statuses === 1)).toBe(true);
    expect(live.find((c) => c.name === 'bulk-0')!.generation).toBe(21);
    expect(await integrityProblems(db.url)).toEqual({});
    // the two processes (20 pooled connections) were served by at most SERVER_POOL server connections
    const servers = await sql(db.url, `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    expect(servers[0].n).toBeLessThanOrEqual(SERVER_POOL);
  });

  it('stops both processes on SIGTERM with exit 0', async () => {
    const exits = await Promise.all(apis.map((p) => stopApi(p)));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect(answers.filter((x) => x.status >= 500).map((x) => [x.method, x.url, x.status, x.body])).toEqual([]);
    process.stdout.write(`\n[pgbouncer] requests: ${answers.length}, 5xx: 0, lost writes: 0, duration: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
});
