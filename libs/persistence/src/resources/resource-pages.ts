import type { KindRegistry, ResourceKind } from '@app/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { JoinedJson } from '@app/common';
import { Kysely, RawBuilder, sql } from 'kysely';
import { queryBound } from '../native-query';
import { compileSearch } from '../search/search-compiler';
import { KIND_REGISTRY, SqlBuilder } from '../sql/sql-builder';
import { arg, compileOnce, prepare, Statement } from '../sql/statement';
import { AnyQuery, selectKind, tableOf } from './kind-sql';
import { resourceJson } from './resource-json';

/** One sort key: a column of the kind's rows and its direction. */
export interface SortKey {
  column: string;
  direction: 'asc' | 'desc';
}

/** Which rows of a kind a list shows, and which page of them. */
export interface PageQuery {
  /** Only the rows under this owner (a nested list). */
  ownerId?: string;
  /** Only the rows that hold a reference of this type to this target (`ref_type`, `ref_target_id`). */
  reference?: { refType: string; targetId: string };
  /** A `search` expression (CONTRACT §6). */
  search?: string;
  offset: number;
  limit: number;
  /** Sort keys in order; the id breaks ties. */
  order: readonly SortKey[];
}

/** A page: its items as JSON text joined by PostgreSQL in runs, and the number of all matches. */
export interface RenderedItems {
  items: JoinedJson;
  total: number;
}

/** The size of the windows a page's items are joined in (see JsonParts): far below V8's large-object size. */
const PART_BYTES = 32 * 1024;

/** Sort columns a statement may be named for: one key (plus the id) gives few variants per kind. */
const NAMED_ORDER_KEYS = 1;

/**
 * Pages of a kind's lists in one statement each: the count of all matches and the page's items, each
 * rendered as JSON text by PostgreSQL and joined in runs. Without a search the statement is built once
 * per list shape (kind, scope, order) and, for the common orders, prepared under a name; a search
 * compiles a statement for its request.
 */
@Injectable()
export class ResourcePages {
  private readonly json = new Map<string, RawBuilder<string>>();
  private readonly db: Kysely<any>;
  /** Statements of searchless lists by shape, built on first use. */
  private readonly shapes = new Map<string, Statement>();

  constructor(
    builder: SqlBuilder,
    @Inject(KIND_REGISTRY) kinds: KindRegistry,
    private readonly em: EntityManager,
  ) {
    this.db = builder.db;
    for (const kind of kinds.all()) this.json.set(kind.kind, resourceJson(this.db, kind, kinds.all(), 'r'));
  }

  /** One page of `kind`'s live rows in a stable order (the id breaks ties), and the number of all matches. */
  page(kind: ResourceKind, q: PageQuery): Promise<RenderedItems> {
    const args = { offset: q.offset, limit: q.limit, ownerId: q.ownerId ?? null, refType: q.reference?.refType ?? null, refTarget: q.reference?.targetId ?? null };
    if (q.search !== undefined) {
      const once = compileOnce(this.build(kind, q, args));
      return this.read(once.sql, once.params);
    }
    const statement = this.shape(kind, q);
    return this.read(statement.sql, statement.values(args), q.order.length <= NAMED_ORDER_KEYS ? statement.name : undefined);
  }

