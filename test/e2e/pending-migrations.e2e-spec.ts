import { initOrm, MIGRATIONS } from '@app/persistence';
import { runMigrations } from '@app/migration';
import { call, killIfRunning, spawnApi, stopApi, whenListening } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { Spawned } from '../support/processes';

/**
 * An API started on a database nobody migrated (external database, HYPERFLEET_DB_MIGRATE_ON_BOOT unset):
 * it used to say ready and answer every request 500. It must say at start-up what is missing and how to
 * fix it, answer /readyz 503 with that reason, and become ready by itself once another process migrated
 * the database.
 */
describe('API on an unmigrated database', () => {
  let db: TestDatabase;
  let api: Spawned | undefined;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    killIfRunning(api);
    await db?.drop();
  });

  it('says so at start-up and on /readyz, and is ready once the database is migrated from elsewhere, without a restart', async () => {
    api = spawnApi({ HYPERFLEET_DATABASE_URL: db.url });
    const ready = await whenListening(api, 120_000);
    const names = MIGRATIONS.map((m) => m.name);
    const line = await api.waitFor((l) => String(l.msg).startsWith('the database schema is not current'));
    expect(line).toMatchObject({ level: 'error', pending: names });
    expect(String(line!.msg)).toContain(`${names.length} pending migration(s)`);
    expect(String(line!.msg)).toContain('npm run migrate');
    expect(String(line!.msg)).toContain('HYPERFLEET_DB_MIGRATE_ON_BOOT=true');

    const notReady = await call('GET', `${ready.health}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not_ready', reason: expect.stringMatching(/^database schema is not current: \d+ pending migration\(s\); run `npm run migrate`/) });
    expect((await call('GET', `${ready.health}/healthz`)).status).toBe(200);

    // another process migrates the database
    const orm = await initOrm({ clientUrl: db.url, poolMax: 2 });
    try {
      expect((await runMigrations(orm, 60_000)).applied).toEqual(names);
    } finally {
      await orm.close(true);
    }
    // readiness reads the applied migrations again on every call until the schema is current
    expect((await call('GET', `${ready.health}/readyz`)).body).toEqual({ status: 'ok' });
    expect(await api.waitFor((l) => l.msg === 'database schema is current now (migrated by another process): ready')).toMatchObject({ level: 'info' });
    expect((await call('GET', `${ready.base}/clusters`)).status).toBe(200);
    expect(await stopApi(api)).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('is ready at once on a migrated database, and says nothing about migrations', async () => {
    const migrated = await createTestDatabase();
    const other = spawnApi({ HYPERFLEET_DATABASE_URL: migrated.url });
    try {
      const ready = await whenListening(other, 120_000);
      expect((await call('GET', `${ready.health}/readyz`)).body).toEqual({ status: 'ok' });
      expect(other.lines.filter((l) => /schema/.test(String(l.msg)))).toEqual([]);
      expect(await stopApi(other)).toEqual({ code: 0, signal: null });
    } finally {
      killIfRunning(other);
      await migrated.drop();
    }
  }, 180_000);
});
