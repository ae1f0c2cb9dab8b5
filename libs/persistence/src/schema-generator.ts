import type { EnsureDatabaseOptions, MikroORM } from '@mikro-orm/core';
import { SqlEntityManager, SqlSchemaGenerator } from '@mikro-orm/postgresql';

/**
 * MikroORM's SQL schema generator, except that it honours `ensureDatabase: false`.
 *
 * MikroORM's migrator "ensures the database" on first use whatever that option says: it looks the
 * database up by the name in the connection URL and, when there is none by that name, reconnects the
 * whole ORM to the `postgres` database to create it. Behind PgBouncer the name in the URL is an alias
 * of the real database, so the lookup fails, and the reconnect waits for the pool to drain while the
 * migration transaction (holding the migration lock) waits for the migrator: the API hung at start-up
 * (and would otherwise have created a stray database). The service never creates its database; it
 * migrates the one it is given.
 */
export class ExistingDatabaseSchemaGenerator extends SqlSchemaGenerator {
  static override register(orm: MikroORM): void {
    orm.config.registerExtension('@mikro-orm/schema-generator', () => new ExistingDatabaseSchemaGenerator(orm.em as SqlEntityManager));
  }

  /** Returns whether it created the database: never, unless `ensureDatabase` is on. */
  override async ensureDatabase(options?: EnsureDatabaseOptions): Promise<boolean> {
    if (!this.config.get('ensureDatabase')) return false;
    return super.ensureDatabase(options);
  }
}
