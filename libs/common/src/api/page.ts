/** The list envelope (CONTRACT D6): `size` is the number of items returned, `total` all matches. */
export interface PageOf<T> {
  kind: string;
  page: number;
  size: number;
  total: number;
  items: T[];
}

export function pageOf<T>(kind: string, page: number, total: number, items: T[]): PageOf<T> {
  return { kind, page, size: items.length, total, items };
}

/** JSON text of a `T` rendered elsewhere (by PostgreSQL) and sent as it is; the type names what the text holds. */
export type JsonText<T> = string & { readonly __json?: T };

/**
 * JSON text in pieces, written one after another and never joined: `parts.join('')` is the JSON of a
 * `T`. A list page is ~220 KB of text; as one string it is a V8 large object, which only a full
 * mark-sweep frees, so every page sent would grow the heap until the next one. Pieces of a few tens of
 * kilobytes are ordinary young objects that a scavenge frees.
 */
export type JsonParts<T> = readonly string[] & { readonly __json?: T };

/** Items rendered as JSON text by PostgreSQL, joined in runs of a few tens of kilobytes, and how many there are. */
export interface JoinedJson {
  count: number;
  /** In order, `parts.join('')` is `item,item,…` (the separating commas are in the parts); empty for no item. */
  parts: string[];
}

/** The envelope's first members, `{"kind":…,"page":…,` (see pageJson). */
const envelope = (kind: string, page: number): string => `{"kind":${JSON.stringify(kind)},"page":${page},`;

/** pageOf's envelope, with the same keys in the same order, around items already rendered as JSON text. */
export function pageJson<T>(kind: string, page: number, total: number, items: JoinedJson): JsonParts<PageOf<T>> {
  return [`${envelope(kind, page)}"size":${items.count},"total":${total},"items":[`, ...items.parts, ']}'];
}

/**
 * pageJson's envelope for a page sent in batches, opened before its later batches are read (`head`) and
 * closed after them (`tail`): `size` comes last, once the items sent are counted (an item removed while
 * the page was sent is not among them); the other members and their order are pageJson's.
 */
export const streamedPageJson = {
  head: (kind: string, page: number, total: number): string => `${envelope(kind, page)}"total":${total},"items":[`,
  tail: (size: number): string => `],"size":${size}}`,
};
