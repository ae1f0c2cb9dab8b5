import { CelActivation, CompiledConditionRule, ResourceKind, toJson } from '@app/config';
import { Optional } from '@marcbachmann/cel-js';
import type { ResourceCondition, ResourceConditionStatus } from '@app/common';
import { hrefOf } from '@app/persistence';
import type { AdapterCondition, ResourceRecord } from '@app/persistence';

/*
 * CEL condition mapping at run time (CONTRACT §5.9 with D15): the variables every rule sees, and the
 * conditions the rules of a kind produce from them. Pure: the same input gives the same conditions.
 */

/** Reason of a mapped condition whose rule failed to evaluate (D15). */
export const CONDITION_MAPPING_ERROR = 'ConditionMappingError';
/** Longest reason, in UTF-8 bytes: a longer one leaves the condition out. */
export const MAX_REASON_BYTES = 256;
/** Longest message, in UTF-8 bytes: a longer one is cut at a character boundary. */
export const MAX_MESSAGE_BYTES = 2048;
/** Deepest nesting masking walks; deeper values become empty. */
export const MAX_MASK_DEPTH = 20;
/** What a sensitive value is replaced with. */
export const REDACTED = '***REDACTED***';

/** Fragments of a key (lower-cased) that make its value sensitive: the original's list. */
const SENSITIVE_FRAGMENTS = [
  'password',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'sshkey',
  'encryptionkey',
  'accountkey',
  'servicekey',
  'registrykey',
  'signingkey',
  'credential',
  'api_key',
  'passphrase',
  'private',
  'auth',
  'connection',
  'cert',
  'kubeconfig',
  'bearer',
];

/** Keys already judged (the same few keys recur in every report and spec); bounded, cleared when full. */
const judged = new Map<string, boolean>();
const MAX_JUDGED_KEYS = 10_000;

/** Whether a key's value is masked before rules see it (a case-insensitive fragment match). */
export function isSensitiveKey(key: string): boolean {
  let sensitive = judged.get(key);
  if (sensitive === undefined) {
    const lower = key.toLowerCase();
    sensitive = SENSITIVE_FRAGMENTS.some((fragment) => lower.includes(fragment));
    if (judged.size >= MAX_JUDGED_KEYS) judged.clear();
    judged.set(key, sensitive);
  }
  return sensitive;
}

/**
 * A copy of JSON data with the value of every sensitive key replaced by REDACTED, through nested
 * objects and lists; what lies deeper than MAX_MASK_DEPTH becomes an empty object or list.
 */
