import type { KindRegistry, ResourceKind } from '@app/config';
import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { JoinedJson } from '@app/common';
import { Kysely, RawBuilder, sql } from 'kysely';
import { queryBound } from '../native-query';
import { runWithDeadline } from '../pg-guard';
import { compileSearch } from '../search/search-compiler';
import { KIND_REGISTRY, LIST_LIMITS, ListLimits, SqlBuilder } from '../sql/sql-builder';
import { arg, compileOnce, prepare, Statement } from '../sql/statement';
import { AnyQuery, kindsByTable, selectKind, tableOf } from './kind-sql';
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
  /** The page, from 1. */
  page: number;
  /** Items per page. */
  size: number;
  /** Sort keys in order; the id breaks ties. */
  order: readonly SortKey[];
  /**
   * Who reads (the client's address, agent and credentials, as the API sees them): a page continues only
   * the list its own reader read the page before of, not another client's list of the same query.
   */
  reader?: string;
}

/** How long the end of a page stays usable for the next page of the same list (a poll reads its pages in turn). */
export const LIST_CURSOR_TTL_SECONDS = 60;

/**
 * The columns a page can continue from (the keyset's): never null, each with its type, so that the stored
 * text of a boundary compares as the column does. A list ordered by another (`deleted_time`) counts its
 * offset from the top on every page.
 */
const KEYSET_TYPES: Record<string, string> = {
  id: 'uuid',
  name: 'text',
  kind: 'text',
  generation: 'int',
  created_time: 'timestamptz',
  updated_time: 'timestamptz',
  created_by: 'text',
  updated_by: 'text',
  owner_id: 'uuid',
};

/** A page: its items as JSON text joined by PostgreSQL in runs, and the number of all matches. */
export interface RenderedItems {
  /** The page's items, or its first batch when `more`. */
  items: JoinedJson;
  total: number;
  /** The later batches of a page that renders larger than `list.batch_bytes`, each read when asked for (ResourcePages.batches). */
  more?: AsyncIterable<JoinedJson>;
}

/** What one page statement read: its items, the count, and the ids it did not render. */
interface Read {
  items: JoinedJson;
  total: number;
  rest?: PageRest;
}

/** The items of a page past its first batch, in order: their ids and kinds. */
export interface PageRest {
  ids: string[];
  kinds: string[];
}

/** The size of the windows a page's items are joined in (see JsonParts): far below V8's large-object size. */
const PART_BYTES = 32 * 1024;

/** Sort columns a statement may be named for: one key (plus the id) gives few variants per kind. */
const NAMED_ORDER_KEYS = 1;

/**
 * Page sizes a continued list's statement is named for: the default (20), the sizes UIs offer, the
 * contract's maximum and the sentinel's. A continued page's size is written into its statement (not a
 * parameter) so that PostgreSQL's generic plan knows how many rows it reads: after five runs it keeps
 * that plan and plans no more (with the size as a parameter it assumes a tenth of the table, so it
 * planned every page anew, 0.6–0.7 ms of each). Other sizes run the same text unnamed (planned per run).
 */
const NAMED_SIZES: ReadonlySet<number> = new Set([10, 20, 25, 50, 100, 200, 250, 500]);

/**
 * Pages of a kind's lists in one statement each: the page's items, each rendered as JSON text by
 * PostgreSQL and joined in runs, and the number of all matches (CONTRACT D6, D17).
 *
 * A list read page after page (the sentinel's poll: page 1, 2, … until `total`) continues each page from
 * where the list's previous page ended (its last item's sort keys, kept in `list_cursors` for a minute
 * where every API process finds them) instead of counting an offset from the top: a page costs the same
 * at any depth, and a resource removed or created during the poll shifts no later page, so none that
 * lives through the poll is skipped or read twice. The poll's `total` is counted once, on its first page,
 * and carried with it; its later pages show no resource created after its first (they fall in the next poll). A page nobody read the page before of (a client jumping to page 7), or of a list
 * ordered by a column that may be null, counts its offset, and its total, from the top.
 *
 * A page whose items render larger than `list.batch_bytes` is read in batches (issue 21): its statement
 * renders items while they hold at most that much (one larger item alone) and names the rest, read later
 * by `batches` a batch per statement, so that a page of resources with megabyte specs never sits in
 * PostgreSQL's answer or in memory whole.
 *
 * Without a search the statements are built once per list shape (kind, scope, order, continued or not)
 * and, for the common orders, prepared under a name; a search compiles a statement for its request.
 */
