import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATION_LOCK_KEYS, runMigrations } from '@app/migration';
import { initOrm, MIGRATIONS } from '@app/persistence';
import { adminQuery } from '../setup/pg-admin';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(() => db?.drop());

  it('lists every migration file, in file-name order', () => {
    const files = readdirSync(join(__dirname, '../../migrations'))
      .filter((f) => /^Migration\d{14}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });

  it('three migrators started at once on an empty database all succeed; each migration runs once', async () => {
    const orms = await Promise.all([1, 2, 3].map(() => initOrm({ clientUrl: db.url, poolMax: 2 })));
    try {
      const runs = await Promise.all(orms.map((orm) => runMigrations(orm, 30_000)));
      const applied = runs.flatMap((r) => r.applied);
      expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
      expect(runs.filter((r) => r.applied.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
    }
    const { rows } = await adminQuery(db.url, 'select name, count(*)::int as n from mikro_orm_migrations group by name order by name');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: 1 })));
    const { rows: tables } = await adminQuery(db.url, "select tablename from pg_tables where schemaname = 'public' order by tablename");
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['adapter_statuses', 'clusters', 'labels', 'node_pools']));
  });

  it('a migrator that cannot get the lock in time fails instead of hanging', async () => {
    const orm = await initOrm({ clientUrl: db.url, poolMax: 2 });
    const holder = orm.em.getConnection();
    try {
      await holder.transactional(async (trx) => {
        await holder.execute('select pg_advisory_xact_lock(?, ?)', [...MIGRATION_LOCK_KEYS], 'run', trx);
        const other = await initOrm({ clientUrl: db.url, poolMax: 2 });
        try {
          await expect(runMigrations(other, 300)).rejects.toThrow(/lock timeout/i);
        } finally {
          await other.close(true);
        }
      });
    } finally {
      await orm.close(true);
    }
  });
});
