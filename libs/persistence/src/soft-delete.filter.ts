import type { EntityManager } from '@mikro-orm/core';
import { AdapterStatus } from './statuses/adapter-status.entity';
import { Cluster } from './clusters/cluster.entity';
import { Label } from './labels/label.entity';
import { NodePool } from './node-pools/node-pool.entity';

/** Name of the global filter; pass `{ filters: { [SOFT_DELETE]: false } }` to see removed rows. */
export const SOFT_DELETE = 'softDelete';

/** Entities whose removed rows (`deleted_at` set) are hidden from every `em` read. */
export const SOFT_DELETABLE_ENTITIES = [Cluster, NodePool, AdapterStatus, Label] as const;

/**
 * The global soft-delete filter (CONTRACT D4): on by default for every entity with a `deletedAt`
 * property. QueryBuilder and raw SQL do not see it; they must add `deleted_at is null` themselves.
 */
export const softDeleteFilter = {
  name: SOFT_DELETE,
  default: true,
  args: false,
  cond: (_args: Record<string, unknown>, _type: 'read' | 'update' | 'delete', em: EntityManager, _options?: unknown, entityName?: string) =>
    entityName && em.getMetadata().getByClassName(entityName, false)?.properties['deletedAt' as never] ? { deletedAt: null } : {},
};
