import type { KindRegistry, ResourceKind } from '@app/config';
import { JoinedJson, JsonParts, pageJson } from '@app/common';
import { API_BASE, hrefOf, LabelMap, ResourceCondition, ResourceRecord } from '@app/persistence';

/** A stored resource and its labels: what the write responses present. */
export interface ResourceView {
  kind: ResourceKind;
  row: ResourceRecord;
  labels: LabelMap;
}

/** A reference as the wire shows it. */
export interface ObjectReference {
  id: string;
  kind: string;
  href: string;
}

/** A page of a list, its items rendered as JSON text by PostgreSQL and joined, in order. */
export interface RenderedPage {
  page: number;
  total: number;
  items: JoinedJson;
}

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

/** The href of a stored row: the stored one (kinds of the shared table), else its canonical item path. */
export function hrefOfRow(kind: ResourceKind, row: ResourceRecord): string {
  return row.href ?? hrefOf(kind, row.id, row.ownerId ? [row.ownerId] : []);
}

/**
 * A resource as the write responses send it (snake_case, UTC times, optional members left out): the
 * same members in the same order as PostgreSQL's rendering for the reads (libs/persistence
 * resource-json.ts; test/e2e/read-rendering.e2e-spec.ts holds the two to the same text).
 */
export function presentResource({ kind, row, labels }: ResourceView, kinds: KindRegistry): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: row.id,
    kind: kind.kind,
    href: hrefOfRow(kind, row),
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
  if (kind.parent && row.ownerId) {
    body.owner_references = { id: row.ownerId, kind: kind.parent.kind, href: row.ownerHref ?? hrefOf(kind.parent, row.ownerId) };
  }
  if (row.references && row.references.length > 0) {
    const byType: Record<string, ObjectReference[]> = {};
    // types in code-point order, entries in the order they were given, as the reads render them
    for (const ref of [...row.references].sort((a, b) => (a.refType < b.refType ? -1 : a.refType > b.refType ? 1 : 0))) {
      // a reference's href is its target's flat item path (the original presents it so)
      (byType[ref.refType] ??= []).push({ id: ref.targetId, kind: ref.targetKind, href: `${API_BASE}/${kinds.get(ref.targetKind)?.plural}/${ref.targetId}` });
    }
    body.references = byType;
  }
  return body;
}

/** A list page whose items PostgreSQL rendered, in pieces for sendJson. */
export function presentPage(kind: ResourceKind, page: RenderedPage): JsonParts<unknown> {
  return pageJson(kind.listKind, page.page, page.total, page.items);
}
