import { MIGRATIONS } from '@app/persistence';
import { adminQuery } from '../setup/pg-admin';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cleanEnv, NODE, NPM_ENV_PATH, spawnLogged } from '../support/processes';

const BUILT = 'dist/apps/migrate/apps/migrate/src/main.js';

/** How many tables the database holds (a dry run must leave an empty database empty, tracking table included). */
async function tableCount(url: string): Promise<number> {
  const { rows } = await adminQuery(url, "select count(*)::int as n from pg_tables where schemaname = 'public'");
  return rows[0].n as number;
}

/**
 * The operator's command: `npm run migrate` (from source) and `nest start migrate` / the built main.js.
 * Only `up` (or no argument) applies anything; `pending`, `--help`, `-h` and unknown arguments never do.
 */
describe('npm run migrate', () => {
  let db: TestDatabase;
  let untouched: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    untouched = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await db?.drop();
    await untouched?.drop();
  });

  it('npm run migrate -- pending lists every pending migration and applies nothing', async () => {
    const run = spawnLogged('npm', ['run', 'migrate', '--', 'pending'], cleanEnv({ HYPERFLEET_DATABASE_URL: untouched.url }));
    expect((await run.exited).code).toBe(0);
    const listed = run.lines.find((l) => Array.isArray(l.pending));
    expect(listed).toMatchObject({ pending: MIGRATIONS.map((m) => m.name), msg: expect.stringMatching(new RegExp(`^${MIGRATIONS.length} pending migration\\(s\\): Migration`)) });
    expect(await tableCount(untouched.url)).toBe(0);
  }, 120_000);

  it.each([['--help'], ['-h']])('npm run migrate -- %s prints the usage, exits 0 and applies nothing', async (flag) => {
    const run = spawnLogged('npm', ['run', 'migrate', '--', flag], cleanEnv({ HYPERFLEET_DATABASE_URL: untouched.url }));
    expect((await run.exited).code).toBe(0);
    expect(run.output()).toContain('usage: npm run migrate');
    expect(run.output()).toContain('pending          list the pending migrations; changes nothing');
    expect(await tableCount(untouched.url)).toBe(0);
  }, 120_000);

  it.each([[['down'], "unknown command 'down'"], [['--dry-run'], "unknown option '--dry-run'"], [['up', 'now'], 'one command expected']])(
    'npm run migrate -- %j exits 2 with the usage and applies nothing',
    async (args, problem) => {
      const run = spawnLogged('npm', ['run', 'migrate', '--', ...args], cleanEnv({ HYPERFLEET_DATABASE_URL: untouched.url }));
      expect((await run.exited).code).toBe(2);
      expect(run.output()).toContain(`migrate: ${problem}`);
      expect(run.output()).toContain('usage: npm run migrate');
      expect(await tableCount(untouched.url)).toBe(0);
    },
    120_000,
  );

  it('npm run migrate applies the migrations to the configured database and exits 0', async () => {
    const run = spawnLogged('npm', ['run', 'migrate'], cleanEnv({ HYPERFLEET_DATABASE_URL: db.url }));
    const { code } = await run.exited;
    expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });
    expect(run.lines.some((l) => /applied \d+ migration/.test(String(l.msg)))).toBe(true);
    const { rows } = await adminQuery(db.url, "select count(*)::int as n from information_schema.tables where table_name in ('clusters','node_pools','adapter_statuses','labels')");
    expect(rows[0].n).toBe(4);
  }, 120_000);

  // the tests below run the command `nest start migrate` builds (jest runs a file's tests in order)
  describe('nest start migrate and the built command', () => {
    it('nest start migrate -- pending builds the command and lists nothing pending after npm run migrate', async () => {
      const run = spawnLogged(NODE, ['node_modules/.bin/nest', 'start', 'migrate', '--', 'pending'], cleanEnv({ PATH: NPM_ENV_PATH, HYPERFLEET_DATABASE_URL: db.url }));
      expect((await run.exited).code).toBe(0);
      expect(run.lines.some((l) => l.msg === '0 pending migration(s)')).toBe(true);
      const untouchedRun = spawnLogged(NODE, [BUILT, 'pending'], cleanEnv({ HYPERFLEET_DATABASE_URL: untouched.url }));
      expect((await untouchedRun.exited).code).toBe(0);
      expect(untouchedRun.lines.some((l) => l.msg === `${MIGRATIONS.length} pending migration(s): ${MIGRATIONS.map((m) => m.name).join(', ')}`)).toBe(true);
      expect(await tableCount(untouched.url)).toBe(0);
    }, 180_000);

    it.each([['--help', 0], ['-h', 0], ['sideways', 2]])('the built command with %s exits %i and applies nothing', async (flag, exitCode) => {
      const run = spawnLogged(NODE, [BUILT, flag], cleanEnv({ HYPERFLEET_DATABASE_URL: untouched.url }));
      expect((await run.exited).code).toBe(exitCode);
      expect(run.output()).toContain('usage: npm run migrate');
      expect(await tableCount(untouched.url)).toBe(0);
    }, 60_000);

    it('exits non-zero with the reason when the database cannot be reached', async () => {
      const run = spawnLogged(NODE, [BUILT], cleanEnv({ HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }));
      expect((await run.exited).code).toBe(1);
      expect(run.lines.some((l) => l.level === 'fatal' && l.msg === 'migration failed')).toBe(true);
    }, 60_000);

    it('exits non-zero naming the key when the configuration is invalid', async () => {
      const run = spawnLogged(NODE, [BUILT], cleanEnv({ HYPERFLEET_DATABASE_PORT: 'not-a-port' }));
      expect((await run.exited).code).toBe(1);
      expect(run.output()).toContain('HYPERFLEET_DATABASE_PORT');
    }, 60_000);
  });
});
