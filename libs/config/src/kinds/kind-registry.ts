import { ConfigError } from '../config-error';
import { compileConditionRules, CompiledConditionRule } from './condition-rules';
import { BUILT_IN_KINDS, BuiltInKind, DEFAULT_NAME_MAX, DEFAULT_NAME_MIN, SHARED_STORAGE } from './built-in-kinds';
import { EntityDraft, Indexed, readEntity, show } from './entity-config';
import { ConditionRule, DeletePolicy, EntityConfig, KindStorage, ReferenceType, ResourceKind } from './resource-kind';

/**
 * The kinds the service serves (CONTRACT D13), built once at start-up by buildKindRegistry: the only
 * place that knows which kinds exist. Its descriptors are deeply frozen.
 */
export class KindRegistry {
  private readonly kinds: readonly ResourceKind[];
  private readonly byKind: ReadonlyMap<string, ResourceKind>;
  private readonly byPluralName: ReadonlyMap<string, ResourceKind>;
  private readonly rootKinds: readonly ResourceKind[];

  /** Use buildKindRegistry; `kinds` must be complete, consistent and frozen. */
  constructor(kinds: readonly ResourceKind[]) {
    this.kinds = Object.freeze([...kinds]);
    this.byKind = new Map(kinds.map((k) => [k.kind, k]));
    this.byPluralName = new Map(kinds.map((k) => [k.plural, k]));
    this.rootKinds = Object.freeze(kinds.filter((k) => k.parent === undefined));
    Object.freeze(this);
  }

  /** Every kind, built-ins first (Cluster, NodePool), then the configured ones in config order. */
  all(): readonly ResourceKind[] {
    return this.kinds;
  }

  /** The kind of that exact name (case-sensitive), if declared. */
  get(kind: string): ResourceKind | undefined {
    return this.byKind.get(kind);
  }

  /** The kind served under that URL segment, if any. */
  byPlural(plural: string): ResourceKind | undefined {
    return this.byPluralName.get(plural);
  }

  /** Kinds without a parent. */
  roots(): readonly ResourceKind[] {
    return this.rootKinds;
  }
}

/** Condition types the service computes itself (CONTRACT §5.8), which no mapping rule may produce. */
const SERVICE_CONDITION_TYPES = ['Reconciled', 'LastKnownReconciled'];

/**
 * The condition a required adapter's reports produce: the name split on '-', each part's first letter
 * upper-cased, plus 'Successful' (`gcp-provisioner` → `GcpProvisionerSuccessful`). The same rule as
 * adapterConditionType in libs/common/src/conditions/aggregate-conditions.ts, written again here
 * because libs/config must not import libs/common; keep the two in step.
 */
export function adapterConditionType(adapter: string): string {
  const pascal = adapter
    .split('-')
    .map((part) => {
      const [first = '', ...rest] = part;
      return first.toUpperCase() + rest.join('');
    })
    .join('');
  return `${pascal}Successful`;
}

/** A kind while the registry is being checked: defaults merged with its entry, not yet linked. */
interface Candidate {
  where: string;
  kind: string;
  plural?: string;
  parentKind?: string;
  onParentDelete: DeletePolicy;
  specSchemaName: string;
  requireSpecSchema: boolean;
  requiredAdapters: readonly string[];
  nameMin: number;
  nameMax: number;
  nameMaxGiven: boolean;
  references: readonly Indexed<ReferenceType>[];
  conditions: readonly Indexed<ConditionRule>[];
  storage: KindStorage;
  builtIn?: BuiltInKind;
  /** The config entry, once one declared this kind. */
  entry?: EntityDraft;
}

/**
 * Builds the registry from the `entities` list: Cluster and NodePool are always declared (an entry for
 * either overrides its settings, not its plural or parent), every other kind comes from its entry and
 * lives in the shared `resources` table. `adapterOverrides` (`adapters.cluster` / `adapters.nodepool`)
 * replace the required adapters of those kinds, also over their entries.
 * Throws ConfigError listing every problem, each naming the entry and the key.
 */
