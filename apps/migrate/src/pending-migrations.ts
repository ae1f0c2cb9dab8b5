import type { MikroORM } from '@mikro-orm/postgresql';
import { MIGRATIONS } from '@app/persistence';

/**
 * The migrations `up` would apply, in order, read without writing anything: MikroORM's own
 * `getPending()` creates the tracking table (and the database) first, which a dry run must not do.
 */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const connection = orm.em.getConnection();
  const [table] = await connection.execute<{ present: boolean }[]>("select to_regclass('mikro_orm_migrations') is not null as present");
  const executed = table.present ? await connection.execute<{ name: string }[]>('select name from mikro_orm_migrations') : [];
  const done = new Set(executed.map((row) => row.name));
  return MIGRATIONS.map((m) => m.name).filter((name) => !done.has(name));
}