@Injectable()
export class ResourcePages implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly json = new Map<string, RawBuilder<string>>();
  private readonly db: Kysely<any>;
  /** Statements of searchless lists by shape, built on first use. */
  private readonly shapes = new Map<string, Statement>();
  private readonly expire: Statement;
  private expiry?: NodeJS.Timeout;
  private readonly log = new Logger(ResourcePages.name);
  /** Statements that read a page's later batch, by the kinds it renders. */
  private readonly batchStatements = new Map<string, Statement<{ ids: string[]; kinds: string[] }>>();
  /** Reads of later batches running, and those waiting for their turn (see ListLimits.lane). */
  private lanes = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    builder: SqlBuilder,
    @Inject(KIND_REGISTRY) private readonly kinds: KindRegistry,
    private readonly em: EntityManager,
    @Inject(LIST_LIMITS) private readonly limits: ListLimits,
  ) {
    this.db = builder.db;
    for (const kind of kinds.all()) this.json.set(kind.kind, resourceJson(this.db, kind, kinds.all(), 'r'));
    // a later batch of one kind's list, or of GET /resources
    for (const kind of kinds.all()) this.batchStatement([kind.kind]);
    this.batchStatement(kinds.all().map((kind) => kind.kind));
    const expired = this.db.deleteFrom('list_cursors').where(sql<boolean>`written_at < now() - make_interval(secs => ${sql.lit(LIST_CURSOR_TTL_SECONDS)})`);
    this.expire = prepare('list_cursors_expire', this.db.with('d', () => expired.returning(sql`1`.as('one'))).selectFrom('d').select(sql`count(*)::int`.as('removed')));
  }

  /** Expired page ends are removed every half minute, by each process (what the lists keep between pages stays bounded). */
  onApplicationBootstrap(): void {
    this.expiry = setInterval(() => void this.expireEnds().catch((error: unknown) => this.log.warn(`expired page ends not removed: ${String(error)}`)), (LIST_CURSOR_TTL_SECONDS * 1000) / 2);
    this.expiry.unref();
  }

  /** Removes the page ends older than their time to live; resolves to how many it removed. */
  async expireEnds(): Promise<number> {
    const [row] = await queryBound<{ removed: number }>(this.em, this.expire.sql, [], this.expire.name);
    return row!.removed;
  }

  onApplicationShutdown(): void {
    clearInterval(this.expiry);
  }

  /** One page of `kind`'s live rows in a stable order (the id breaks ties), and the number of all matches. */
  async page(kind: ResourceKind, q: PageQuery): Promise<RenderedItems> {
    const order = withTieBreaker(q.order);
    // a list ordered by columns that are never null can continue a page from where the one before ended
    const keyset = order.every((o) => Object.hasOwn(KEYSET_TYPES, o.column));
    const mode: Mode = !keyset ? 'offset' : q.page === 1 ? 'first' : 'next';
    const args = { offset: (q.page - 1) * q.size, limit: q.size, ownerId: q.ownerId ?? null, refType: q.reference?.refType ?? null, refTarget: q.reference?.targetId ?? null, list: keyset ? listKey(kind, q) : null, page: q.page, previous: q.page - 1 };
    return this.continued(await this.run(kind, q, mode, args));
  }

  /**
   * One page of the live resources of several kinds (`GET /resources`), in a stable order over all of
   * them, each rendered by its own kind, and the number of all matches. A search is compiled for each
   * kind (fields a kind lacks, such as a root's `owner_id`, are null). Compiled per request: this list
   * is not on a hot path.
   */
  async pageAll(kinds: readonly ResourceKind[], q: Omit<PageQuery, 'ownerId' | 'reference'>): Promise<RenderedItems> {
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
    ids = ids.limit(q.size).offset((q.page - 1) * q.size);
    const count = sql`${db.selectFrom(matches.as('u')).select(sql`count(*)`.as('count'))}`;
    // the page's ids and kinds in order, each rendered by its kind
    const inOrder = db.selectFrom('ids as p').select([sql`array_agg(p.id order by ${orderBy(order, 'p')})`.as('a'), sql`array_agg(p.kind order by ${orderBy(order, 'p')})`.as('ka')]);
    const once = compileOnce(this.walked(db.withRecursive('ids', () => ids).with('o', () => inOrder), count, kinds));
    return this.continued(await this.read(once.sql, once.params, undefined));
  }

  /** A page as read, with the batches that read the rest of it when it was too large for one. */
  private continued({ items, total, rest }: Read): RenderedItems {
    return rest ? { items, total, more: this.batches(rest) } : { items, total };
  }

  /** A page statement of one kind and mode, built once per shape without a search, for the request with one. */
  private run(kind: ResourceKind, q: PageQuery, mode: Mode, args: PageArgs): Promise<Read> {
    if (q.search !== undefined) {
      const once = compileOnce(this.build(kind, q, mode, args));
      return this.read(once.sql, once.params, undefined, kind);
    }
    const statement = this.shape(kind, q, mode);
    return this.read(statement.sql, statement.values(args as unknown as Record<string, unknown>), named(q, mode) ? statement.name : undefined, kind);
  }

  /** Runs a page statement: its rows are the runs of the page's items in order (one without a run for an empty page), each with the total. */
  private async read(text: string, values: readonly unknown[], name: string | undefined, kind?: ResourceKind): Promise<Read> {
    const rows = await queryBound<PageRow>(this.em, text, values, name);
    let size = 0;
    const parts: string[] = [];
    let rest: PageRest | undefined;
    for (const row of rows) {
      if (row.rest_ids !== null) {
        rest = { ids: row.rest_ids, kinds: row.rest_kinds ?? row.rest_ids.map(() => kind!.kind) };
        continue;
      }
      if (row.part === null) continue;
      size += row.size ?? 0;
      parts.push(row.part);
    }
    const items = { count: size, parts };
    return rest ? { items, total: Number(rows[0].total), rest } : { items, total: Number(rows[0].total) };
  }

  /**
   * The later batches of a large page (`rest`), each read when the one before was taken (`next()` is
   * called for the next): the next items, rendered as the first batch was, while they hold at
   * most `list.batch_bytes` (an item larger than that alone). An item removed since the page was read is
   * passed over. Reads of later batches take turns (ListLimits.lane), so
   * that large pages leave the rest of the pool to other requests, and run outside the request's deadline
   * (a page a slow client takes minutes to read is not an error; each statement has the statement timeout).
   */
  async *batches(rest: PageRest): AsyncGenerator<JoinedJson> {
    for (let next: PageRest | undefined = rest; next !== undefined; ) {
      const batch: Read = await this.inLane(() => this.batch(next!));
      yield batch.items;
      next = batch.rest;
    }
  }

  /** One later batch: the live rows of these ids, in this order, rendered by their kinds within `list.batch_bytes`, and the ids left. */
  private batch(rest: PageRest): Promise<Read> {
    const statement = this.batchStatement([...new Set(rest.kinds)]);
    const values = statement.values({ ids: rest.ids, kinds: rest.kinds });
    // its own deadline: the request's may pass while a slow client reads the batches before
    return runWithDeadline({ passed: false }, () => this.read(statement.sql, values, statement.name));
  }

  /** The statement that reads a later batch of these kinds' rows (built once per set of kinds). */
  private batchStatement(names: readonly string[]): Statement<{ ids: string[]; kinds: string[] }> {
    const key = [...names].sort().join(',');
    let statement = this.batchStatements.get(key);
    if (!statement) {
      const db = this.db;
      const inOrder = db.selectNoFrom([sql`cast(${arg('ids')} as uuid[])`.as('a'), sql`cast(${arg('kinds')} as text[])`.as('ka')]);
      const walked = this.walked(db.withRecursive('o', () => inOrder), sql`(select null::bigint as count)`, names.map((name) => this.kinds.get(name)!));
      statement = prepare<{ ids: string[]; kinds: string[] }>('page_batch', walked);
      this.batchStatements.set(key, statement);
    }
    return statement;
  }

  /** Runs `read` when fewer than ListLimits.lane others run. */
  private async inLane<T>(read: () => Promise<T>): Promise<T> {
    if (this.lanes >= this.limits.lane) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.lanes++;
    try {
      return await read();
    } finally {
      // the turn passes to the next waiting read, or is given back
      const next = this.queue.shift();
      if (next) next();
      else this.lanes--;
    }
  }

  /**
   * The end of a page statement (first batch or later batch): the items of \`o\` (\`a\`: their ids in order,
   * \`ka\`: their kinds, or null for one kind) rendered one after another, each by its kind, as long as
   * the items kept hold at most \`list.batch_bytes\` of text (a recursive walk; see \`kept\`: the item
   * that would take them past it is rendered, to know its size, and left for the next batch; one item
   * larger than the budget is a batch alone), so that a batch never holds more than the budget or one
   * item, whatever its items hold; the count; and the ids and kinds left, for the next batch. An id whose
   * row is gone (removed since its page was read) is passed over. Rows: see \`runsOf\`.
   */
  private walked(from: AnyQuery, count: RawBuilder<unknown>, kinds: readonly ResourceKind[]): AnyQuery {
    const db = this.db;
    const id = sql`o.a[w.n + 1]`;
    const kindOf = sql`o.ka[w.n + 1]`;
    // each table's row of the id, rendered by its kind (a kind's own table by the id alone)
    const renders = kindsByTable(kinds).map((group) => {
      const json = group.length === 1 ? this.json.get(group[0].kind)! : sql`case ${kindOf} ${sql.join(group.map((k) => sql`when ${sql.lit(k.kind)} then ${this.json.get(k.kind)!}`), sql` `)} end`;
      const row = db.selectFrom(tableOf(group[0], 'r')).select(sql`${json}`.as('json')).where(sql<boolean>`r.id = ${id}`);
      return kinds.length === 1 ? row : row.where(sql<boolean>`${kindOf} in (${sql.join(group.map((k) => sql.lit(k.kind)))})`);
    });
    const rendered = renders.length === 1 ? sql`(${renders[0]})` : sql`coalesce(${sql.join(renders.map((r) => sql`(${r})`))})`;
    const walk = db
      .selectNoFrom([sql`0`.as('n'), sql`null::text`.as('json'), sql`0::bigint`.as('before')])
      .unionAll(
        db
          .selectFrom(['walk as w', 'o'])
          .select([sql`w.n + 1`.as('n'), rendered.as('json'), sql`w.before + coalesce(octet_length(w.json), 0)`.as('before')])
          // on past an item the batch keeps; the first it cannot keep ends the walk
          .where(sql<boolean>`w.n < cardinality(o.a) and ${kept('w', this.limits.batchBytes)}`),
      );
    // `from` began its CTEs with `withRecursive`: in Kysely the first decides for the whole list
    return runsOf(from.with('walk(n, json, before)', () => walk), count, this.limits.batchBytes);
  }

  /** The statement of a searchless list of this shape, built once. */
  private shape(kind: ResourceKind, q: PageQuery, mode: Mode): Statement {
    // a continued list's size is part of its text (see NAMED_SIZES); page 1 starts at the top
    const literal = mode !== 'offset';
    const key = `${kind.kind}|${mode}|${literal ? q.size : ''}|${q.ownerId !== undefined}|${q.reference !== undefined}|${q.order.map((o) => `${o.column} ${o.direction}`).join(',')}`;
    let statement = this.shapes.get(key);
    if (!statement) {
      // bounded: the orders and sizes a client can ask for are many; the named ones are few
      if (this.shapes.size >= 1000) this.shapes.clear();
      const args: PageArgs = {
        offset: mode === 'first' ? sql.lit(0) : arg('offset'),
        limit: literal ? sql.lit(q.size) : arg('limit'),
        ownerId: arg('ownerId'),
        refType: arg('refType'),
        refTarget: arg('refTarget'),
        list: arg('list'),
        page: arg('page'),
        previous: arg('previous'),
      };
      // only the common shapes are named, and kept in the catalogue: the others are as many as clients make up
      statement = prepare(`page_${mode}_${kind.kind}`, this.build(kind, q, mode, args), { catalogue: named(q, mode) }) as Statement;
      this.shapes.set(key, statement);
    }
    return statement;
  }

  /**
   * The page statement of one kind (see `inRuns`), its values given as `args` (arguments of a prepared
   * statement, or values). `offset` counts the page's offset and the total from the top. `first` (page 1)
   * does the same and records where the page ended. `next` (a later page) continues from where the list's
   * previous page ended, with the poll's total, when that page was recorded within the last minute, and
   * records where this one ends; else it counts the offset and the total from the top, as `offset` does.
   * One statement either way: the branch that does not apply is cut by a one-time filter on the recorded
   * end (`b`), so PostgreSQL never runs it.
   */
  private build(kind: ResourceKind, q: PageQuery, mode: Mode, args: PageArgs): AnyQuery {
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
    // deferred join: the page's ids (and sort keys) from the narrow index/filter path first, then only
    // those wide rows (OFFSET over whole rows, spec and conditions included, is several times dearer)
    const sorted = (m: AnyQuery): AnyQuery => order.reduce((acc: AnyQuery, o) => acc.orderBy(`r.${o.column}`, o.direction), m.select(order.map((o) => `r.${o.column}`))).limit(args.limit);
    const fromTop = (m: AnyQuery): AnyQuery => sorted(m).offset(args.offset);
    // a search of one label over all rows of the kind is counted from the labels index alone
    const label = q.ownerId === undefined && q.reference === undefined ? filter?.count : undefined;
    const countAll: AnyQuery = label ? db.selectFrom(label.as('x')).select('x.count') : matches().select(sql`count(*)`.as('count'));
    let from: AnyQuery = db;
    let ids: AnyQuery;
    let counted: AnyQuery;
    if (mode === 'next') {
      // the previous page's end, recorded within the last minute; the poll's total goes on with it
      from = from.withRecursive('b', () =>
        db
          .selectFrom('list_cursors as c')
          .select(['c.last_keys', 'c.total as count', 'c.since'])
          .where('c.list_key', '=', args.list)
          .where('c.page', '=', args.previous)
          .where(sql<boolean>`c.written_at > now() - make_interval(secs => ${sql.lit(LIST_CURSOR_TTL_SECONDS)})`),
      );
      // past the end, and nothing created since the poll began: a list ordered by name would otherwise show
      // a resource created meanwhile that sorts later, and the poll, reaching its total early, would stop
      // before its last page
      // the recorded end as scalar subqueries (values fixed before the scan), not a join: so the row
      // comparison is the sort index's condition and the scan starts at the end, not at the top
      const continued = sorted(
        matches()
          .where(after(order, 'r', sql`(select b.last_keys from b)`))
          .where('r.created_time', '<=', sql`(select b.since from b)`),
      );
      const counting = fromTop(matches().where(sql<boolean>`not exists (select 1 from b)`));
      ids = db.selectFrom(continued.as('k')).selectAll().unionAll(db.selectFrom(counting.as('o')).selectAll());
      counted = db.selectNoFrom(sql`coalesce((select b.count from b), (${countAll}))`.as('count'));
    } else {
      ids = fromTop(matches());
      counted = countAll;
    }
    // counted once, read by the answer and by the page's end
    // recursive: the first CTE decides for all of them (Kysely), and the page's walk is one (see walked)
    from = (mode === 'next' ? from.with('n', () => counted) : from.withRecursive('n', () => counted)).with('ids', () => ids);
    if (mode !== 'offset') {
      // where this page ends (its last item's sort keys, as text), for the list's next page; a later
      // page that had no recorded start records none (a client jumping to page 7 leaves nothing behind)
      const last = order.reduce(
        (acc: AnyQuery, o) => acc.orderBy(`l.${o.column}`, o.direction === 'asc' ? 'desc' : 'asc'),
        db.selectFrom('ids as l').select(sql`array[${sql.join(order.map((o) => sql`${sql.ref(`l.${o.column}`)}::text`))}]`.as('k')),
      );
      const end = db.selectFrom([last.limit(sql.lit(1)).as('e'), 'n', ...(mode === 'next' ? ['b'] : [])]);
      from = from.with('w', () =>
        db
          .insertInto('list_cursors')
          .columns(['list_key', 'page', 'last_keys', 'total', 'since', 'written_at'])
          .expression(
            end.select([
              sql`cast(${args.list} as text)`.as('list_key'),
              sql`cast(${args.page} as int)`.as('page'),
              'e.k',
              sql`n.count`.as('total'),
              (mode === 'next' ? sql`b.since` : sql`now()`).as('since'),
              sql`now()`.as('written_at'),
            ]),
          )
          .onConflict((oc: AnyQuery) =>
            oc.columns(['list_key', 'page']).doUpdateSet({ last_keys: sql.ref('excluded.last_keys'), total: sql.ref('excluded.total'), since: sql.ref('excluded.since'), written_at: sql.ref('excluded.written_at') }),
          ),
      );
    }
    // the page's ids in order
    from = from.with('o', () => db.selectFrom('ids as p').select([sql`array_agg(p.id order by ${orderBy(order, 'p')})`.as('a'), sql`null::text[]`.as('ka')]));
    return this.walked(from, sql`${db.selectFrom('n').select('n.count')}`, [kind]);
  }
}

