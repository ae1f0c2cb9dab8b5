import { EntityClass, FilterQuery, QueryOrder } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ResourceEntity } from '../resource.entity';
import { queryBound } from '../native-query';
import { CompiledFilter } from '../search/search-compiler';
import { resourceView } from './resource-row';

export interface PageRequest {
  offset: number;
  limit: number;
  order: { field: string; direction: 'asc' | 'desc' }[];
}

/** Queries over clusters or node pools; the soft-delete filter hides removed rows from every one. */
export class ResourceRepository<T extends ResourceEntity> {
  constructor(readonly entity: EntityClass<T>) {}

  findById(em: EntityManager, id: string, options: { where?: FilterQuery<T> } = {}): Promise<T | null> {
    const where = { ...(options.where as object), id } as FilterQuery<T>;
    return em.findOne(this.entity, where);
  }

  /**
   * One live row with its labels in a single prepared statement (the hot read path: GET by id).
   * With `ownerId`, the row must belong to that owner and the owner must not be removed.
   */
  async findWithLabels(em: EntityManager, id: string, ownerId?: string): Promise<{ row: T; labels: Record<string, string> } | null> {
    const meta = em.getMetadata().get(this.entity);
    const table = meta.tableName;
    const kind = meta.className;
    const labels = `coalesce((select jsonb_object_agg(l.key, l.value) from labels l where l.owner_type = '${kind}' and l.owner_id = r.id and l.deleted_at is null), '{}'::jsonb) as "__labels"`;
    const [sql, params, name] =
      ownerId === undefined
        ? [`select r.*, ${labels} from ${table} r where r.id = ? and r.deleted_at is null`, [id], `hf_get_${table}`]
        : [`select r.*, ${labels} from ${table} r join clusters o on o.id = r.owner_id and o.deleted_at is null where r.id = ? and r.owner_id = ? and r.deleted_at is null`, [id, ownerId], `hf_get_owned_${table}`];
    const [found] = await queryBound<Record<string, unknown>>(em, sql, params, name);
    if (!found) return null;
    const { __labels, ...columns } = found;
    return { row: this.fromRow(columns), labels: (__labels ?? {}) as Record<string, string> };
  }

  /** A read-only view of a row (see `resourceView`). */
  fromRow(row: Record<string, unknown>): T {
    return resourceView<T>(row);
  }

  /**
   * One page in a stable order (the id breaks ties), and the number of all matches. `filter` is a
   * compiled search (parameterized SQL over alias `r`); the soft-delete condition is explicit here
   * because query builders do not apply the global filter.
   */
  async page(em: EntityManager, where: FilterQuery<T>, filter: CompiledFilter | undefined, page: PageRequest): Promise<{ items: T[]; total: number }> {
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
    const list = `select r.* from ${meta.tableName} r join (${ids.getQuery()}) p on p.id = r.id order by ${orderSql}`;
    const count = base().count();
    const [rows, counted] = await Promise.all([
      queryBound<Record<string, unknown>>(em, list, ids.getParams()),
      queryBound<{ count: string | number }>(em, count.getQuery(), count.getParams()),
    ]);
    return { items: rows.map((row) => this.fromRow(row)), total: Number(counted[0]?.count ?? 0) };
  }
}
