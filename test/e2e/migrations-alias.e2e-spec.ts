import 'reflect-metadata';
import { runMigrations } from '@app/migration';
import { initOrm } from '@app/persistence';
import { MIGRATIONS } from '@app/persistence';
import { adminQuery } from '../setup/pg-admin';
import { createTestDatabase, TestDatabase } from '../support/database';

/**
 * Behind PgBouncer the database name in the URL is an alias of the real one. MikroORM's migrator looked
 * the database up by that name, found none, and reconnected the ORM to `postgres` to create it while the
 * migration transaction was open: the API hung at start-up (found by test/reliability/pgbouncer).
 */
describe('migrations when the database name in the URL is an alias', () => {
  let db: TestDatabase;
  const alias = () => `${db.name}_alias`;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    if (db) await adminQuery(process.env.TEST_PG_ADMIN_URL!, `drop database if exists ${alias()}`);
    await db?.drop();
  });

  it('migrates the database it is connected to, and never creates or switches to another', async () => {
    const orm = await initOrm({ clientUrl: db.url, poolMax: 2 });
    try {
      // what the ORM knows behind PgBouncer: a name that is not current_database()
      orm.config.set('dbName', alias());
      const run = await runMigrations(orm, 10_000);
      expect(run.applied).toEqual(MIGRATIONS.map((m) => m.name));
    } finally {
      await orm.close(true);
    }
    const { rows } = await adminQuery(db.url, 'select name from mikro_orm_migrations order by name');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name).sort());
    const { rows: created } = await adminQuery(process.env.TEST_PG_ADMIN_URL!, 'select datname from pg_database where datname = $1', [alias()]);
    expect(created).toEqual([]);
  }, 30_000);
});