/** Whether a searchless page's statement runs under its name (prepared once per connection): the common shapes. */
const named = (q: PageQuery, mode: Mode): boolean => q.order.length <= NAMED_ORDER_KEYS && (mode === 'offset' || NAMED_SIZES.has(q.size));

/** How a page statement finds its page (see ResourcePages.build). */
type Mode = 'offset' | 'first' | 'next';

/** The values of a page statement. */
interface PageArgs {
  offset: unknown;
  limit: unknown;
  ownerId: unknown;
  refType: unknown;
  refTarget: unknown;
  list: unknown;
  page: unknown;
  previous: unknown;
}

/**
 * The list a page belongs to: its kind, scope, search, order and page size, and its reader. Its pages
 * continue from one another (a poll reads them in turn); any other list starts over. Two readers of the
 * same query (a UI and a sentinel, or two replicas of one sentinel) whom the API cannot tell apart share
 * the boundaries: a page may then continue from the other's previous page, which is where it would have
 * started counting from the top, give or take the resources created or removed in between.
 */
function listKey(kind: ResourceKind, q: PageQuery): string {
  return createHash('sha1')
    .update(JSON.stringify([kind.kind, q.ownerId ?? null, q.reference ?? null, q.search ?? null, q.order, q.size, q.reader ?? null]))
    .digest('base64url');
}

