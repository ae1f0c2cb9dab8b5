import { EntityClass, FilterQuery, QueryOrder } from '@mikro-orm/core';
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
 */
const rendered = (json: string): string => `cross join lateral (select ${json} as json) j`;

/** Queries over clusters or node pools; the soft-delete filter hides removed rows from every one. */
export class ResourceRepository<T extends ResourceEntity> {
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
    const table = em.getMetadata().get(this.entity).tableName;
    const [sql, params, name] =
      ownerId === undefined
        ? [`select r.version, j.json from ${table} r ${rendered(json)} where r.id = ? and r.deleted_at is null`, [id], `hf_get_${table}`]
        : [`select r.version, j.json from ${table} r join clusters o on o.id = r.owner_id and o.deleted_at is null ${rendered(json)} where r.id = ? and r.owner_id = ? and r.deleted_at is null`, [id, ownerId], `hf_get_owned_${table}`];
    const [found] = await queryBound<RenderedRow>(em, sql, params, name);
    return found ?? null;
  }

  /**
   * One page in a stable order (the id breaks ties), each row rendered as JSON text by `json` (over
   * alias `r`), and the number of all matches. `filter` is a compiled search (parameterized SQL over
   * alias `r`); the soft-delete condition is explicit here because query builders do not apply the
   * global filter.
   */
  async page(em: EntityManager, where: FilterQuery<T>, filter: CompiledFilter | undefined, page: PageRequest, json: string): Promise<{ items: string[]; total: number }> {
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
    const items = `select j.json, row_number() over (order by ${orderSql}) as n from ${meta.tableName} r join (${ids.getQuery()}) p on p.id = r.id ${rendered(json)}`;
    // the count and the page in one statement: one round trip, one connection (a page past the end
    // still yields the count's row, with no item)
    const count = base().count();
    const rows = await queryBound<{ total: string | number; json: string | null }>(
      em,
      `select c.count as total, i.json from (${count.getQuery()}) c left join lateral (${items}) i on true order by i.n`,
      [...count.getParams(), ...ids.getParams()],
    );
    return { items: rows.flatMap((row) => (row.json === null ? [] : [row.json])), total: Number(rows[0]?.total ?? 0) };
  }
}
