import type { LogContext, Logger, LoggerNamespace } from '@mikro-orm/core';
import { memoByText } from './text-memo';

/** Injection token of the application's QueryObserver. */
export const QUERY_OBSERVER = Symbol('QUERY_OBSERVER');

/** One executed statement, as seen by the ORM. */
export interface ObservedQuery {
  sql: string;
  /** Bound parameters, when the statement was sent with them. */
  params?: readonly unknown[];
  tookMs: number;
  failed: boolean;
}

/**
 * Fan-out of every statement MikroORM runs (metrics, tests counting queries per request). Replaces
 * MikroORM's logger: query events go to the listeners, other messages to `log`.
 */
export class QueryObserver {
  private readonly listeners: ((q: ObservedQuery) => void)[] = [];

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  subscribe(listener: (q: ObservedQuery) => void): void {
    this.listeners.push(listener);
  }

  /** A MikroORM Logger that feeds this observer. */
  logger(): Logger {
    const emit = (q: ObservedQuery) => {
      for (const l of this.listeners) l(q);
    };
    const log = this.log;
    return {
      log: (namespace: string, message: string) => log(`[${namespace}] ${message}`),
      warn: (namespace: string, message: string) => log(`[${namespace}] warning: ${message}`),
      error: (namespace: string, message: string) => log(`[${namespace}] error: ${message}`),
      logQuery: (ctx: LogContext) => {
        if (ctx.query && ctx.namespace !== 'slow-query') emit({ sql: ctx.query, params: ctx.bound as readonly unknown[] | undefined, tookMs: ctx.took ?? 0, failed: ctx.level === 'error' });
      },
      setDebugMode: (_mode: boolean | LoggerNamespace[]) => undefined,
      isEnabled: () => true,
    };
  }
}

const OPERATION = /^\s*(select|insert|update|delete|begin|commit|rollback|savepoint|release|set|with|create|alter|drop)\b/i;
const TABLE = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)"?/i;

/** `with r as (insert into clusters …) insert into labels …`: named by its first inner statement. */
const WITH_FIRST = /^\s*with\s+"?\w+"?\s+as\s*\(\s*(select|insert|update|delete)\b/i;

/**
 * `operation` and `table` of one of our own statements, for metric labels (bounded set of values). A
 * statement with a common table expression is named after the expression's statement (the principal
 * write, as in a row inserted with its labels).
 */
export const describeQuery: (sql: string) => Readonly<{ operation: string; table: string }> = memoByText(describe);

function describe(sql: string): { operation: string; table: string } {
  const operation = (WITH_FIRST.exec(sql)?.[1] ?? OPERATION.exec(sql)?.[1] ?? 'other').toLowerCase();
  const table = TABLE.exec(sql)?.[1]?.toLowerCase() ?? '';
  return { operation, table: ['clusters', 'node_pools', 'resources', 'adapter_statuses', 'labels', 'resource_references', 'mikro_orm_migrations'].includes(table) ? table : table ? 'other' : '' };
}
