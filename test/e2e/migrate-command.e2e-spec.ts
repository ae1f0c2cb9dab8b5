import { adminQuery } from '../setup/pg-admin';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cleanEnv, NODE, spawnLogged } from '../support/processes';

/** The operator's command: `npm run migrate` (`nest start migrate`) migrates and exits; failures exit non-zero. */
describe('npm run migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db?.drop());

  it('applies the migrations to the configured database and exits 0', async () => {
    const run = spawnLogged('npm', ['run', 'migrate'], cleanEnv({ HYPERFLEET_DATABASE_URL: db.url }));
    const { code } = await run.exited;
    expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });
    expect(run.lines.some((l) => /applied \d+ migration/.test(String(l.msg)))).toBe(true);
    const { rows } = await adminQuery(db.url, "select count(*)::int as n from information_schema.tables where table_name in ('clusters','node_pools','adapter_statuses','labels')");
    expect(rows[0].n).toBe(4);

    const again = spawnLogged(NODE, ['dist/apps/migrate/apps/migrate/src/main.js', 'pending'], cleanEnv({ HYPERFLEET_DATABASE_URL: db.url }));
    expect((await again.exited).code).toBe(0);
    expect(again.lines.some((l) => l.msg === '0 pending migration(s)')).toBe(true);
  }, 180_000);

  it('exits non-zero with the reason when the database cannot be reached', async () => {
    const run = spawnLogged(NODE, ['dist/apps/migrate/apps/migrate/src/main.js'], cleanEnv({ HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }));
    expect((await run.exited).code).toBe(1);
    expect(run.lines.some((l) => l.level === 'fatal' && l.msg === 'migration failed')).toBe(true);
  }, 60_000);

  it('exits non-zero naming the key when the configuration is invalid', async () => {
    const run = spawnLogged(NODE, ['dist/apps/migrate/apps/migrate/src/main.js'], cleanEnv({ HYPERFLEET_DATABASE_PORT: 'not-a-port' }));
    expect((await run.exited).code).toBe(1);
    expect(run.output()).toContain('HYPERFLEET_DATABASE_PORT');
  }, 60_000);
});
