import { isPlainObject } from '@app/common';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export const MANDATORY_CONDITIONS = ['Available', 'Applied', 'Health'] as const;
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_PAST_MS = 30 * 60_000;

/** The first problem of a report's conditions (CONTRACT §5.7 step 1), or undefined. */
export function conditionsProblem(conditions: unknown): string | undefined {
  if (!Array.isArray(conditions)) return "field 'conditions' must be an array";
  const seen = new Set<string>();
  for (const [i, c] of conditions.entries()) {
    if (!isPlainObject(c)) return `condition at index ${i} must be an object`;
    if (c.type !== undefined && typeof c.type !== 'string') return `field 'conditions[${i}].type' must be a string`;
    const type = (c.type as string | undefined) ?? '';
    if (type.trim() === '') return `condition type cannot be empty at index ${i}`;
    if (seen.has(type)) return `duplicate condition type '${type}' at index ${i}`;
    seen.add(type);
    if (!(CONDITION_STATUSES as readonly unknown[]).includes(c.status))
      return `invalid status value '${typeof c.status === 'string' ? c.status : JSON.stringify(c.status ?? '')}' for condition at index ${i} (type: ${type}): must be 'True', 'False', or 'Unknown'`;
    for (const field of ['reason', 'message'] as const)
      if (c[field] !== undefined && c[field] !== null && typeof c[field] !== 'string') return `field 'conditions[${i}].${field}' must be a string`;
  }
  return undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The problem of an `observed_time` (format, then the window around `now`), or undefined. */
export function observedTimeProblem(value: unknown, now = Date.now()): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) return "field 'observed_time' must be an RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z)";
  const t = Date.parse(value);
  if (t - now > MAX_FUTURE_MS) return 'observed_time must not be more than 5m0s in the future';
  if (now - t > MAX_PAST_MS) return 'observed_time must not be more than 30m0s in the past';
  return undefined;
}
