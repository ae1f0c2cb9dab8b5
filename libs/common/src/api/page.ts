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

/** pageOf's envelope, with the same keys in the same order, around items already rendered as JSON text. */
export function pageJson<T>(kind: string, page: number, total: number, items: JsonText<T>[]): JsonText<PageOf<T>> {
  return `{"kind":${JSON.stringify(kind)},"page":${page},"size":${items.length},"total":${total},"items":[${items.join(',')}]}`;
}
