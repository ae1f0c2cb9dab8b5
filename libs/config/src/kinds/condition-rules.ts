import { Environment, Optional } from '@marcbachmann/cel-js';
import type { Indexed } from './entity-config';
import type { ConditionRule } from './resource-kind';

/*
 * CEL condition mapping (CONTRACT §5.9, D15): the environment every rule is compiled in, and the
 * compilation itself, done once while the kind registry is built so that a rule that does not parse or
 * type-check stops the start-up with the entity, the rule and the position.
 */

/** Longest text `toJson` produces (the original's 1 MiB). */
export const MAX_TO_JSON_BYTES = 1024 * 1024;

/**
 * Parse-time bounds of one expression. cel-js has no run-time cost meter like cel-go's cost limit
 * (10000 in the original), so the size of an expression is bounded instead; with the inputs bounded by
 * the request body limit, so is the work of one evaluation.
 */
export const CEL_LIMITS = { maxAstNodes: 2000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 } as const;

/** The variables of every expression: the adapter statuses (already filtered and masked) and the resource. */
export interface CelActivation {
  readonly statuses: readonly unknown[];
  readonly resource: unknown;
}

/** One compiled expression of a rule. */
export interface CelProgram {
  /** The expression as configured. */
  readonly text: string;
  /** Evaluates it; throws (a cel-js error, or an Error of toJson or dig) when the evaluation fails. */
  evaluate(activation: CelActivation): unknown;
}

/** A mapping rule with its four expressions compiled. */
export interface CompiledConditionRule {
  /** The condition type it produces. */
  readonly type: string;
  readonly when: CelProgram;
  readonly status: CelProgram;
  readonly reason: CelProgram;
  readonly message: CelProgram;
}

/** The expressions of a rule, by the key path the configuration gives them. */
const PARTS = [
  ['when', 'when'],
  ['status', 'output.status'],
  ['reason', 'output.reason'],
  ['message', 'output.message'],
] as const;

/** Result types an expression may have, by part (`dyn` is decided at run time). */
const ALLOWED_TYPES: Record<(typeof PARTS)[number][0], { types: readonly string[]; what: string } | undefined> = {
  when: { types: ['bool', 'dyn'], what: 'a boolean' },
  status: { types: ['string', 'bool', 'dyn'], what: '"True" or "False" (a string, case-insensitive) or a boolean' },
  reason: undefined,
  message: undefined,
};

let environment: Environment | undefined;

/** The environment of every rule (built once): `statuses`, `resource`, `toJson`, `dig`, optional types. */
export function celEnvironment(): Environment {
  environment ??= new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, limits: CEL_LIMITS })
    .registerVariable('statuses', 'list<dyn>')
    .registerVariable('resource', 'dyn')
    .registerFunction('toJson(dyn): string', toJson)
    .registerFunction('dig(dyn, string): dyn', dig);
  return environment;
}

/**
 * Compiles the rules of one kind: each expression is parsed and type-checked in the rule environment,
 * and `when` and `output.status` must be able to give what they are for. Problems go to `problem`
 * prefixed with the rule (`conditions[0] (LandingZoneReady).when: …`), each naming line and column.
 * Returns the rules that compiled, sorted by type: the order mapped conditions are written in (§5.8 B5).
 */
