import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, QueryResultRow } from 'pg';

/**
 * Whether hot statements are named (prepared once per connection). Behind a transaction-pooling
 * PgBouncer older than 1.21 they must not be: `database.prepared_statements=false`.
 */
export const preparedStatements = { enabled: true };

/** `?` placeholders (as MikroORM's query builder writes them) → PostgreSQL's `$1, $2, …`. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  // our SQL never contains a literal '?': values only ever travel as parameters
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Runs a statement built by the query builder with real bound parameters on the ORM's own pool
 * (MikroORM 7 inlines parameters into the SQL text; for user-supplied search values we want the server
 * to receive them as parameters, never as SQL). The statement is reported like any ORM query.
 */
export async function queryBound<R extends QueryResultRow>(em: EntityManager, sql: string, params: readonly unknown[], name?: string): Promise<R[]> {
  const connection = em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
  const pool = await connection.getNativeClient();
  const text = numberPlaceholders(sql);
  const started = Date.now();
  try {
    // a name makes it a prepared statement, parsed and planned once per connection
    const result = await pool.query<R>(name && preparedStatements.enabled ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] });
    connection.logQuery(text, { took: Date.now() - started, results: result.rowCount ?? 0, bound: params });
    return result.rows;
  } catch (err) {
    connection.logQuery(text, { took: Date.now() - started, level: 'error', bound: params });
    throw err;
  }
}
