import type { EntityManager } from '@mikro-orm/postgresql';
import { OwnerType } from '../resource.types';
import { AdapterStatus } from './adapter-status.entity';

/** Adapter status rows (polymorphic owner). */
export class AdapterStatusRepository {
  /** Every status of one resource, in list order (CONTRACT D11: created_time, then adapter). */
  forOwner(em: EntityManager, ownerType: OwnerType, ownerId: string): Promise<AdapterStatus[]> {
    return em.find(AdapterStatus, { ownerType, ownerId }, { orderBy: { createdTime: 'asc', adapter: 'asc' } });
  }

  /** Removal stage (CONTRACT D4). */
  async remove(em: EntityManager, ownerType: OwnerType, ownerIds: string[], at: Date): Promise<void> {
    if (ownerIds.length) await em.nativeUpdate(AdapterStatus, { ownerType, ownerId: { $in: ownerIds } }, { deletedAt: at });
  }
}