export function buildKindRegistry(entities: readonly EntityConfig[], adapterOverrides: { Cluster?: string[]; NodePool?: string[] } = {}): KindRegistry {
  const problems: string[] = [];
  if (!Array.isArray(entities)) throw new ConfigError([`entities: must be a list of entity objects (got ${show(entities)})`]);
  const drafts = entities.map((raw, i) => readEntity(raw, i, problems)).filter((d) => d !== undefined);
  const report = (where: string, message: string) => problems.push(`${where}: ${message}`);

  const declared = new Map<string, Candidate>();
  const byLowerCase = new Map<string, Candidate>();
  const declare = (candidate: Candidate) => {
    declared.set(candidate.kind, candidate);
    byLowerCase.set(candidate.kind.toLowerCase(), candidate);
  };
  for (const builtIn of BUILT_IN_KINDS) declare(fromBuiltIn(builtIn));

  for (const draft of drafts) {
    if (draft.kind === undefined) continue;
    const existing = declared.get(draft.kind);
    if (existing?.builtIn && !existing.entry) mergeIntoBuiltIn(existing, existing.builtIn, draft, report);
    else if (existing) report(draft.where, `kind '${draft.kind}' is already declared by ${existing.where}`);
    else if (byLowerCase.has(draft.kind.toLowerCase())) {
      // one path parameter name (`<kind lower-cased>_id`) would stand for both
      const other = byLowerCase.get(draft.kind.toLowerCase())!;
      report(draft.where, `kind '${draft.kind}' differs from '${other.kind}' (${other.where}) only in case`);
    } else {
      if (!draft.given.has('plural')) report(draft.where, 'plural is required');
      declare(fromEntry(draft));
    }
  }
  const candidates = [...declared.values()];

  for (const [kind, adapters] of Object.entries(adapterOverrides)) {
    const candidate = declared.get(kind);
    if (candidate && adapters) candidate.requiredAdapters = adapters;
  }

  const plurals = new Map<string, Candidate>();
  for (const c of candidates) {
    if (c.plural === undefined) continue;
    const other = plurals.get(c.plural);
    if (other) report(c.where, `plural '${c.plural}' is already used by ${other.kind} (${other.where})`);
    else plurals.set(c.plural, c);
  }

  for (const c of candidates) {
    if (c.parentKind !== undefined && !declared.has(c.parentKind)) report(c.where, `parent_kind '${c.parentKind}' is not a declared kind`);
    if (c.parentKind === undefined && c.entry?.onParentDelete !== undefined) report(c.where, 'on_parent_delete must not be given without parent_kind');
    if (c.nameMin > c.nameMax) report(c.where, `name_min_len (${c.nameMin}) must not exceed name_max_len (${c.nameMax}${c.nameMaxGiven ? '' : ', the default'})`);
    for (const { index, value: ref } of c.references) {
      if (!declared.has(ref.targetKind)) report(c.where, `references[${index}].target_kind '${ref.targetKind}' is not a declared kind`);
    }
  }
  checkOwnershipCycles(candidates, declared, report);
  checkRequiredReferenceCycles(candidates, declared, report);
  checkConditionTypes(candidates, report);
  const rules = new Map(candidates.map((c) => [c.kind, compileConditionRules(c.conditions, (message) => report(c.where, message))]));

  if (problems.length) throw new ConfigError(sortByEntry(problems));
  return new KindRegistry(link(candidates, rules));
}

/** Problems in config order (a stable sort, so each entry's keep the order they were found in). */
function sortByEntry(problems: string[]): string[] {
  const entry = (problem: string) => Number(/^entities\[(\d+)\]/.exec(problem)?.[1] ?? -1);
  return [...problems].sort((a, b) => entry(a) - entry(b));
}

