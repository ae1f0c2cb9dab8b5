import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiProcess, killIfRunning, spawnApi, stopApi, whenListening } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cleanEnv, NODE, spawnLogged, Spawned, tempDir } from '../support/processes';

const fatal = (p: Spawned) => p.lines.filter((l) => l.level === 'fatal').map((l) => String(l.msg));

/** What a second process sees of a resource the first one holds: the cause in one line, no stack, exit 1. */
function expectRefusal(p: Spawned, code: number | null, ...words: string[]): void {
  expect({ code, fatal: fatal(p).length }).toEqual({ code: 1, fatal: 1 });
  for (const word of words) expect(fatal(p)[0]).toContain(word);
  expect(p.output()).not.toMatch(/\n\s+at |"stack"|UnhandledPromiseRejection/);
}

/**
 * Two processes wanting the same thing: a second `npm start` (or `npm run migrate`) on the data directory
 * of a running API's embedded PostgreSQL, and an API whose port is taken. Each is refused in one line
 * that names the cause (the PID holding the directory, the setting to change), without a stack trace.
 */
describe('start-up conflicts', () => {
  const dataDir = tempDir('hf-conflict-');
  let first: ApiProcess;
  let db: TestDatabase;
  const running: Spawned[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    const spawned = spawnApi({ HYPERFLEET_DATA_DIR: dataDir });
    running.push(spawned);
    first = await whenListening(spawned);
  }, 180_000);
  afterAll(async () => {
    if (first) await stopApi(first);
    running.forEach(killIfRunning);
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  const postmasterPid = () => readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0];

  it('refuses a second API on the same data directory, naming the PID that holds it', async () => {
    const second = spawnApi({ HYPERFLEET_DATA_DIR: dataDir });
    running.push(second);
    const { code } = await second.exited;
    expectRefusal(second, code, `in use by PostgreSQL PID ${postmasterPid()}`, `started by PID ${first.child.pid}`, 'HYPERFLEET_DATA_DIR');
    // the first one is unharmed
    expect((await fetch(`${first.health}/readyz`)).status).toBe(200);
  }, 120_000);

  it('refuses the migrate command on that directory the same way', async () => {
    const migrate = spawnLogged(NODE, ['test/support/run-from-source.cjs', 'apps/migrate/src/main.ts'], cleanEnv({ HYPERFLEET_DATA_DIR: dataDir }));
    running.push(migrate);
    const { code } = await migrate.exited;
    expectRefusal(migrate, code, 'migration failed', `in use by PostgreSQL PID ${postmasterPid()}`);
  }, 120_000);

  it.each([
    ['HYPERFLEET_SERVER_PORT', 'API', (a: ApiProcess) => new URL(a.base).port],
    ['HYPERFLEET_HEALTH_PORT', 'health', (a: ApiProcess) => new URL(a.health).port],
  ])('names %s when the %s port is taken', async (key, what, portOf) => {
    const api = spawnApi({ HYPERFLEET_DATABASE_URL: db.url, [key]: portOf(first) });
    running.push(api);
    const { code } = await api.exited;
    expectRefusal(api, code, `the ${what} port ${portOf(first)}`, 'already in use', key);
  }, 120_000);
});
