import type { ResourceEntity } from '../resource.entity';

/** PostgreSQL's timestamptz text (the pool keeps it raw) → Date. */
export function pgDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(String(value).replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
}

/**
 * A read-only view of a cluster or node pool row (the shape of the entity, not a managed entity):
 * rows are presented and thrown away, or changed and written back by hand-written statements, so they
 * skip the identity map and change-tracking snapshots, which cost more than the queries on hot paths.
 */
export function resourceView<T extends ResourceEntity>(row: Record<string, unknown>): T {
  const view = {
    id: row.id,
    name: row.name,
    spec: row.spec,
    generation: row.generation,
    version: row.version,
    conditions: row.conditions,
    createdTime: pgDate(row.created_time),
    updatedTime: pgDate(row.updated_time),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    deletedTime: pgDate(row.deleted_time),
    deletedBy: row.deleted_by,
    deletedAt: pgDate(row.deleted_at),
  } as Record<string, unknown>;
  if (row.owner_id !== undefined) view.cluster = { id: row.owner_id };
  return view as unknown as T;
}