  /**
   * One page of the live resources of several kinds (`GET /resources`), in a stable order over all of
   * them, each rendered by its own kind, and the number of all matches. A search is compiled for each
   * kind (fields a kind lacks, such as a root's `owner_id`, are null). Compiled per request: this list
   * is not on a hot path.
   */
  pageAll(kinds: readonly ResourceKind[], q: Omit<PageQuery, 'ownerId' | 'reference'>): Promise<RenderedItems> {
    const db = this.db;
    const order = withTieBreaker(q.order);
    const columns = [...new Set(['id', 'kind', ...order.map((o) => o.column)])];
    const matches = kinds
      .map((kind) => {
        let m: AnyQuery = selectKind(db, kind, 'r').select(columns.map((c) => (c === 'kind' ? sql.lit(kind.kind).as('kind') : `r.${c}`)));
        if (q.search !== undefined) m = m.where(compileSearch(db, q.search, kind, 'r', true).where);
        return m;
      })
      .reduce((all: AnyQuery, m: AnyQuery) => all.unionAll(m));
    let ids: AnyQuery = db.selectFrom(matches.as('u')).selectAll('u');
    for (const o of order) ids = ids.orderBy(`u.${o.column}`, o.direction);
    ids = ids.limit(q.limit).offset(q.offset);
    // each table's rows of the page, rendered by their kind (`case` over the kinds of the shared table)
    const byTable = new Map<string, ResourceKind[]>();
    for (const kind of kinds) byTable.set(kind.storage.table, [...(byTable.get(kind.storage.table) ?? []), kind]);
    const rendered = [...byTable.values()]
      .map((group) => {
        const json = group.length === 1 ? this.json.get(group[0].kind)! : sql`case ids.kind ${sql.join(group.map((k) => sql`when ${sql.lit(k.kind)} then ${this.json.get(k.kind)!}`), sql` `)} end`;
        return db
          .selectFrom('ids')
          .innerJoin(tableOf(group[0], 'r'), 'r.id', 'ids.id')
          .crossJoinLateral(renderedOnce(db, json))
          .select([...columns.map((c) => `ids.${c}`), 'j.json']);
      })
      .reduce((all: AnyQuery, part: AnyQuery) => all.unionAll(part));
    const items = db.selectFrom(rendered.as('y')).select(numbered('y', orderBy(order, 'y')));
    const count = sql`${db.selectFrom(matches.as('u')).select(sql`count(*)`.as('count'))}`;
    const once = compileOnce(inRuns(db, db.with('ids', () => ids), count, items));
    return this.read(once.sql, once.params);
  }

  /** Runs a page statement: its rows are the runs of the page's items in order (one without a run for an empty page), each with the total. */
  private async read(text: string, values: readonly unknown[], name?: string): Promise<RenderedItems> {
    const rows = await queryBound<{ total: string | number; size: number | null; part: string | null }>(this.em, text, values, name);
    let size = 0;
    const parts: string[] = [];
    for (const row of rows) {
      if (row.part === null) continue;
      size += row.size ?? 0;
      parts.push(row.part);
    }
    return { items: { count: size, parts }, total: Number(rows[0].total) };
  }

  /** The statement of a searchless list of this shape, built once. */
  private shape(kind: ResourceKind, q: PageQuery): Statement {
    const key = `${kind.kind}|${q.ownerId !== undefined}|${q.reference !== undefined}|${q.order.map((o) => `${o.column} ${o.direction}`).join(',')}`;
    let statement = this.shapes.get(key);
    if (!statement) {
      // bounded: the orders a client can ask for are many; the named ones are few
      if (this.shapes.size >= 1000) this.shapes.clear();
      const args = { offset: arg('offset'), limit: arg('limit'), ownerId: arg('ownerId'), refType: arg('refType'), refTarget: arg('refTarget') };
      // only the common orders are named, and kept in the catalogue: the others are as many as clients make up
      statement = prepare(`page_${kind.kind}`, this.build(kind, q, args), { catalogue: q.order.length <= NAMED_ORDER_KEYS });
      this.shapes.set(key, statement);
    }
    return statement;
  }