export function maskSensitive(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return depth >= MAX_MASK_DEPTH ? [] : value.map((item) => maskSensitive(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_MASK_DEPTH) return {};
  // no prototype: a key named __proto__ stays a key
  const masked: Record<string, unknown> = Object.create(null);
  const object = value as Record<string, unknown>;
  for (const key in object) if (Object.hasOwn(object, key)) masked[key] = isSensitiveKey(key) ? REDACTED : maskSensitive(object[key], depth + 1);
  return masked;
}

/** What mapping reads of a resource row: every column the `resource` variable shows. */
export type MappedResource = Pick<ResourceRecord, 'id' | 'generation' | 'updatedTime'> &
  Partial<Pick<ResourceRecord, 'name' | 'spec' | 'createdTime' | 'createdBy' | 'updatedBy' | 'deletedTime' | 'deletedBy' | 'ownerId' | 'href' | 'ownerHref'>>;

/** What mapping reads of an adapter status. */
export interface MappedStatus {
  adapter: string;
  observedGeneration: number;
  conditions: readonly Pick<AdapterCondition, 'type' | 'status' | 'reason' | 'message'>[];
  data?: Record<string, unknown> | null;
}

/**
 * The `resource` variable: the stored row as the original's JSON shows it (its Go field names `ID`,
 * `CreatedTime`, `UpdatedTime`, with `id`, `created_time`, `updated_time` beside them), masked; no labels
 * and no conditions.
 */
export function resourceVariable(kind: ResourceKind, r: MappedResource): unknown {
  const owners = r.ownerId ? [r.ownerId] : [];
  const created = r.createdTime?.toISOString() ?? null;
  const updated = r.updatedTime.toISOString();
  return maskSensitive({
    ID: r.id,
    id: r.id,
    CreatedTime: created,
    created_time: created,
    UpdatedTime: updated,
    updated_time: updated,
    kind: kind.kind,
    name: r.name ?? null,
    href: r.href ?? (kind.parent && !r.ownerId ? null : hrefOf(kind, r.id, owners)),
    spec: r.spec ?? {},
    generation: r.generation,
    created_by: r.createdBy ?? null,
    updated_by: r.updatedBy ?? null,
    deleted_time: r.deletedTime ? r.deletedTime.toISOString() : null,
    deleted_by: r.deletedBy ?? null,
    owner_id: r.ownerId ?? null,
    owner_kind: kind.parent?.kind ?? null,
    owner_href: kind.parent && r.ownerId ? (r.ownerHref ?? hrefOf(kind.parent, r.ownerId)) : null,
  });
}

/**
 * The `statuses` variable: one entry per adapter status that has no condition with status Unknown,
 * `{adapter, observed_generation, conditions: [{type, status, reason, message}], data}`, data masked.
 */
export function statusesVariable(statuses: readonly MappedStatus[]): unknown[] {
  const list: unknown[] = [];
  for (const s of statuses) {
    if (s.conditions.some((c) => c.status === 'Unknown')) continue;
    list.push({
      adapter: s.adapter,
      observed_generation: s.observedGeneration,
      conditions: s.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' })),
      data: maskSensitive(s.data ?? {}),
    });
  }
  return list;
}

/** What the rules of a kind are given. */
export interface MappingInput {
  kind: ResourceKind;
  resource: MappedResource;
  statuses: readonly MappedStatus[];
  /** T_ref: the resource's updated_time (ISO). */
  refTime: string;
  /** The resource's stored conditions (their times are kept where the status is unchanged). */
  previous: readonly ResourceCondition[];
}

/** A rule that failed to evaluate: its condition is written Unknown (D15). */
export interface MappingFailure {
  rule: string;
  /** Which expression failed: `when`, `output.status`, … */
  part: string;
  error: string;
}

/** A rule whose condition was left out or cut because of its output's length. */
export interface MappingNote {
  rule: string;
  what: 'reason_too_long' | 'message_truncated';
}

export interface MappingResult {
  /** The mapped conditions, sorted by type (B5). */
  conditions: ResourceCondition[];
  failures: MappingFailure[];
  notes: MappingNote[];
}

/** A rule's output in words: a string as it is, booleans as True/False, null as empty, anything else as JSON (toJson). */
export function textOf(value: unknown): string {
  if (value instanceof Optional) return value.hasValue() ? textOf(value.value()) : '';
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return toJson(value);
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // back off continuation bytes (10xxxxxx) to the first byte of the character cut in two
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The one-line message of an evaluation error (cel-js errors carry a summary without the source excerpt). */
function errorText(err: unknown): string {
  const e = err as { summary?: string; message?: string };
  return (e?.summary ?? e?.message ?? String(err)).split('\n')[0];
}

/**
 * The conditions the rules of `kind` produce (CONTRACT §5.9, D15), in type order. A rule whose `when`
 * is false produces none; one whose reason is longer than MAX_REASON_BYTES none either; a longer message
 * is cut. A rule that fails to evaluate (an expression throws, `when` is not a boolean, the status is
 * not True or False) produces its condition with status Unknown, reason ConditionMappingError and a
 * message naming the rule, and is listed in `failures`.
 */
export function mapConditions(input: MappingInput): MappingResult {
  const result: MappingResult = { conditions: [], failures: [], notes: [] };
  const rules = input.kind.rules;
  if (rules.length === 0) return result;
  const activation: CelActivation = { statuses: statusesVariable(input.statuses), resource: resourceVariable(input.kind, input.resource) };
  const previous = new Map(input.previous.map((c) => [c.type, c]));
  for (const rule of rules) {
    const outcome = evaluateRule(rule, activation);
    if (outcome === undefined) continue;
    let status: ResourceConditionStatus;
    let reason: string;
    let message: string;
    if ('failure' in outcome) {
      result.failures.push(outcome.failure);
      status = 'Unknown';
      reason = CONDITION_MAPPING_ERROR;
      message = truncateUtf8(`Condition mapping rule '${rule.type}' failed: ${outcome.failure.part}: ${outcome.failure.error}`, MAX_MESSAGE_BYTES);
    } else {
      ({ status, reason, message } = outcome);
      if (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
        result.notes.push({ rule: rule.type, what: 'reason_too_long' });
        continue;
      }
      if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
        result.notes.push({ rule: rule.type, what: 'message_truncated' });
        message = truncateUtf8(message, MAX_MESSAGE_BYTES);
      }
    }
    const before = previous.get(rule.type);
    result.conditions.push({
      type: rule.type,
      status,
      reason,
      message,
      observed_generation: input.resource.generation,
      created_time: before?.created_time || input.refTime,
      last_updated_time: input.refTime,
      last_transition_time: before && before.status === status && before.last_transition_time ? before.last_transition_time : input.refTime,
    });
  }
  return result;
}

type RuleOutcome = { status: 'True' | 'False'; reason: string; message: string } | { failure: MappingFailure } | undefined;

/** One rule: undefined when `when` is false, its outputs, or what failed. */
function evaluateRule(rule: CompiledConditionRule, activation: CelActivation): RuleOutcome {
  const fail = (part: string, error: string): RuleOutcome => ({ failure: { rule: rule.type, part, error } });
  let part = 'when';
  try {
    const when = rule.when.evaluate(activation);
    if (typeof when !== 'boolean') return fail(part, `must give a boolean, but gave ${describeValue(when)}`);
    if (!when) return undefined;
    part = 'output.status';
    const statusText = textOf(rule.status.evaluate(activation));
    const lower = statusText.toLowerCase();
    if (lower !== 'true' && lower !== 'false') return fail(part, `invalid status value '${truncateUtf8(statusText, 64)}' (must be True or False)`);
    part = 'output.reason';
    const reason = textOf(rule.reason.evaluate(activation));
    part = 'output.message';
    const message = textOf(rule.message.evaluate(activation));
    return { status: lower === 'true' ? 'True' : 'False', reason, message };
  } catch (err) {
    return fail(part, errorText(err));
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'bigint' || typeof value === 'number') return 'a number';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : typeof value;
}
