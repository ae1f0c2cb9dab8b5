import type { EntityManager } from '@mikro-orm/postgresql';
import { queryBound } from '../native-query';
import { OwnerType } from '../resource.types';

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
}
