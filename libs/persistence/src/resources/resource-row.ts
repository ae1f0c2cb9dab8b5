import type { AdapterStatus } from '../statuses/adapter-status.entity';
import type { AdapterCondition, JsonObject, LabelMap, OwnerType, ResourceCondition } from '../resource.types';

/**
 * PostgreSQL's timestamptz text (the pool keeps it raw), `2026-12-04 20:14:13.123456+00`, → Date: the
 * space made a `T` and an hours-only offset given its minutes (ISO 8601 as `Date` reads it). Sliced
 * rather than matched: two regular-expression replacements made it 2.7 times slower.
 */
export function pgDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  const sign = text.charCodeAt(text.length - 3); // '+' or '-' before an hours-only offset
  return new Date((text.charCodeAt(10) === 32 ? `${text.slice(0, 10)}T${text.slice(11)}` : text) + (sign === 43 || sign === 45 ? ':00' : ''));
}

/** A reference a resource holds to another (CONTRACT §5.6), as stored. */
export interface StoredReference {
  refType: string;
  targetKind: string;
  targetId: string;
}

/**
 * PostgreSQL's text of a row's jsonb `spec` and `conditions` (`::text`: a space after `:` and `,`,
 * jsonb's key order, numbers as stored) and its `rendered_labels` (null: no labels): the reads send
 * these as they are (resource-json.ts), so the write answers send them too, and a resource is the same
 * bytes whichever route answers.
 */
export interface StoredText {
  spec: string;
  conditions: string;
  labels: string | null;
}

/**
 * A resource row as the write paths read it and present it: a plain object (not a managed entity),
 * changed and written back by the kind's statements. Rows are read, presented and thrown away, so they
 * skip the identity map and change-tracking snapshots, which cost more than the queries on hot paths.
 */
export interface ResourceRecord {
  id: string;
  name: string;
  spec: JsonObject;
  generation: number;
  /** Bumped on every write of the row; the ETag is derived from it. */
  version: number;
  conditions: ResourceCondition[];
  createdTime: Date;
  updatedTime: Date;
  createdBy: string;
  updatedBy: string;
  deletedTime: Date | null;
  deletedBy: string | null;
  /** The owner (child kinds). */
  ownerId?: string;
  /** The stored hrefs (kinds of the shared `resources` table). */
  href?: string;
  ownerHref?: string;
  /** The references it holds, in order (kinds with reference types). */
  references?: StoredReference[];
  /** The stored text of spec, conditions and labels, as the statement that last read or wrote the row returned it. */
  text?: StoredText;
}

/**
 * A row read with `rowColumns` (and `refs` where the kind has references) → ResourceRecord. `spec` and
 * `conditions` arrive as their jsonb text (parsed here, as the driver would parse jsonb) and are kept as
 * `text` with `rendered_labels`.
 */
export function resourceRecord(row: Record<string, unknown>): ResourceRecord {
  const text = storedText(row);
  const record: ResourceRecord = {
    id: row.id as string,
    name: row.name as string,
    spec: JSON.parse(text.spec) as JsonObject,
    generation: row.generation as number,
    version: row.version as number,
    conditions: JSON.parse(text.conditions) as ResourceCondition[],
    createdTime: pgDate(row.created_time)!,
    updatedTime: pgDate(row.updated_time)!,
    createdBy: row.created_by as string,
    updatedBy: row.updated_by as string,
    deletedTime: pgDate(row.deleted_time),
    deletedBy: (row.deleted_by as string | null) ?? null,
    text,
  };
  if (row.owner_id !== undefined) record.ownerId = row.owner_id as string;
  if (row.href !== undefined) record.href = row.href as string;
  if (row.owner_href !== undefined && row.owner_href !== null) record.ownerHref = row.owner_href as string;
  if (row.refs !== undefined) {
    const refs = (row.refs ?? []) as { ref_type: string; target_kind: string; target_id: string }[];
    record.references = refs.map((r) => ({ refType: r.ref_type, targetKind: r.target_kind, targetId: r.target_id }));
  }
  return record;
}

/** The stored text of a row read or written with its `spec` and `conditions` as text (`spec::text`) and `rendered_labels`. */
export function storedText(row: Record<string, unknown>): StoredText {
  if (typeof row.spec !== 'string' || typeof row.conditions !== 'string') throw new Error('a resource row must be read with spec and conditions as text');
  return { spec: row.spec, conditions: row.conditions, labels: (row.rendered_labels as string | null | undefined) ?? null };
}

/** The live labels of a row read with `rowColumns`: its `rendered_labels` (kept equal to them by the writes), parsed; key order as reads send them. */
export function labelsOfRow(row: Record<string, unknown>): LabelMap {
  return typeof row.rendered_labels === 'string' ? JSON.parse(row.rendered_labels) : {};
}

/** An adapter status row (as `select *` or `json_agg` of one returns it) → the entity's shape, not managed. */
export function statusRecord(r: Record<string, unknown>): AdapterStatus {
  return {
    id: r.id as string,
    ownerType: r.owner_type as OwnerType,
    ownerId: r.owner_id as string,
    adapter: r.adapter as string,
    observedGeneration: r.observed_generation as number,
    conditions: r.conditions as AdapterCondition[],
    data: (r.data ?? {}) as JsonObject,
    metadata: (r.metadata ?? null) as JsonObject | null,
    createdTime: pgDate(r.created_time)!,
    lastReportTime: pgDate(r.last_report_time)!,
    deletedAt: pgDate(r.deleted_at),
  } as AdapterStatus;
}
