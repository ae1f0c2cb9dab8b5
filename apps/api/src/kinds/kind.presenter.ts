import type { KindRegistry, ResourceKind } from '@app/config';
import type { JsonText } from '@app/common';
import type { PageToSend } from './http';
import { API_BASE, hrefOf, LabelMap, ResourceRecord } from '@app/persistence';

/**
 * A stored resource and its labels: what the write paths answer with. The presenter sends the labels'
 * stored text (`row.text`); `labels` are the same as values, for the services.
 */
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
export type RenderedPage = Omit<PageToSend, 'kind'>;

/** The href of a stored row: the stored one (kinds of the shared table), else its canonical item path. */
export function hrefOfRow(kind: ResourceKind, row: ResourceRecord): string {
  return row.href ?? hrefOf(kind, row.id, row.ownerId ? [row.ownerId] : []);
}

/** `"key":value` of JSON text. */
const member = (key: string, value: string): string => `${JSON.stringify(key)}:${value}`;

/**
 * A resource as the write responses send it: the same text, byte for byte, as PostgreSQL's rendering for
 * the reads (libs/persistence resource-json.ts): the same members in the same order, optional members
 * left out, UTC times with milliseconds, and `spec`, `labels` and `status.conditions` as the text the
 * statement that wrote or read the row returned (`row.text`: jsonb's own text and `rendered_labels`, as
 * the reads send them). test/e2e/read-rendering.e2e-spec.ts holds every route to the same bytes.
 */
export function presentResource({ kind, row }: ResourceView, kinds: KindRegistry): JsonText<Record<string, unknown>> {
  const text = row.text;
  if (!text) throw new Error(`${kind.kind} ${row.id} was presented without its stored text`);
  const members = [
    member('id', JSON.stringify(row.id)),
    member('kind', JSON.stringify(kind.kind)),
    member('href', JSON.stringify(hrefOfRow(kind, row))),
    member('name', JSON.stringify(row.name)),
    member('spec', text.spec),
  ];
  if (text.labels !== null) members.push(member('labels', text.labels));
  members.push(
    member('generation', String(row.generation)),
    member('status', `{"conditions":${text.conditions}}`),
    member('created_time', JSON.stringify(row.createdTime.toISOString())),
    member('updated_time', JSON.stringify(row.updatedTime.toISOString())),
    member('created_by', JSON.stringify(row.createdBy)),
    member('updated_by', JSON.stringify(row.updatedBy)),
  );
  if (row.deletedTime) {
    members.push(member('deleted_time', JSON.stringify(row.deletedTime.toISOString())));
    if (row.deletedBy !== null) members.push(member('deleted_by', JSON.stringify(row.deletedBy)));
  }
  if (kind.parent && row.ownerId) {
    const owner: ObjectReference = { id: row.ownerId, kind: kind.parent.kind, href: row.ownerHref ?? hrefOf(kind.parent, row.ownerId) };
    members.push(member('owner_references', JSON.stringify(owner)));
  }
  if (row.references && row.references.length > 0) {
    const byType: Record<string, ObjectReference[]> = {};
    // types in code-point order, entries in the order they were given, as the reads render them
    for (const ref of [...row.references].sort((a, b) => (a.refType < b.refType ? -1 : a.refType > b.refType ? 1 : 0))) {
      // a reference's href is its target's flat item path (the original presents it so)
      (byType[ref.refType] ??= []).push({ id: ref.targetId, kind: ref.targetKind, href: `${API_BASE}/${kinds.get(ref.targetKind)?.plural}/${ref.targetId}` });
    }
    members.push(member('references', JSON.stringify(byType)));
  }
  return `{${members.join(',')}}`;
}

/** A list page whose items PostgreSQL rendered, for sendPage. */
export function presentPage(kind: ResourceKind, page: RenderedPage): PageToSend {
  return { kind: kind.listKind, page: page.page, total: page.total, items: page.items, more: page.more };
}
