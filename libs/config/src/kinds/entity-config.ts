import { ADAPTER_NAME } from '../config.schema';
import { ConditionRule, DeletePolicy, EntityConfig, ReferenceType } from './resource-kind';

/** The keys of an `entities[]` entry (the original's); any other key is an error. */
export const ENTITY_KEYS = ['kind', 'plural', 'parent_kind', 'on_parent_delete', 'spec_schema_name', 'require_spec_schema', 'required_adapters', 'references', 'conditions', 'name_min_len', 'name_max_len'] as const;
const REFERENCE_KEYS = ['ref_type', 'target_kind', 'min', 'max'] as const;
const CONDITION_KEYS = ['type', 'when', 'output'] as const;
const OUTPUT_KEYS = ['status', 'reason', 'message'] as const;
const EXPRESSION_KEYS = ['expression'] as const;

// Kinds and plurals end up in SQL literals, schema names and URLs: a closed alphabet and PostgreSQL's identifier length.
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const PLURAL = /^[a-z][a-z0-9-]*$/;
const REF_TYPE = /^[a-z][a-z0-9_]*$/;
const SCHEMA_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const MAX_KIND_LENGTH = 63;
const MAX_PLURAL_LENGTH = 63;
/** Longest condition type of a mapping rule (the original's limit). */
export const MAX_CONDITION_TYPE_LENGTH = 100;
/** Longest name a kind may allow (a DNS subdomain). */
export const MAX_NAME_LENGTH = 253;

/** Plurals that would shadow a route of the API, with the route they would shadow. */
const RESERVED_PLURALS: ReadonlyMap<string, string> = new Map([
  ['resources', 'the generic /resources API'],
  ['openapi', 'the OpenAPI document'],
  ['openapi.html', 'Swagger UI'],
  ['openapi.yaml', 'the OpenAPI document'],
  // a child kind's collection under its parent would collide with the parent item's own sub-routes
  ['statuses', "every item's adapter status routes"],
  ['force-delete', "every item's force-delete route"],
]);

/** A value found at `index` that was an entry of one kind's `references` or `conditions`. */
export interface Indexed<T> {
  readonly index: number;
  readonly value: T;
}

/**
 * One `entities[]` entry after its own checks: only values that passed them are set, and `given`
 * holds every key the entry gave (null counts as not given), so later checks neither repeat a problem
 * nor call a key missing that was merely wrong.
 */
export interface EntityDraft {
  readonly index: number;
  /** `entities[3] (Version)`, or `entities[3]` while the kind is unknown: the prefix of every problem. */
  readonly where: string;
  readonly given: ReadonlySet<string>;
  readonly kind?: string;
  readonly plural?: string;
  readonly parentKind?: string;
  readonly onParentDelete?: DeletePolicy;
  readonly specSchemaName?: string;
  readonly requireSpecSchema?: boolean;
  readonly requiredAdapters?: readonly string[];
  readonly references?: readonly Indexed<ReferenceType>[];
  readonly conditions?: readonly Indexed<ConditionRule>[];
  readonly nameMin?: number;
  readonly nameMax?: number;
}

/**
 * `entities` as given: a YAML list, or JSON text (environment variable). Only the list itself is
 * checked here; buildKindRegistry checks every entry, so each problem names its index and key.
 */
