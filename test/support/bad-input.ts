import fc from 'fast-check';
import type { Response } from 'supertest';

// Building blocks of the bad-input and hostile-payload reliability suites (test/reliability/): generated
// JSON that JSON.stringify cannot write (raw number tokens, duplicate and __proto__ keys), junk strings,
// ids, query strings, search expressions and header values, and the check every answer must pass.

/** A JSON token written as is, e.g. `1e400`, `-0`, `123456789012345678901234567890`. */
export class Raw {
  constructor(readonly text: string) {}
}

/** A JSON object written with exactly these members, in this order: duplicate keys and `__proto__` are kept. */
export class Members {
  constructor(readonly members: [string, Json][]) {}
}

/** An `observed_time` of the moment the request is written, `offsetMs` away from now. */
export class Now {
  constructor(readonly offsetMs = 0) {}
}

export type Json = null | boolean | number | string | Raw | Members | Now | Json[] | { [key: string]: Json };

/** Marks a body property to leave out. */
export const ABSENT = Symbol('absent');

/** JSON text of a generated value (strings through JSON.stringify, so lone surrogates become `\udXXX` escapes). */
export function toJson(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Now) return JSON.stringify(new Date(Date.now() + value.offsetMs).toISOString());
  if (value instanceof Members) return `{${value.members.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return '1e999';
  return JSON.stringify(value);
}

/** Percent-encodes every byte of the UTF-8 form except unreserved characters (lone surrogates become U+FFFD). */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const SPECIAL_STRINGS = [
  '', ' ', '\t', '\n', '\u0000', 'a\u0000b', '\u0001\u001f\u007f', '\ud800', '\udfff', 'x\ud83d', '\ufeff', '\u202e', '\u200b', 'Ａ', 'ǅ', 'İ', 'ß',
  '😀', '👩‍👩‍👧‍👦', '🏳️‍🌈', 'e\u0301', '中文', 'עברית', 'null', 'true', 'false', 'NaN', '-NaN', 'Infinity', '-0', '0', '1e308', '1e400', '0x10', '١٢',
  'undefined', '__proto__', 'constructor', 'prototype', "'", '"', '\\', "' OR 1=1 --", "'; drop table clusters; --", '$1', '%', '%00', '%ZZ', '_', '*', '?',
  '../../etc/passwd', '..\\..', '<script>alert(1)</script>', '${jndi:ldap://x}', '{{7*7}}', '\r\nX-Injected: 1', 'Cluster', 'NodePool', 'True', 'Unknown',
];

const anyChar = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const bigChar = fc.constantFrom('a', 'é', '😀', ' ', '\u0000', 'Z', '-', '字');

/** Strings people do not type: control characters, lone surrogates, emoji, escapes, long runs. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: anyChar, maxLength: 8 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 1, arbitrary: fc.tuple(bigChar, fc.integer({ min: 64, max: 40_000 })).map(([c, n]) => c.repeat(n)) },
);

/** Object keys: junk plus names that matter to JavaScript and to this API. */
export const junkKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: junkString },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', 'kind', 'name', 'spec', 'labels', 'id', 'a.b', '$where', 'a/b') },
);

/** Numbers, including the ones JSON.parse mangles (1e400 → Infinity, 1e-400 → 0, 2^53 + 1). */
export const junkNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double().map((d) => (Number.isFinite(d) ? d : new Raw('1e999'))),
  fc.constantFrom(0, 1, -1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE),
  fc.constantFrom(...['1e308', '-1e308', '-0', '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '9007199254740993', '0.1e1', '1E+2', '-0.0', '2e9'].map((t) => new Raw(t))),
);

/** Any JSON value, objects as Members (so `__proto__` and duplicate keys survive to the wire). */
export const junkJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 2, arbitrary: junkNumber },
    { weight: 3, arbitrary: junkString },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.array(fc.tuple(junkKey, tie('value')), { maxLength: 4 }).map((m) => new Members(m)) },
  ),
})).value;

/** A JSON object of junk members (for `spec`, `data`, `metadata`). */
export const junkObject: fc.Arbitrary<Members> = fc.array(fc.tuple(junkKey, junkJson), { maxLength: 5 }).map((m) => new Members(m));

/** A property's value: mostly the valid one, else left out, null, or anything at all. */
export function field(valid: fc.Arbitrary<Json>, ...wrong: fc.Arbitrary<Json>[]): fc.Arbitrary<Json | typeof ABSENT> {
  return fc.oneof(
    { weight: 10, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: junkJson },
    ...wrong.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

/** A body object from per-property arbitraries, plus (sometimes) extra members with junk keys. */
export function bodyOf(fields: Record<string, fc.Arbitrary<Json | typeof ABSENT>>, extras = true): fc.Arbitrary<Members> {
  return fc.tuple(fc.record(fields), extras ? fc.array(fc.tuple(junkKey, junkJson), { maxLength: 2 }) : fc.constant([])).map(([record, more]) => {
    const members = Object.entries(record).filter((e): e is [string, Json] => e[1] !== ABSENT);
    return new Members([...members, ...(more as [string, Json][])]);
  });
}

/** The body text of a request: mostly the generated object, else any JSON value, malformed JSON or nothing. */
export function payload(body: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  const text = body.map(toJson);
  return fc.oneof(
    { weight: 12, arbitrary: text },
    { weight: 1, arbitrary: junkJson.map(toJson) },
    { weight: 1, arbitrary: fc.tuple(text, fc.nat()).map(([t, n]) => t.slice(0, n % Math.max(1, t.length))) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        junkString,
        fc.constantFrom('', ' ', '\n', '{', '}', '[', '{"a":}', "{'kind':'Cluster'}", '{"a":1,}', '{"a" 1}', 'NaN', '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '{"a":0x10}', '{"a":01}', '{"a":.5}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":"tab\there"}', '/* c */{}', '{} {}', 'null', '"str"', '[]', '\ufeff{}', '{"a":1}\u0000'),
      ),
    },
  );
}

// ---- ids, query strings, search expressions, headers ----

/** A path segment that names no resource (already percent-encoded where needed). */
export const junkId: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: junkString.filter((s) => s.length <= 2000).map(pct) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%00', 'a%00b', '..', '.', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '..%5C..%5C', '%2F', '%ZZ', '%E0%A4%A', '%C0%AE', '%ED%A0%80', '%F0%9F%98%80', '%', 'null', 'undefined', '0', '-1', '1e308',
      '%20', '%0A', '%0D%0AX-Injected:%201', "'%20OR%201=1--", '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-7FFF-BFFF-FFFFFFFFFFFF', '{id}', ':cluster_id', 'a'.repeat(6000), '%41'.repeat(1000),
    ),
  },
);

export const QUERY_KEYS = ['page', 'size', 'order', 'search', 'pageSize', 'orderBy'] as const;

const FIELDS = [
  'id', 'name', 'kind', 'href', 'generation', 'created_time', 'updated_time', 'deleted_time', 'created_by', 'updated_by', 'deleted_by', 'owner_id', 'owner_kind', 'owner_href',
  'labels.env', 'labels.pool', 'labels.example.com/team', 'labels', 'labels.', 'spec.region', 'spec.replicas', 'spec.a.b.c', 'spec', 'spec.A', 'status.conditions.Reconciled',
  'status.conditions.LastKnownReconciled', 'status.conditions.Ready', 'status.conditions.reconciled', 'status.conditions.Reconciled.observed_generation',
  'status.conditions.Reconciled.last_updated_time', 'status.conditions.Reconciled.last_transition_time', 'status.conditions.Reconciled.created_time', 'status.conditions.X.y',
  'status', 'status.phase', 'foo', '_x', 'x-y', 'a/b', 'labels.a-b', 'NAME', 'properties.x',
  // names of Object.prototype members, which a lookup table must not find
  'constructor', '__proto__', 'toString', 'hasOwnProperty', 'labels.constructor', 'spec.__proto__', 'status.conditions.Ready.constructor', 'status.conditions.Ready.__proto__',
];
const OPERATORS = ['=', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in', 'like', 'ilike', 'not like', 'not ilike', 'between', 'not between', 'is null', 'is not null', 'is', 'not', 'and', 'or', 'AND', 'Or', 'NOT'];
const PUNCTUATION = ['(', ')', '[', ']', ',', '-', '+', '*', '/', '%', '~=', '~!', 'len(', 'any(', '/*', '--', ';', '==', '!', '&&', '||', '.', '..'];
const LITERALS = [
  "'x'", '"y"', '`z`', "'it''s'", "'\\u0041'", "'\\u0000'", "'\\x'", "'unterminated", '"\\"', '1', '-1', '3.14', '1e308', '1e400', '-1e400', '1Ki', '0x1F', '01', '.5', '2026-01-01',
  "'2026-01-01T00:00:00Z'", "'2026-13-45'", "'9999-12-31T23:59:59Z'", 'true', 'false', 'null', "'True'", "'False'", "'Unknown'", "'%'", "'_'", "'prod%'", "''", "'eu-west-1'", '99999999999999999999',
];

/** Valid-looking search expressions (some valid, many wrong in one detail). */
const searchSentence: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...OPERATORS.slice(0, 17)), fc.constantFrom(...LITERALS), fc.constantFrom('', "('a','b')", "['a', 1]", ' and 5')).map(([f, op, lit, tail]) =>
      op === 'in' || op === 'not in' ? `${f} ${op} ${tail || `(${lit})`}` : op.startsWith('is') ? `${f} ${op}` : op.includes('between') ? `${f} ${op} ${lit} and ${lit}` : `${f} ${op} ${lit}`,
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((preds) => fc.tuple(fc.constant(preds), fc.array(fc.constantFrom(' and ', ' or ', ' and not ', ' or ('), { minLength: preds.length, maxLength: preds.length })))
  .map(([preds, joins]) => preds.map((p, i) => (i === 0 ? p : `${joins[i]}${p}`)).join(''));

/** Search expressions: token soup from the grammar's tokens and junk, sentences, and the limits. */
export const junkSearch: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FIELDS, ...OPERATORS, ...PUNCTUATION, ...LITERALS), junkString.filter((s) => s.length < 50)), { maxLength: 12 }).chain((tokens) => fc.constantFrom(' ', '', '\t').map((sep) => tokens.join(sep))) },
  { weight: 4, arbitrary: searchSentence },
  { weight: 1, arbitrary: junkString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "name = 'x' and ".repeat(300) + "name = 'x'", '('.repeat(40) + "name='x'" + ')'.repeat(40), 'not '.repeat(40) + "name='x'", `name in (${Array.from({ length: 1001 }, (_, i) => `'${i}'`).join(',')})`,
      `name = '${'x'.repeat(5000)}'`, `labels.${'k'.repeat(300)} = 'v'`, `spec.${'a.'.repeat(200)}b = 1`, "name = 'x' ".repeat(50),
    ),
  },
);

/** Query-string values for page/size/order and junk. */
export const junkQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', '2', '0', '-1', '100', '101', '100000', '100001', '1e308', '1e3', 'NaN', '-0', ' 1', '1.0', '0x10', '١', '99999999999999999999999', '', '+1', '1,2'),
  fc.constantFrom('name', 'name asc', 'name desc', 'created_time desc,name', 'generation asc, id desc', 'NAME', 'name up', 'foo', 'name asc asc', ',', 'spec.region', 'labels.env', "name; drop table clusters", 'owner_id', 'href', 'constructor', '__proto__ desc', 'tostring', 'name,constructor'),
  junkString.filter((s) => s.length < 3000),
  junkSearch,
);

/** One query string: known and junk keys with junk values, percent-encoded or raw (malformed % escapes kept). */
export const junkQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: fc.constantFrom('fields', 'page[]', 'search[a]', '', 'Size', '__proto__', 'constructor') }, { weight: 1, arbitrary: junkString.filter((s) => s.length < 40) }),
      junkQueryValue,
      fc.constantFrom('encoded', 'encoded', 'encoded', 'raw'),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v, how]) => `${pct(k)}=${how === 'raw' ? v.replace(/[^\x21-\x7e]|#/g, (c) => pct(c)) : pct(v)}`).join('&'));

/** Header values Node can send (latin-1, no CR/LF/NUL): junk, very long, almost right. */
export const junkHeader: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c < 0x7f || c > 0x9f).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('', ' ', '\t', 'a'.repeat(8000), 'ÿþ', 'null', '*', ',,,'),
);