export function compileConditionRules(rules: readonly Indexed<ConditionRule>[], problem: (message: string) => void): CompiledConditionRule[] {
  const compiled: CompiledConditionRule[] = [];
  for (const { index, value: rule } of rules) {
    const programs: Partial<Record<(typeof PARTS)[number][0], CelProgram>> = {};
    for (const [part, key] of PARTS) {
      const at = `conditions[${index}] (${rule.type}).${key}`;
      const result = compileExpression(rule[part]);
      if ('error' in result) {
        problem(`${at}: ${result.error}`);
        continue;
      }
      const allowed = ALLOWED_TYPES[part];
      if (allowed && !allowed.types.includes(result.type)) {
        problem(`${at}: must give ${allowed.what}, but gives ${result.type}`);
        continue;
      }
      programs[part] = result.program;
    }
    if (programs.when && programs.status && programs.reason && programs.message) {
      compiled.push(Object.freeze({ type: rule.type, when: programs.when, status: programs.status, reason: programs.reason, message: programs.message }));
    }
  }
  return compiled.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Parses and type-checks one expression: its program and result type, or what is wrong and where. */
export function compileExpression(text: string): { program: CelProgram; type: string } | { error: string } {
  const env = celEnvironment();
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(text);
  } catch (err) {
    return { error: describeCelError(err, text, 'syntax error') };
  }
  const checked = parsed.check();
  if (!checked.valid) return { error: describeCelError(checked.error, text, checked.error?.name === 'ParseError' ? 'syntax error' : 'type error') };
  const evaluate = (activation: CelActivation): unknown => parsed(activation as unknown as Record<string, unknown>);
  return { program: Object.freeze({ text, evaluate }), type: checked.type ?? 'dyn' };
}

/** `syntax error at line 1, column 33: Unexpected token: RPAREN (near "s.adapter == )")`. */
function describeCelError(err: unknown, text: string, what: string): string {
  const e = err as { summary?: string; message?: string; range?: { start: number }; node?: { pos?: number } } | undefined;
  const summary = e?.summary ?? e?.message ?? String(err);
  const pos = e?.range?.start ?? e?.node?.pos;
  if (typeof pos !== 'number') return `${what}: ${summary}`;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  const near = text.slice(Math.max(0, pos - 20), pos + 20).replace(/\s+/g, ' ').trim();
  return `${what} at line ${line}, column ${column}: ${summary}${near ? ` (near "${near}")` : ''}`;
}

/** Keys in order (as Go's encoding/json writes a map), so that the same data always gives the same text. */
function sortedKeys(entries: [string, unknown][]): Record<string, unknown> {
  const sorted: Record<string, unknown> = Object.create(null);
  for (const [key, item] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) sorted[key] = item;
  return sorted;
}

/** A value as plain JSON data: CEL ints (bigint) as numbers, maps as objects with sorted keys, optionals as their value or null. */
function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(value.toString());
  if (value instanceof Map) return sortedKeys([...value.entries()].map(([k, v]) => [String(k), v]));
  if (value instanceof Optional) return value.hasValue() ? value.value() : null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const entries = Object.entries(value);
    // already in order (the replacer sees the copy it returned again)
    if (entries.every(([k], i) => i === 0 || entries[i - 1][0] < k)) return value;
    return sortedKeys(entries);
  }
  return value;
}

/** `toJson(x)`: x as JSON text with map keys sorted (as the original's Go writes it), at most MAX_TO_JSON_BYTES. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value, jsonReplacer) ?? 'null';
  if (text.length > MAX_TO_JSON_BYTES || Buffer.byteLength(text) > MAX_TO_JSON_BYTES) throw new Error('toJson: output exceeds 1MB limit');
  return text;
}

/**
 * `dig(x, "a.b.0.c")`: the value at a dotted path through maps and lists (a list takes an index), or null
 * when any step is missing; empty steps are skipped, an empty path gives x itself.
 */
export function dig(target: unknown, path: string): unknown {
  let current: unknown = target;
  for (const raw of path.split('.')) {
    const step = raw.trim();
    if (step === '') continue;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step)) return null;
      const index = Number(step);
      if (index >= current.length) return null;
      current = current[index];
    } else if (current instanceof Map) {
      if (!current.has(step)) return null;
      current = current.get(step);
    } else if (current !== null && typeof current === 'object' && !(current instanceof Optional) && !(current instanceof Uint8Array)) {
      if (!Object.hasOwn(current, step)) return null;
      current = (current as Record<string, unknown>)[step];
    } else return null;
  }
  return current === undefined ? null : current;
}
