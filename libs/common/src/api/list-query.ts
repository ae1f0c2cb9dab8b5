import { ValidationError } from '../errors/errors';
import { FieldError } from '../errors/hyperfleet.error';

export type SortDirection = 'asc' | 'desc';

export interface ListQuery {
  page: number;
  size: number;
  /** Sort keys in order; the id tie-breaker is appended by the repository. */
  order: { field: string; direction: SortDirection }[];
  search?: string;
  /** A deprecated alias (`pageSize`, `orderBy`) was used: answer with `Deprecation: true`. */
  deprecated: boolean;
}

const ORDER_ITEM = /^([a-z_][a-z0-9_]*)(\s+(asc|desc))?$/;
export const MAX_PAGE = 100_000;
/** The largest page size by default (CONTRACT D6); `list.max_size` may raise it up to MAX_SIZE_LIMIT (D17). */
export const MAX_SIZE = 100;
/** The largest `list.max_size`: the sentinel's page size goes up to 500. */
export const MAX_SIZE_LIMIT = 500;
export const DEFAULT_SIZE = 20;

const first = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function intParam(name: string, raw: unknown, min: number, max: number, errors: FieldError[]): number | undefined {
  const value = first(raw);
  if (value === undefined || value === '') return undefined;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text)) {
    errors.push({ field: name, value, constraint: 'format', message: `${name} must be an integer` });
    return undefined;
  }
  const n = Number(text);
  if (n < min) errors.push({ field: name, value: n, constraint: 'min', message: `${name} must be at least ${min}` });
  else if (n > max) errors.push({ field: name, value: n, constraint: 'max', message: `${name} must be at most ${max}` });
  return n;
}

/**
 * Reads `page`, `size`, `order` and `search` (CONTRACT D6, §2.2), with the deprecated aliases
 * `pageSize` (clamped to 1..maxSize for the older clients that sent up to 65500) and `orderBy` (D7); with
 * `orderBy`, an `order` of just `asc` or `desc` is the direction of its items that name none (D16).
 * `orderable` maps wire field names to the sortable property names; `maxSize` is the largest `size`
 * (`list.max_size`, CONTRACT D17).
 */
export function parseListQuery(query: Record<string, unknown>, orderable: Record<string, string>, maxSize = MAX_SIZE): ListQuery {
  const errors: FieldError[] = [];
  const page = intParam('page', query.page, 1, MAX_PAGE, errors) ?? 1;
  let deprecated = false;
  let size = intParam('size', query.size, 1, maxSize, errors);
  if (size === undefined && query.pageSize !== undefined) {
    deprecated = true;
    const legacy = intParam('pageSize', query.pageSize, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, errors);
    if (legacy !== undefined) size = Math.min(maxSize, Math.max(1, legacy));
  }
  if (errors.length) throw ValidationError.fields('Invalid query parameters', errors);

  let rawOrder = list(query.order);
  // seed-era clients send the field in `orderBy` and the direction in `order` (D16)
  let legacyDirection: SortDirection | undefined;
  const direction = rawOrder.length === 1 ? rawOrder[0].trim().toLowerCase() : '';
  if (query.orderBy !== undefined && (direction === 'asc' || direction === 'desc')) {
    legacyDirection = direction;
    rawOrder = [];
  }
  if (rawOrder.length === 0 && query.orderBy !== undefined) {
    deprecated = true;
    rawOrder = list(query.orderBy);
  }
  const order: ListQuery['order'] = [];
  for (const item of rawOrder.flatMap((o) => o.split(',')).map((s) => s.trim())) {
    if (!item) continue;
    const m = ORDER_ITEM.exec(item);
    if (!m) throw ValidationError.badRequest(`invalid order item '${item}': expected '<field>' or '<field> asc|desc' with a lowercase field name`);
    // own keys only: `constructor` or `__proto__` must not find Object.prototype's members
    const field = Object.hasOwn(orderable, m[1]) ? orderable[m[1]] : undefined;
    if (!field) throw ValidationError.badRequest(`invalid field in search or order query: '${m[1]}' (sortable: ${Object.keys(orderable).join(', ')})`);
    order.push({ field, direction: (m[3] as SortDirection | undefined) ?? legacyDirection ?? 'asc' });
  }
  if (order.length === 0) order.push({ field: orderable.created_time ?? 'createdTime', direction: 'desc' });

  const searchRaw = first(query.search);
  const search = typeof searchRaw === 'string' && searchRaw.trim() !== '' ? searchRaw : undefined;
  return { page, size: size ?? DEFAULT_SIZE, order, search, deprecated };
}