// ---- the pass condition ----

/** Text that must never reach a client: stack frames, SQL and driver messages, file paths. */
export const LEAK = /\bat .*\.(js|ts):\d+|SQLSTATE|syntax error at|relation "|pq:|violates|node_modules/;
const CODE = /^HYPERFLEET-[A-Z]{3}-\d{3}$/;

/**
 * Why an answer breaks the pass condition, or undefined: it must be 2xx, or 4xx `application/problem+json`
 * with a HYPERFLEET code, `status` equal to the HTTP status and `trace_id` equal to X-Request-ID; never 5xx;
 * never stack traces, SQL or driver text.
 */
export function answerProblem(res: Response): string | undefined {
  const requestId = res.headers['x-request-id'];
  if (!requestId) return 'no X-Request-ID';
  if (res.status >= 500) return `status ${res.status}`;
  if (LEAK.test(res.text ?? '')) return `leaks internals: ${LEAK.exec(res.text)![0]}`;
  if (res.status >= 200 && res.status < 300) return undefined;
  if (res.status < 400) return `status ${res.status}`;
  if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) return `content-type ${res.headers['content-type']}`;
  const body = res.body as { code?: unknown; status?: unknown; trace_id?: unknown; type?: unknown; title?: unknown; detail?: unknown };
  if (typeof body?.code !== 'string' || !CODE.test(body.code)) return `code ${String(body?.code)}`;
  if (body.status !== res.status) return `problem status ${String(body.status)}`;
  if (body.trace_id !== requestId) return `trace_id ${String(body.trace_id)} is not X-Request-ID ${requestId}`;
  if (typeof body.title !== 'string' || typeof body.detail !== 'string' || typeof body.type !== 'string') return 'problem without type/title/detail';
  return undefined;
}

