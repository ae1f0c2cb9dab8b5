import { EntityClass, FilterQuery, QueryOrder } from '@mikro-orm/core';
import type { JoinedJson } from '@app/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ResourceEntity } from '../resource.entity';
import { queryBound } from '../native-query';
import { CompiledFilter } from '../search/search-compiler';

export interface PageRequest {
  offset: number;
  limit: number;
  order: { field: string; direction: 'asc' | 'desc' }[];
}

/** A resource as PostgreSQL rendered it: its wire JSON text, and the row version for the ETag. */
export interface RenderedRow {
  version: number;
  json: string;
}

/**
 * `j.json`, the rendering of row `r`. A lateral subselect (PostgreSQL folds it into the select list)
 * keeps the table in the statement's first FROM, which names the table in query metrics and traces.
 * `once`: evaluated once per row however often `j.json` is referenced (not folded into the select list).
 */
const rendered = (json: string, once = false): string => `cross join lateral (select ${json} as json${once ? ' offset 0' : ''}) j`;

/** The size of the windows a page's items are joined in (see JsonParts): far below V8's large-object size. */
const PART_BYTES = 32 * 1024;

/** A query builder's statement as text and parameters. */
const countOf = (qb: { getQuery(): string; getParams(): readonly unknown[] }) => ({ sql: qb.getQuery(), params: qb.getParams() });

/** Queries over clusters or node pools; the soft-delete filter hides removed rows from every one. */
export class ResourceRepository<T extends ResourceEntity> {
  /** The two statements of `findRendered` (by id; by id under an owner), made on first use. */
  private readonly reads: { name: string; sql: string }[] = [];

  constructor(readonly entity: EntityClass<T>) {}

  findById(em: EntityManager, id: string, options: { where?: FilterQuery<T> } = {}): Promise<T | null> {
    const where = { ...(options.where as object), id } as FilterQuery<T>;
    return em.findOne(this.entity, where);
  }

  /**
   * One live row rendered as its wire JSON text by PostgreSQL, with its version (for the ETag), in a
   * single prepared statement (the hot read path: GET by id). `json` renders the row aliased `r`; it
   * must be the same on every call for a table (the statement is prepared under one name). With
   * `ownerId`, the row must belong to that owner and the owner must not be removed.
   */
  async findRendered(em: EntityManager, id: string, json: string, ownerId?: string): Promise<RenderedRow | null> {
    const owned = ownerId !== undefined;
    const read = (this.reads[Number(owned)] ??= this.readStatement(em, json, owned));
    const [found] = await queryBound<RenderedRow>(em, read.sql, owned ? [id, ownerId] : [id], read.name);
    return found ?? null;
  }

  private readStatement(em: EntityManager, json: string, owned: boolean): { name: string; sql: string } {
    const table = em.getMetadata().get(this.entity).tableName;
    return owned
      ? { name: `hf_get_owned_${table}`, sql: `select r.version, j.json from ${table} r join clusters o on o.id = r.owner_id and o.deleted_at is null ${rendered(json)} where r.id = ? and r.owner_id = ? and r.deleted_at is null` }
      : { name: `hf_get_${table}`, sql: `select r.version, j.json from ${table} r ${rendered(json)} where r.id = ? and r.deleted_at is null` };
  }

  /**
   * One page in a stable order (the id breaks ties), each row rendered as JSON text by `json` (over
   * alias `r`) and joined in order, and the number of all matches. `filter` is a compiled search
   * (parameterized SQL over alias `r`); the soft-delete condition is explicit here because query builders
   * do not apply the global filter.
   */
  async page(em: EntityManager, where: FilterQuery<T>, filter: CompiledFilter | undefined, page: PageRequest, json: string): Promise<{ items: JoinedJson; total: number }> {
    const orderBy: Record<string, QueryOrder>[] = page.order.map((o) => ({ [o.field]: o.direction === 'desc' ? QueryOrder.DESC : QueryOrder.ASC }));
    if (!page.order.some((o) => o.field === 'id')) orderBy.push({ id: page.order[page.order.length - 1]?.direction === 'asc' ? QueryOrder.ASC : QueryOrder.DESC });
    const base = () => {
      const qb = em.createQueryBuilder(this.entity, 'r').where({ ...(where as object), deletedAt: null } as never);
      if (filter) qb.andWhere(filter.sql, filter.params);
      return qb;
    };
    // deferred join: choose the page's ids from the narrow index/filter path first, then read only
    // those wide rows (OFFSET over whole rows, spec and conditions included, is several times dearer)
    const ids = base().select('r.id' as never).orderBy(orderBy as never).limit(page.limit).offset(page.offset);
    const meta = em.getMetadata().get(this.entity);
    const orderSql = orderBy
      .map((o) => {
        const [prop, dir] = Object.entries(o)[0];
        return `r.${(meta.properties as unknown as Record<string, { fieldNames: string[] }>)[prop].fieldNames[0]} ${String(dir).toLowerCase() === 'desc' ? 'desc' : 'asc'}`;
      })
      .join(', ');
    // each item rendered once (`offset 0` keeps the rendering a subquery of its own: referenced three
    // times in the select list, PostgreSQL would render every item three times), numbered in the page's
    // order (n), and the run it joins (g): items starting in the same PART_BYTES window of the page's
    // text form one run, at most PART_BYTES plus one item; the first is run 0
    const items =
      `select j.json, row_number() over w as n, (sum(octet_length(j.json)) over w - octet_length(j.json)) / ${PART_BYTES} as g ` +
      `from ${meta.tableName} r join (${ids.getQuery()}) p on p.id = r.id ${rendered(json, true)} ` +
      `window w as (order by ${orderSql} rows between unbounded preceding and current row)`;
    // a search of one label over all resources of the kind is counted from the labels index alone
    // (CompiledFilter.count); any other by the same filter over the resource rows
    const count = (Object.keys(where as object).length === 0 ? filter?.count : undefined) ?? countOf(base().count());
    // the count and the page in one statement: one round trip, one connection, and the page's items
    // joined by PostgreSQL in runs, a row per run in order (one row without a run for an empty page),
    // instead of a row and a string per item, or one string larger than V8's regular objects
    const rows = await queryBound<{ total: string | number; size: number | null; part: string | null }>(
      em,
      `select c.count as total, p.size, p.part from (${count.sql}) c left join lateral (select count(*)::int as size, ` +
        `case when x.g = 0 then '' else ',' end || string_agg(x.json, ',' order by x.n) as part, x.g from (${items}) x group by x.g) p on true order by p.g`,
      [...count.params, ...ids.getParams()],
    );
    let size = 0;
    const parts: string[] = [];
    for (const row of rows) {
      if (row.part === null) continue;
      size += row.size ?? 0;
      parts.push(row.part);
    }
    return { items: { count: size, parts }, total: Number(rows[0].total) };
  }
}