export const entityList = (raw: unknown): EntityConfig[] | undefined => {
  let items = raw;
  if (typeof raw === 'string') {
    try {
      items = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  return Array.isArray(items) ? (items as EntityConfig[]) : undefined;
};

/** A value as a problem message shows it: strings quoted, anything else as (clipped) JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 80)}…` : value}'`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const given = (value: unknown): boolean => value !== undefined && value !== null;
const typeName = (value: unknown): string => (Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

/** Checks one raw entry on its own (types, patterns, uniqueness within the entry); problems go to `problems`. */
export function readEntity(raw: unknown, index: number, problems: string[]): EntityDraft | undefined {
  if (!isObject(raw)) {
    problems.push(`entities[${index}]: must be an object with kind, plural, … (got ${typeName(raw)})`);
    return undefined;
  }
  const kind = readKind(raw.kind, index, problems);
  const where = kind === undefined ? `entities[${index}]` : `entities[${index}] (${kind})`;
  const problem = (message: string) => problems.push(`${where}: ${message}`);
  for (const key of Object.keys(raw)) if (!(ENTITY_KEYS as readonly string[]).includes(key)) problem(`unknown key '${key}' (known: ${ENTITY_KEYS.join(', ')})`);

  const text = (key: string, check: (value: string) => string | undefined): string | undefined => {
    const value = raw[key];
    if (!given(value)) return undefined;
    if (typeof value !== 'string') {
      problem(`${key} must be a string (got ${typeName(value)})`);
      return undefined;
    }
    const bad = check(value);
    if (bad) problem(bad);
    return bad ? undefined : value;
  };

  const plural = text('plural', (value) => {
    const reserved = RESERVED_PLURALS.get(value);
    if (reserved) return `plural ${show(value)} is reserved (${reserved})`;
    if (!PLURAL.test(value)) return `plural ${show(value)} must be lowercase letters, digits and hyphens, starting with a letter`;
    if (value.length > MAX_PLURAL_LENGTH) return `plural must be at most ${MAX_PLURAL_LENGTH} characters (got ${value.length})`;
    return undefined;
  });
  const parentKind = text('parent_kind', (value) => (value === '' ? 'parent_kind must not be empty (leave it out for a kind without parent)' : undefined));
  const onParentDelete = text('on_parent_delete', (value) => (value === 'restrict' || value === 'cascade' ? undefined : `on_parent_delete ${show(value)} must be restrict or cascade`)) as DeletePolicy | undefined;
  const specSchemaName = text('spec_schema_name', (value) => (SCHEMA_NAME.test(value) ? undefined : `spec_schema_name ${show(value)} must be letters, digits, '_', '.' and '-', starting with a letter`));

  let requireSpecSchema: boolean | undefined;
  if (given(raw.require_spec_schema)) {
    if (typeof raw.require_spec_schema === 'boolean') requireSpecSchema = raw.require_spec_schema;
    else problem(`require_spec_schema must be true or false (got ${show(raw.require_spec_schema)})`);
  }

  const nameLength = (key: string): number | undefined => {
    const value = raw[key];
    if (!given(value)) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_NAME_LENGTH) return value;
    problem(`${key} must be an integer from 1 to ${MAX_NAME_LENGTH} (got ${show(value)})`);
    return undefined;
  };
  const nameMin = nameLength('name_min_len');
  const nameMax = nameLength('name_max_len');

  return {
    index,
    where,
    given: new Set(Object.keys(raw).filter((key) => given(raw[key]))),
    kind,
    plural,
    parentKind,
    onParentDelete,
    specSchemaName,
    requireSpecSchema,
    nameMin,
    nameMax,
    requiredAdapters: given(raw.required_adapters) ? readAdapters(raw.required_adapters, problem) : undefined,
    references: given(raw.references) ? readReferences(raw.references, problem) : undefined,
    conditions: given(raw.conditions) ? readConditions(raw.conditions, problem) : undefined,
  };
}

function readKind(value: unknown, index: number, problems: string[]): string | undefined {
  const problem = (message: string) => problems.push(`entities[${index}]: ${message}`);
  if (!given(value)) problem('kind is required');
  else if (typeof value !== 'string') problem(`kind must be a string (got ${typeName(value)})`);
  else if (!KIND.test(value)) problem(`kind ${show(value)} must be PascalCase: a capital letter, then letters and digits`);
  else if (value.length > MAX_KIND_LENGTH) problem(`kind must be at most ${MAX_KIND_LENGTH} characters (got ${value.length})`);
  else return value;
  return undefined;
}

function readAdapters(value: unknown, problem: (message: string) => void): string[] | undefined {
  if (!Array.isArray(value)) {
    problem(`required_adapters must be a list of adapter names (got ${typeName(value)})`);
    return undefined;
  }
  const adapters: string[] = [];
  value.forEach((name, i) => {
    if (typeof name !== 'string' || !ADAPTER_NAME.test(name)) problem(`required_adapters[${i}] ${show(name)} is not an adapter name (lowercase letters, digits and inner hyphens)`);
    else if (adapters.includes(name)) problem(`required_adapters[${i}] '${name}' is listed twice`);
    else adapters.push(name);
  });
  return adapters.length === value.length ? adapters : undefined;
}

/** Unknown keys of a nested object, as problems under `path`. */
function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: string, problem: (message: string) => void): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) problem(`${path}: unknown key '${key}' (known: ${known.join(', ')})`);
}