  /** The page statement of one kind (see `inRuns`), its values given as `args` (arguments of a prepared statement, or values). */
  private build(kind: ResourceKind, q: PageQuery, args: { offset: unknown; limit: unknown; ownerId: unknown; refType: unknown; refTarget: unknown }): AnyQuery {
    const db = this.db;
    const filter = q.search !== undefined ? compileSearch(db, q.search, kind, 'r') : undefined;
    const matches = () => {
      let m: AnyQuery = selectKind(db, kind, 'r');
      if (q.ownerId !== undefined) m = m.where('r.owner_id', '=', args.ownerId);
      if (q.reference !== undefined)
        m = m.where('r.id', 'in', db.selectFrom('resource_references as x').select('x.owner_id').where('x.ref_type', '=', args.refType).where('x.target_id', '=', sql`cast(${args.refTarget} as uuid)`));
      return filter ? m.where(filter.where) : m;
    };
    const order = withTieBreaker(q.order);
    // deferred join: the page's ids from the narrow index/filter path first, then only those wide rows
    // (OFFSET over whole rows, spec and conditions included, is several times dearer)
    let ids: AnyQuery = matches().select('r.id');
    for (const o of order) ids = ids.orderBy(`r.${o.column}`, o.direction);
    ids = ids.limit(args.limit).offset(args.offset);
    const items = db
      .selectFrom(tableOf(kind, 'r'))
      .innerJoin(ids.as('p'), 'p.id', 'r.id')
      .crossJoinLateral(renderedOnce(db, this.json.get(kind.kind)!))
      .select(numbered('j', orderBy(order, 'r')));
    // a search of one label over all rows of the kind is counted from the labels index alone
    const count = (q.ownerId === undefined && q.reference === undefined ? filter?.count : undefined) ?? sql`${matches().select(sql`count(*)`.as('count'))}`;
    return inRuns(db, db, count, items);
  }
}

/** The order with the id as the last key, so that pages are stable (ties broken in the direction of the last key). */
function withTieBreaker(order: readonly SortKey[]): SortKey[] {
  const keys = [...order];
  if (!keys.some((o) => o.column === 'id')) keys.push({ column: 'id', direction: keys[keys.length - 1]?.direction === 'asc' ? 'asc' : 'desc' });
  return keys;
}

/** The order as SQL over the columns of `alias` (columns are the lists' own names, never client text). */
const orderBy = (order: readonly SortKey[], alias: string): RawBuilder<unknown> => sql.raw(order.map((o) => `${alias}.${o.column} ${o.direction}`).join(', '));

/**
 * `cross join lateral (select <json> as json offset 0) j`: each item rendered once (`offset 0` keeps the
 * rendering a subquery of its own: referenced three times by `numbered`, PostgreSQL would otherwise
 * render every item three times).
 */
const renderedOnce = (db: Kysely<any>, json: RawBuilder<unknown>): AnyQuery => db.selectNoFrom(sql`${json}`.as('json')).offset(sql.lit(0) as never).as('j');

/**
 * The select list of a page's items: each item's JSON text (`<alias>.json`), numbered in the page's order
 * (n), and the run it joins (g): items starting in the same PART_BYTES window of the page's text form one
 * run, at most PART_BYTES plus one item; the first is run 0.
 */
function numbered(alias: string, order: RawBuilder<unknown>): AnyQuery[] {
  const window = sql`(order by ${order} rows between unbounded preceding and current row)`;
  const json = sql.ref(`${alias}.json`);
  return [`${alias}.json`, sql`row_number() over ${window}`.as('n'), sql`(sum(octet_length(${json})) over ${window} - octet_length(${json})) / ${sql.lit(PART_BYTES)}`.as('g')];
}

/**
 * The page statement: the count and the page in one statement (one round trip, one connection), the
 * page's `items` (see `numbered`) joined by PostgreSQL in runs, a row per run in order (one row without a
 * run for an empty page), instead of a row and a string per item, or one string larger than V8's regular
 * objects. `from` is what the statement starts from (the builder, or one with a CTE).
 */
function inRuns(db: Kysely<any>, from: AnyQuery, count: RawBuilder<unknown>, items: AnyQuery): AnyQuery {
  return from
    .selectFrom(sql`${count}`.as('c'))
    .leftJoinLateral(
      db
        .selectFrom(items.as('x'))
        .select([sql`count(*)::int`.as('size'), sql`case when x.g = 0 then '' else ',' end || string_agg(x.json, ',' order by x.n)`.as('part'), 'x.g'])
        .groupBy('x.g')
        .as('p'),
      (join: AnyQuery) => join.onTrue(),
    )
    .select(['c.count as total', 'p.size', 'p.part'])
    .orderBy('p.g');
}

/** The columns every kind's rows have, by which a list of every kind (`/resources`) can be ordered. */
export const COMMON_ORDER_COLUMNS = ['id', 'kind', 'name', 'generation', 'created_time', 'updated_time', 'deleted_time', 'created_by', 'updated_by', 'deleted_by'] as const;