/** Requests and answers per scenario, for the figures the suite prints at the end. */
export class Tally {
  readonly rows = new Map<string, { tried: number; statuses: Map<number, number>; bad: number }>();

  count(scenario: string, res: Response, bad: boolean): void {
    let row = this.rows.get(scenario);
    if (!row) this.rows.set(scenario, (row = { tried: 0, statuses: new Map(), bad: 0 }));
    row.tried++;
    row.statuses.set(res.status, (row.statuses.get(res.status) ?? 0) + 1);
    if (bad) row.bad++;
  }

  report(title: string, extra: Record<string, unknown> = {}): string {
    const lines = [`${title}`];
    let total = 0;
    let fiveXX = 0;
    for (const [scenario, row] of this.rows) {
      total += row.tried;
      const five = [...row.statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
      fiveXX += five;
      const statuses = [...row.statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${s}:${c}`).join(' ');
      lines.push(`  ${scenario.padEnd(34)} ${String(row.tried).padStart(6)} requests, 5xx ${five}, failed checks ${row.bad}  [${statuses}]`);
    }
    lines.push(`  ${'total'.padEnd(34)} ${String(total).padStart(6)} requests, 5xx ${fiveXX}`);
    for (const [k, v] of Object.entries(extra)) lines.push(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return lines.join('\n');
  }
}