function fromBuiltIn(builtIn: BuiltInKind): Candidate {
  return {
    where: `${builtIn.kind} (built-in)`,
    kind: builtIn.kind,
    plural: builtIn.plural,
    parentKind: builtIn.parentKind,
    onParentDelete: builtIn.onParentDelete,
    specSchemaName: `${builtIn.kind}Spec`,
    requireSpecSchema: false,
    requiredAdapters: builtIn.requiredAdapters,
    nameMin: builtIn.nameMin,
    nameMax: builtIn.nameMax,
    nameMaxGiven: false,
    references: [],
    conditions: [],
    storage: builtIn.storage,
    builtIn,
  };
}

function fromEntry(draft: EntityDraft): Candidate {
  const kind = draft.kind!;
  return {
    where: draft.where,
    kind,
    plural: draft.plural,
    parentKind: draft.parentKind,
    onParentDelete: draft.onParentDelete ?? 'cascade',
    specSchemaName: draft.specSchemaName ?? `${kind}Spec`,
    requireSpecSchema: draft.requireSpecSchema ?? false,
    requiredAdapters: draft.requiredAdapters ?? [],
    nameMin: draft.nameMin ?? DEFAULT_NAME_MIN,
    nameMax: draft.nameMax ?? DEFAULT_NAME_MAX,
    nameMaxGiven: draft.nameMax !== undefined,
    references: draft.references ?? [],
    conditions: draft.conditions ?? [],
    storage: SHARED_STORAGE,
    entry: draft,
  };
}

/** An entry for a built-in kind: its settings win, except the plural and parent its table fixes. */
function mergeIntoBuiltIn(c: Candidate, builtIn: BuiltInKind, draft: EntityDraft, report: (where: string, message: string) => void): void {
  c.where = draft.where;
  c.entry = draft;
  if (draft.plural !== undefined && draft.plural !== builtIn.plural) {
    report(draft.where, `plural '${draft.plural}' must be '${builtIn.plural}': ${builtIn.kind} lives in its own table, which fixes its plural`);
  }
  if (draft.parentKind !== undefined && draft.parentKind !== builtIn.parentKind) {
    report(
      draft.where,
      builtIn.parentKind === undefined
        ? `parent_kind must not be given: ${builtIn.kind} lives in its own table and has no parent`
        : `parent_kind '${draft.parentKind}' must be '${builtIn.parentKind}': ${builtIn.kind} lives in its own table, which fixes its parent`,
    );
  }
  c.onParentDelete = draft.onParentDelete ?? c.onParentDelete;
  c.specSchemaName = draft.specSchemaName ?? c.specSchemaName;
  c.requireSpecSchema = draft.requireSpecSchema ?? c.requireSpecSchema;
  c.requiredAdapters = draft.requiredAdapters ?? c.requiredAdapters;
  c.nameMin = draft.nameMin ?? c.nameMin;
  c.nameMax = draft.nameMax ?? c.nameMax;
  c.nameMaxGiven = draft.nameMax !== undefined;
  c.references = draft.references ?? c.references;
  c.conditions = draft.conditions ?? c.conditions;
}

/** A kind cannot be its own ancestor; each cycle is reported once, at its first kind in config order. */
function checkOwnershipCycles(candidates: Candidate[], declared: ReadonlyMap<string, Candidate>, report: (where: string, message: string) => void): void {
  const reported = new Set<string>();
  for (const c of candidates) {
    if (reported.has(c.kind)) continue;
    const chain = [c.kind];
    let ancestor = c.parentKind === undefined ? undefined : declared.get(c.parentKind);
    while (ancestor && !chain.includes(ancestor.kind)) {
      chain.push(ancestor.kind);
      ancestor = ancestor.parentKind === undefined ? undefined : declared.get(ancestor.parentKind);
    }
    // an ancestor seen before but other than `c` means `c` only leads into a cycle reported at its own kinds
    if (ancestor?.kind !== c.kind) continue;
    for (const kind of chain) reported.add(kind);
    report(c.where, `parent_kind '${c.parentKind}' makes an ownership cycle ${[...chain, c.kind].join(' → ')} (a kind cannot be its own ancestor)`);
  }
}

