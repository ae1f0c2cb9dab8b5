import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { LiveRowsPlugin, softDeletableTables } from '../live-rows';

/** Injection token of the KindRegistry (`@app/config`): the kinds the application serves. */
export const KIND_REGISTRY = Symbol('KIND_REGISTRY');

/** Injection token of ListLimits. */
export const LIST_LIMITS = Symbol('LIST_LIMITS');

/** How much of a list page is read at once, and how many such reads may hold a connection together. */
export interface ListLimits {
  /** A page whose items render larger is read in batches of at most this many bytes, or one larger item alone (`list.batch_bytes`). */
  batchBytes: number;
  /** Reads of a page's later batches running at once: a quarter of the pool, so that other requests find a connection. */
  lane: number;
}

/**
 * The query builder of every hand-built statement: MikroORM's own Kysely (its connection, its
 * dialect), with the LiveRowsPlugin, which adds the live-row condition — the same definition the ORM's
 * global soft-delete filter applies (live-rows.ts) — to every soft-deletable table a statement reads or
 * changes. Statements are compiled from it once at start-up (`prepare`) or per request for searches
 * (`compileOnce`); none writes the condition itself.
 */
@Injectable()
export class SqlBuilder {
  readonly db: Kysely<any>;

  constructor(orm: MikroORM) {
    this.db = orm.em.getKysely().withPlugin(new LiveRowsPlugin(softDeletableTables(orm.getMetadata())));
  }
}