/**
 * The rows after a page's last item in the list's order: `keys` is its sort keys as text (the columns of
 * KEYSET_TYPES). One direction: a row comparison, which an index on the sort columns answers; mixed
 * directions: each prefix equal and the next key past it.
 */
function after(order: readonly SortKey[], alias: string, keys: RawBuilder<unknown>): RawBuilder<boolean> {
  const value = (i: number) => sql`cast(${keys}[${sql.lit(i + 1)}] as ${sql.raw(KEYSET_TYPES[order[i].column])})`;
  const column = (i: number) => sql.ref(`${alias}.${order[i].column}`);
  const past = (o: SortKey) => sql.raw(o.direction === 'desc' ? '<' : '>');
  if (order.every((o) => o.direction === order[0].direction))
    return sql<boolean>`(${sql.join(order.map((_, i) => column(i)))}) ${past(order[0])} (${sql.join(order.map((_, i) => value(i)))})`;
  const terms = order.map((o, i) => sql`(${sql.join([...order.slice(0, i).map((_, j) => sql`${column(j)} = ${value(j)}`), sql`${column(i)} ${past(o)} ${value(i)}`], sql` and `)})`);
  return sql<boolean>`(${sql.join(terms, sql` or `)})`;
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
 * Whether the walk's row \`alias\` (n, json, before) is in its batch: the batch's first item (nothing kept
 * before it), or one that leaves the batch within \`batchBytes\`. The first row not kept ends the walk; it
 * was rendered only to learn its size, and starts the next batch.
 */
const kept = (alias: string, batchBytes: number): RawBuilder<boolean> =>
  sql<boolean>`(${sql.ref(`${alias}.before`)} = 0 or ${sql.ref(`${alias}.before`)} + coalesce(octet_length(${sql.ref(`${alias}.json`)}), 0) <= ${sql.lit(batchBytes)})`;

/** A row of a page statement: a run of items, or the ids left (\`rest_*\`). */
interface PageRow {
  total: string | number;
  size: number | null;
  part: string | null;
  rest_ids: string[] | null;
  rest_kinds: string[] | null;
}

/**
 * The rows of a page statement from its \`walk\` (n, json, before): the count (one row without a run for an
 * empty page), and the items joined by PostgreSQL in runs, a row per run in order, instead of a row and a
 * string per item; items starting in the same PART_BYTES window of the page's text form one run (at most
 * PART_BYTES plus one item), and every run but the first starts with the comma that separates it from the
 * one before. Last, when the walk stopped before the end, the ids and kinds left (from its first row not
 * kept).
 */
function runsOf(from: AnyQuery, count: RawBuilder<unknown>, batchBytes: number): AnyQuery {
  const run = sql`w.before / ${sql.lit(PART_BYTES)}`;
  const rows = sql`
    select ${run} as g, count(*)::int as size, case when ${run} > 0 then ',' else '' end || string_agg(w.json, ',' order by w.n) as part, null::uuid[] as rest_ids, null::text[] as rest_kinds
    from walk w where w.json is not null and ${kept('w', batchBytes)} group by 1
    union all
    select 2147483647, null, null, o.a[m.n + 1:], o.ka[m.n + 1:] from o, (select max(w.n) as n from walk w where ${kept('w', batchBytes)}) m where m.n < cardinality(o.a)`;
  return from
    .selectFrom(sql`${count}`.as('c'))
    .leftJoinLateral(sql`(${rows})`.as('x'), (join: AnyQuery) => join.onTrue())
    .select(['c.count as total', 'x.size', 'x.part', 'x.rest_ids', 'x.rest_kinds'])
    .orderBy('x.g');
}

/** The columns every kind's rows have, by which a list of every kind (`/resources`) can be ordered. */
export const COMMON_ORDER_COLUMNS = ['id', 'kind', 'name', 'generation', 'created_time', 'updated_time', 'deleted_time', 'created_by', 'updated_by', 'deleted_by'] as const;
