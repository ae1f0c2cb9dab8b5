import { EntityClass, FilterQuery, LockMode, QueryOrder } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ResourceEntity } from '../resource.entity';
import { queryBound } from '../native-query';
import { CompiledFilter } from '../search/search-compiler';

export interface PageRequest {
  offset: number;
  limit: number;
  order: { field: string; direction: 'asc' | 'desc' }[];
}

/** Queries over clusters or node pools; the soft-delete filter hides removed rows from every one. */
export class ResourceRepository<T extends ResourceEntity> {
  constructor(readonly entity: EntityClass<T>) {}

  findById(em: EntityManager, id: string, options: { lock?: boolean; where?: FilterQuery<T> } = {}): Promise<T | null> {
    const where = { ...(options.where as object), id } as FilterQuery<T>;
    return em.findOne(this.entity, where, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  }

  /** Locks and returns every row matching `where` (cascades). */
  lockAll(em: EntityManager, where: FilterQuery<T>): Promise<T[]> {
    return em.find(this.entity, where, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: QueryOrder.ASC } as never });
  }

  count(em: EntityManager, where: FilterQuery<T>): Promise<number> {
    return em.count(this.entity, where);
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
    const list = base().select('r.*').orderBy(orderBy as never).limit(page.limit).offset(page.offset);
    const count = base().count();
    const [rows, counted] = await Promise.all([
      queryBound<Record<string, unknown>>(em, list.getQuery(), list.getParams()),
      queryBound<{ count: string | number }>(em, count.getQuery(), count.getParams()),
    ]);
    return { items: rows.map((row) => em.map(this.entity, row as never)), total: Number(counted[0]?.count ?? 0) };
  }
}
