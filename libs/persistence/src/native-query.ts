import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, QueryResultRow } from 'pg';
import { memoByText } from './text-memo';

/**
 * Whether hot statements are named (prepared once per connection). Behind a transaction-pooling
 * PgBouncer older than 1.21 they must not be: `database.prepared_statements=false`.
 */
export const preparedStatements = { enabled: true };

/**
 * The part of MikroORM's transaction context (a Kysely transaction) used here: it runs a compiled
 * statement, sending the parameters to the server as bound parameters.
 */
interface Trx<R> {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: { kind: 'RawNode'; sqlFragments: string[]; parameters: unknown[] } }): Promise<{ rows: R[] }>;
}

/** `?` placeholders → PostgreSQL's `$1, $2, …` (hand-written SQL of tests; Kysely numbers its own). */
export const numberPlaceholders: (sql: string) => string = memoByText((sql) => {
  let n = 0;
  // our SQL never contains a literal '?': values only ever travel as parameters
  return sql.replace(/\?/g, () => `$${++n}`);
});

/**
 * Runs a compiled statement (`$1, $2, …` placeholders) with real bound parameters on the ORM's own pool,
 * or in the enclosing MikroORM transaction: user-supplied values reach the server as parameters, never as
 * SQL. With a name it is a prepared statement. The statement is reported like any ORM query.
 */
export async function queryBound<R extends QueryResultRow>(em: EntityManager, text: string, params: readonly unknown[], name?: string): Promise<R[]> {
  const connection = em.getConnection() as unknown as { getNativeClient(): Promise<Pool>; logQuery(sql: string, ctx: Record<string, unknown>): void };
  const started = Date.now();
  try {
    // the transaction of an enclosing `em.transactional`, looked up without resolving the request's
    // entity manager (which would fork it: requestScope)
    const trx = TransactionContext.getEntityManager(em.name)?.getTransactionContext<Trx<R>>();
    // inside a transaction: on the transaction's own connection. Another pooled connection would read
    // outside the transaction, and with as many transactions as pooled connections, each holding one
    // and waiting for a second, the pool would deadlock until the connect timeout.
    const result = trx
      ? await trx.executeQuery({ sql: text, parameters: params, query: { kind: 'RawNode', sqlFragments: [text], parameters: [] } })
      : // a name makes it a prepared statement, parsed and planned once per connection
        await (await connection.getNativeClient()).query<R>(name && preparedStatements.enabled ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] });
    connection.logQuery(text, { took: Date.now() - started, results: result.rows.length, bound: params });
    return result.rows;
  } catch (err) {
    connection.logQuery(text, { took: Date.now() - started, level: 'error', bound: params });
    throw err;
  }
}
