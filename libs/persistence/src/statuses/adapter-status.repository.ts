import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OwnerType } from '../resource.types';
import { AdapterStatus } from './adapter-status.entity';

/** Adapter status rows (polymorphic owner): read through the ORM, whose global filter hides removed ones. */
@Injectable()
export class AdapterStatusRepository {
  /** One page of a resource's statuses in list order, and their number. */
  async page(em: EntityManager, ownerType: OwnerType, ownerId: string, offset: number, limit: number): Promise<{ items: AdapterStatus[]; total: number }> {
    const [items, total] = await Promise.all([
      em.find(AdapterStatus, { ownerType, ownerId }, { orderBy: { createdTime: 'asc', adapter: 'asc' }, offset, limit, disableIdentityMap: true }),
      em.count(AdapterStatus, { ownerType, ownerId }),
    ]);
    return { items, total };
  }
}
