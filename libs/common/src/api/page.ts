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
