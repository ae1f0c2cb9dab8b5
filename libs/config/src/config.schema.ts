import { formatDuration, parseDuration } from './duration';

/**
 * One configuration key: its dotted YAML name, its environment variable, its default and how a text
 * value is read. The environment name is `HYPERFLEET_` + the upper-cased key with `.` → `_`, unless
 * `env` says otherwise (names the original service used).
 */
export interface KeySpec<T> {
  key: string;
  env?: string;
  description: string;
  default: T;
  parse: (raw: unknown) => T | undefined;
  expected: string;
  secret?: boolean;
}

const fromText = (raw: unknown): string | undefined => (typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined);

export const str =
  (opts: { nonEmpty?: boolean; oneOf?: readonly string[] } = {}) =>
  (raw: unknown): string | undefined => {
    const text = fromText(raw);
    if (text === undefined) return undefined;
    if (opts.nonEmpty && text.trim() === '') return undefined;
    if (opts.oneOf && !opts.oneOf.includes(text.trim().toLowerCase())) return undefined;
    return opts.oneOf ? text.trim().toLowerCase() : text;
  };

export const int =
  (min: number, max: number) =>
  (raw: unknown): number | undefined => {
    const text = fromText(raw)?.trim();
    if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
    const value = Number(text);
    return value >= min && value <= max ? value : undefined;
  };

export const port = int(0, 65535);

export const bool = (raw: unknown): boolean | undefined => {
  if (typeof raw === 'boolean') return raw;
  const text = fromText(raw)?.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return undefined;
};

export const duration =
  (minMs: number, maxMs: number) =>
  (raw: unknown): number | undefined => {
    const text = fromText(raw);
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    return ms !== undefined && ms >= minMs && ms <= maxMs ? ms : undefined;
  };

/** An adapter name: lowercase letters, digits and inner hyphens. */
export const ADAPTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A list of adapter names: a YAML list, a JSON array or a comma-separated string. */
export const adapterList = (raw: unknown): string[] | undefined => {
  let items: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        items = JSON.parse(text);
      } catch {
        return undefined;
      }
    } else items = text === '' ? [] : text.split(',').map((s) => s.trim());
  }
  if (!Array.isArray(items) || !items.every((s) => typeof s === 'string' && ADAPTER_NAME.test(s))) return undefined;
  if (new Set(items).size !== items.length) return undefined;
  return items as string[];
};

export const key = <T>(spec: KeySpec<T>): KeySpec<T> => spec;

export const envName = (spec: KeySpec<unknown>): string => spec.env ?? `HYPERFLEET_${spec.key.toUpperCase().replace(/\./g, '_')}`;

export const renderDefault = (spec: KeySpec<unknown>): string => {
  const value = spec.default;
  if (spec.expected.startsWith('a duration')) return formatDuration(value as number);
  if (Array.isArray(value)) return value.join(',');
  return value === undefined || value === '' ? '(unset)' : String(value);
};
