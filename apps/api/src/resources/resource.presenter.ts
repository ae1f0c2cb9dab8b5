import type { LabelMap, ResourceCondition, ResourceEntity } from '@app/persistence';
import type { ResourceResponse } from './dto/resource.response';

/** A stored condition in the documented key order (JSONB does not keep key order). */
export function presentCondition(c: ResourceCondition): ResourceCondition {
  return {
    type: c.type,
    status: c.status,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    observed_generation: c.observed_generation,
    created_time: c.created_time,
    last_updated_time: c.last_updated_time,
    last_transition_time: c.last_transition_time,
  };
}

/** Entity → wire JSON shared by clusters and node pools (snake_case, UTC times, optional fields omitted). */
export function presentResource(kind: string, href: string, row: ResourceEntity, labels: LabelMap): ResourceResponse {
  const body: ResourceResponse = {
    id: row.id,
    kind,
    href,
    name: row.name,
    spec: row.spec,
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    generation: row.generation,
    status: { conditions: row.conditions.map(presentCondition) },
    created_time: row.createdTime.toISOString(),
    updated_time: row.updatedTime.toISOString(),
    created_by: row.createdBy,
    updated_by: row.updatedBy,
  };
  if (row.deletedTime) {
    body.deleted_time = row.deletedTime.toISOString();
    body.deleted_by = row.deletedBy ?? undefined;
  }
  return body;
}
