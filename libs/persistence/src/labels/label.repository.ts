import type { EntityManager } from '@mikro-orm/postgresql';
import { queryBound } from '../native-query';
import { OwnerType } from '../resource.types';
import { Label } from './label.entity';

export type LabelMap = Record<string, string>;

/** Label rows of resources (polymorphic owner). */
export class LabelRepository {
  /** The labels of many owners in one query (a list page costs one query, not one per item). */
  async forOwners(em: EntityManager, ownerType: OwnerType, ownerIds: string[]): Promise<Map<string, LabelMap>> {
    const byOwner = new Map<string, LabelMap>();
    if (ownerIds.length === 0) return byOwner;
    // one prepared statement for any page size; plain rows, no entities (read and thrown away)
    const rows = await queryBound<{ owner_id: string; key: string; value: string }>(
      em,
      'select owner_id, key, value from labels where owner_type = ? and owner_id = any(cast(? as uuid[])) and deleted_at is null order by owner_id, key',
      [ownerType, ownerIds],
      'hf_labels_of_owners',
    );
    for (const row of rows) {
      let map = byOwner.get(row.owner_id);
      if (!map) byOwner.set(row.owner_id, (map = {}));
      map[row.key] = row.value;
    }
    return byOwner;
  }

  async forOwner(em: EntityManager, ownerType: OwnerType, ownerId: string): Promise<LabelMap> {
    return (await this.forOwners(em, ownerType, [ownerId])).get(ownerId) ?? {};
  }

  /** The labels of a new owner (nothing to replace). */
  async insert(em: EntityManager, ownerType: OwnerType, ownerId: string, labels: LabelMap): Promise<void> {
    const entries = Object.entries(labels);
    if (entries.length) await em.insertMany(Label, entries.map(([key, value]) => ({ ownerType, ownerId, key, value, deletedAt: null })));
  }

  /** Replaces the whole label set of one owner (PATCH semantics: `{}` clears it). */
  async replace(em: EntityManager, ownerType: OwnerType, ownerId: string, labels: LabelMap): Promise<void> {
    await em.nativeDelete(Label, { ownerType, ownerId });
    const entries = Object.entries(labels);
    if (entries.length) await em.insertMany(Label, entries.map(([key, value]) => ({ ownerType, ownerId, key, value, deletedAt: null })));
  }

  /** Removal stage (CONTRACT D4): the rows stay for audit but vanish from reads. */
  async remove(em: EntityManager, ownerType: OwnerType, ownerIds: string[], at: Date): Promise<void> {
    if (ownerIds.length) await em.nativeUpdate(Label, { ownerType, ownerId: { $in: ownerIds } }, { deletedAt: at });
  }
}
