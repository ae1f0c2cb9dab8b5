import type { EntityManager } from '@mikro-orm/postgresql';
import { OwnerType } from '../resource.types';
import { AdapterStatus } from './adapter-status.entity';

/** Adapter status rows (polymorphic owner). */
export class AdapterStatusRepository {
  /** Every status of one resource, in list order (CONTRACT D11: created_time, then adapter). */
  forOwner(em: EntityManager, ownerType: OwnerType, ownerId: string): Promise<AdapterStatus[]> {
    return em.find(AdapterStatus, { ownerType, ownerId }, { orderBy: { createdTime: 'asc', adapter: 'asc' } });
  }

  /** One page of a resource's statuses in list order, and their number. */
  async page(em: EntityManager, ownerType: OwnerType, ownerId: string, offset: number, limit: number): Promise<{ items: AdapterStatus[]; total: number }> {
    const [items, total] = await Promise.all([
      em.find(AdapterStatus, { ownerType, ownerId }, { orderBy: { createdTime: 'asc', adapter: 'asc' }, offset, limit, disableIdentityMap: true }),
      em.count(AdapterStatus, { ownerType, ownerId }),
    ]);
    return { items, total };
  }

  /** Removal stage (CONTRACT D4). */
  async remove(em: EntityManager, ownerType: OwnerType, ownerIds: string[], at: Date): Promise<void> {
    if (ownerIds.length) await em.nativeUpdate(AdapterStatus, { ownerType, ownerId: { $in: ownerIds } }, { deletedAt: at });
  }
}