/** Kinds that require references to each other in a ring could never be created: depth-first search for back edges. */
function checkRequiredReferenceCycles(candidates: Candidate[], declared: ReadonlyMap<string, Candidate>, report: (where: string, message: string) => void): void {
  const state = new Map<string, 'open' | 'done'>();
  const path: Candidate[] = [];
  const visit = (c: Candidate) => {
    state.set(c.kind, 'open');
    path.push(c);
    for (const { value: ref } of c.references) {
      const target = declared.get(ref.targetKind);
      if (ref.min === 0 || !target) continue;
      if (state.get(target.kind) === 'open') {
        const ring = path.slice(path.indexOf(target));
        report(target.where, `circular required references ${[...ring, target].map((k) => k.kind).join(' → ')} (min > 0 on each: none of them could be created first)`);
      } else if (!state.has(target.kind)) visit(target);
    }
    path.pop();
    state.set(c.kind, 'done');
  };
  for (const c of candidates) if (!state.has(c.kind)) visit(c);
}

/** Mapping rules may not produce the conditions the service computes: Reconciled, LastKnownReconciled and every `<Adapter>Successful`. */
function checkConditionTypes(candidates: Candidate[], report: (where: string, message: string) => void): void {
  const reserved = new Map<string, string>(SERVICE_CONDITION_TYPES.map((type) => [type, 'computed by the service']));
  for (const c of candidates) {
    for (const adapter of c.requiredAdapters) {
      const type = adapterConditionType(adapter);
      if (!reserved.has(type)) reserved.set(type, `the condition of required adapter '${adapter}' of ${c.kind}`);
    }
  }
  for (const c of candidates) {
    for (const { index, value: rule } of c.conditions) {
      const why = reserved.get(rule.type);
      if (why) report(c.where, `conditions[${index}].type '${rule.type}' is reserved (${why})`);
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the descriptors, links parents, children and referrers (a cyclic graph), then freezes everything. */
function link(candidates: Candidate[], rules: ReadonlyMap<string, readonly CompiledConditionRule[]>): ResourceKind[] {
  const children = new Map<string, ResourceKind[]>();
  const referencedBy = new Map<string, { readonly kind: ResourceKind; readonly ref: ReferenceType }[]>();
  const kinds = candidates.map((c): Mutable<ResourceKind> => {
    children.set(c.kind, []);
    referencedBy.set(c.kind, []);
    return {
      kind: c.kind,
      plural: c.plural!,
      listKind: `${c.kind}List`,
      idParam: `${c.kind.toLowerCase()}_id`,
      onParentDelete: c.onParentDelete,
      children: children.get(c.kind)!,
      requiredAdapters: Object.freeze([...c.requiredAdapters]),
      nameMin: c.nameMin,
      nameMax: c.nameMax,
      references: Object.freeze(c.references.map(({ value }) => Object.freeze({ ...value }))),
      referencedBy: referencedBy.get(c.kind)!,
      specSchemaName: c.specSchemaName,
      requireSpecSchema: c.requireSpecSchema,
      conditions: Object.freeze(c.conditions.map(({ value }) => Object.freeze({ ...value }))),
      rules: Object.freeze([...rules.get(c.kind)!]),
      storage: c.storage,
      builtIn: c.builtIn !== undefined,
    };
  });
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  candidates.forEach((c, i) => {
    const kind = kinds[i];
    if (c.parentKind !== undefined) {
      kind.parent = byKind.get(c.parentKind)!;
      children.get(c.parentKind)!.push(kind);
    }
    for (const ref of kind.references) referencedBy.get(ref.targetKind)!.push(Object.freeze({ kind, ref }));
  });
  for (const kind of kinds) {
    Object.freeze(kind.children);
    Object.freeze(kind.referencedBy);
    Object.freeze(kind);
  }
  return kinds;
}