function readReferences(value: unknown, problem: (message: string) => void): Indexed<ReferenceType>[] {
  if (!Array.isArray(value)) {
    problem(`references must be a list of {ref_type, target_kind, min, max} (got ${typeName(value)})`);
    return [];
  }
  const references: Indexed<ReferenceType>[] = [];
  const refTypes = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const path = `references[${i}]`;
    if (!isObject(entry)) {
      problem(`${path} must be an object with ref_type, target_kind, min and max (got ${typeName(entry)})`);
      return;
    }
    unknownKeys(entry, REFERENCE_KEYS, path, problem);
    let ok = true;
    const bad = (message: string) => {
      problem(`${path}.${message}`);
      ok = false;
    };

    const refType = entry.ref_type;
    if (!given(refType)) bad('ref_type is required');
    else if (typeof refType !== 'string' || !REF_TYPE.test(refType)) bad(`ref_type ${show(refType)} must be lowercase letters, digits and '_', starting with a letter`);
    else if (refTypes.has(refType)) bad(`ref_type '${refType}' is declared twice`);
    else refTypes.add(refType);

    const targetKind = entry.target_kind;
    if (!given(targetKind)) bad('target_kind is required');
    else if (typeof targetKind !== 'string') bad(`target_kind must be a kind name (got ${typeName(targetKind)})`);

    const min = given(entry.min) ? entry.min : 0;
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 0) bad(`min must be an integer ≥ 0 (got ${show(min)})`);
    const max = given(entry.max) ? entry.max : undefined;
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) bad(`max must be an integer ≥ 1, or left out for no limit (got ${show(max)})`);
    else if (ok && max !== undefined && (max as number) < (min as number)) bad(`max (${String(max)}) must be at least min (${String(min)})`);

    if (ok) {
      const ref: ReferenceType = { refType: refType as string, targetKind: targetKind as string, min: min as number, ...(max !== undefined ? { max: max as number } : {}) };
      references.push({ index: i, value: ref });
    }
  });
  return references;
}

function readConditions(value: unknown, problem: (message: string) => void): Indexed<ConditionRule>[] {
  if (!Array.isArray(value)) {
    problem(`conditions must be a list of {type, when, output} rules (got ${typeName(value)})`);
    return [];
  }
  const rules: Indexed<ConditionRule>[] = [];
  const types = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const path = `conditions[${i}]`;
    if (!isObject(entry)) {
      problem(`${path} must be an object with type, when and output (got ${typeName(entry)})`);
      return;
    }
    unknownKeys(entry, CONDITION_KEYS, path, problem);
    let ok = true;
    const bad = (message: string) => {
      problem(message);
      ok = false;
    };

    const type = entry.type;
    if (!given(type) || (typeof type === 'string' && type.trim() === '')) bad(`${path}.type is required (a non-empty condition type)`);
    else if (typeof type !== 'string') bad(`${path}.type must be a string (got ${typeName(type)})`);
    else if (type.length > MAX_CONDITION_TYPE_LENGTH) bad(`${path}.type must be at most ${MAX_CONDITION_TYPE_LENGTH} characters (got ${type.length})`);
    else if (types.has(type)) bad(`${path}.type '${type}' is declared twice`);
    else types.add(type);

    // `{expression: <text>}` at `at`; undefined (after reporting) unless it holds a non-empty string
    const expression = (holder: unknown, at: string): string | undefined => {
      if (!isObject(holder)) {
        bad(given(holder) ? `${at} must be an object with expression (got ${typeName(holder)})` : `${at}.expression is required (a non-empty CEL expression)`);
        return undefined;
      }
      unknownKeys(holder, EXPRESSION_KEYS, at, problem);
      const text = holder.expression;
      if (typeof text === 'string' && text.trim() !== '') return text;
      bad(given(text) && typeof text !== 'string' ? `${at}.expression must be a string (got ${typeName(text)})` : `${at}.expression is required (a non-empty CEL expression)`);
      return undefined;
    };

    const when = expression(entry.when, `${path}.when`);
    const output = entry.output;
    let status: string | undefined, reason: string | undefined, message: string | undefined;
    if (!isObject(output)) bad(given(output) ? `${path}.output must be an object with status, reason and message (got ${typeName(output)})` : `${path}.output is required (status, reason and message expressions)`);
    else {
      unknownKeys(output, OUTPUT_KEYS, `${path}.output`, problem);
      status = expression(output.status, `${path}.output.status`);
      reason = expression(output.reason, `${path}.output.reason`);
      message = expression(output.message, `${path}.output.message`);
    }
    if (ok) rules.push({ index: i, value: { type: type as string, when: when!, status: status!, reason: reason!, message: message! } });
  });
  return rules;
}
