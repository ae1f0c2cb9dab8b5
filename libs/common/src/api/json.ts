/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON-value equality: key order is irrelevant, array order is not. Iterative, so any depth is safe
 * (a stored value may be deeper than what a request may carry today).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  while (pending.length) {
    const [x, y] = pending.pop()!;
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push([x[i], y[i]]);
    } else if (isPlainObject(x)) {
      if (!isPlainObject(y)) return false;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const k of keys) {
        if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
        pending.push([x[k], y[k]]);
      }
    } else return false;
  }
  return true;
}

/** Deepest accepted nesting of a request body (the body object itself is level 1): `spec` may nest 127 levels. */
export const MAX_JSON_DEPTH = 128;

interface Visit {
  value: unknown;
  depth: number;
  parent?: Visit;
  key?: string | number;
}

/** `spec.a[0].b` for messages (long keys shortened). */
function pathOf(visit: Visit): string {
  let path = '';
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) {
    const key = typeof v.key === 'string' && v.key.length > 40 ? `${v.key.slice(0, 40)}…` : v.key;
    path = typeof key === 'number' ? `[${key}]${path}` : `${v.parent.parent ? '.' : ''}${key}${path}`;
  }
  return path;
}

/** The depth problem, naming the top-level property it is in (the full path would be as long as the nesting). */
function tooDeep(visit: Visit, maxDepth: number): string {
  let top = visit;
  while (top.parent?.parent) top = top.parent;
  return `JSON must not be nested more than ${maxDepth} levels deep${top.parent ? ` (in ${pathOf(top)})` : ''}`;
}

function stringProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!s.isWellFormed()) return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

/** A `\\u` escape of a UTF-16 surrogate (the only way one gets into text decoded from UTF-8). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** A number that may overflow the double range: an exponent of three digits or more, or 200 digits in a row. */
const LARGE_NUMBER = /[eE][+-]?\d{3}|\d{200}/;

/**
 * Whether JSON text decoded from UTF-8 cannot hold anything `jsonBodyProblem` rejects, so its parsed
 * value need not be walked: no `\u0000` escape (a raw NUL is not valid JSON), no escaped surrogate
 * (decoding never yields one), no number that could overflow, and no more brackets than `maxDepth`
 * (so no deeper nesting). Text in strings can only make it answer false: the walk then decides.
 */
export function plainJsonText(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  if (text.includes('\\u0000') || SURROGATE_ESCAPE.test(text) || LARGE_NUMBER.test(text)) return false;
  let brackets = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 123 || c === 91) && ++brackets > maxDepth) return false; // '{' '['
  }
  return true;
}

/**
 * What a parsed request body carries that must not reach handlers or PostgreSQL, or undefined: nesting
 * deeper than `maxDepth` (recursive code and jsonb have stack limits), U+0000 in a string or key
 * (PostgreSQL text and jsonb cannot store it), unpaired UTF-16 surrogates (not Unicode; jsonb rejects
 * them) and numbers beyond the double range (JSON.parse turns 1e400 into Infinity, stored as null).
 * Iterative, so the check itself is safe at any depth.
 */
export function jsonBodyProblem(body: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const pending: Visit[] = [{ value: body, depth: 0 }];
  const where = (visit: Visit): string => (visit.parent ? ` (at ${pathOf(visit)})` : '');
  while (pending.length) {
    const visit = pending.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      const bad = stringProblem(value);
      if (bad) return `strings ${bad}${where(visit)}`;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `number out of range${where(visit)}`;
    } else if (Array.isArray(value)) {
      if (depth >= maxDepth) return tooDeep(visit, maxDepth);
      for (let i = 0; i < value.length; i++) pending.push({ value: value[i], depth: depth + 1, parent: visit, key: i });
    } else if (isPlainObject(value)) {
      if (depth >= maxDepth) return tooDeep(visit, maxDepth);
      for (const [key, child] of Object.entries(value)) {
        const bad = stringProblem(key);
        if (bad) return `object keys ${bad}${where(visit)}`;
        pending.push({ value: child, depth: depth + 1, parent: visit, key });
      }
    }
  }
  return undefined;
}
