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

/** Items rendered as JSON text and joined with commas (by PostgreSQL, in one string), and how many there are. */
export interface JoinedJson {
  count: number;
  /** `item,item,…`; empty for no item. */
  json: string;
}

/** pageOf's envelope, with the same keys in the same order, around items already rendered as JSON text. */
export function pageJson<T>(kind: string, page: number, total: number, items: JsonText<T>[] | JoinedJson): JsonText<PageOf<T>> {
  const { count, json } = Array.isArray(items) ? { count: items.length, json: items.join(',') } : items;
  return `{"kind":${JSON.stringify(kind)},"page":${page},"size":${count},"total":${total},"items":[${json}]}`;
}
