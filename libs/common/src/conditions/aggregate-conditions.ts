// Status aggregation (CONTRACT Part B §5.8 B, Part A D11): derives a resource's conditions
// (Reconciled, LastKnownReconciled, <Adapter>Successful) from its stored adapter statuses.
// Pure and deterministic: every time it produces comes from its input, never from the clock.

/** One condition as reported by an adapter (element of an adapter status's `conditions`). */
export interface ReportedCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** The parts of a stored adapter status that aggregation reads. */
export interface AdapterReport {
  adapter: string;
  observedGeneration: number;
  conditions: ReportedCondition[];
  /** ISO-8601 UTC string, e.g. '2026-11-24T12:00:00.123Z' (the stored last_report_time = observed_time). */
  lastReportTime: string;
}

/**
 * Status of a resource condition: the service's own conditions are True or False; a mapped condition
 * (CEL, §5.9) is Unknown when its rule failed to evaluate (CONTRACT D15).
 */
export type ResourceConditionStatus = 'True' | 'False' | 'Unknown';

/** Wire shape of a resource condition (snake_case, as stored in the resource's `conditions` JSONB). */
export interface ResourceCondition {
  type: string;
  status: ResourceConditionStatus;
  reason?: string;
  message?: string;
  observed_generation: number;
  created_time: string;
  last_updated_time: string;
  last_transition_time: string;
}

/** Everything aggregation depends on; the same input always gives the same conditions. */
export interface AggregationInput {
  /** G, the resource's current generation. */
  generation: number;
  /** T_ref = the resource's updated_time (ISO string); never wall-clock. */
  refTime: string;
  /** R, in configured order (condition order follows it). */
  requiredAdapters: string[];
  /** All stored adapter statuses of the resource (any adapter, any order). */
  statuses: AdapterReport[];
  /** The resource's previously stored conditions ([] for a new resource). */
  previous: ResourceCondition[];
  /** deleted_time is set (marked for deletion). */
  deleting: boolean;
  /** Has child resources not yet removed. */
  hasActiveChildren: boolean;
}

/** Condition type of the aggregated "all adapters at the current generation" signal. */
export const RECONCILED = 'Reconciled';
/** Condition type of the sticky "last generation all adapters agreed on" signal. */
export const LAST_KNOWN_RECONCILED = 'LastKnownReconciled';

const AVAILABLE = 'Available';
const FINALIZED = 'Finalized';

/** A required adapter's usable report (B1). */
interface Snapshot {
  available: boolean;
  finalized: boolean;
  observedGeneration: number;
  observedTime: string;
  reason?: string;
  message?: string;
}

/**
 * Per-adapter condition type: the adapter name split on "-", each part's first letter upper-cased,
 * plus "Successful".
 * `validation` → `ValidationSuccessful`, `gcp-provisioner` → `GcpProvisionerSuccessful`, `dns` → `DnsSuccessful`.
 */
export function adapterConditionType(adapter: string): string {
  const pascal = adapter
    .split('-')
    // Only the first code point changes; the rest is kept as written (like the original).
    .map((part) => {
      const [first = '', ...rest] = part;
      return first.toUpperCase() + rest.join('');
    })
    .join('');
  return `${pascal}Successful`;
}

/** A condition the aggregation computes itself: never Unknown. */
export type AggregatedCondition = ResourceCondition & { status: 'True' | 'False' };

/** Conditions per CONTRACT §5.8 B: [Reconciled, LastKnownReconciled, ...<Adapter>Successful in R order]. */
export function aggregateConditions(input: AggregationInput): AggregatedCondition[] {
  // A repeated name in the configuration must not yield two conditions of one type.
  const required = [...new Set(input.requiredAdapters)];
  const snapshots = takeSnapshots(input.statuses, required, input.generation);
  const previousByType = new Map<string, ResourceCondition>();
  for (const condition of input.previous) previousByType.set(condition.type, condition);

  return [
    reconciled(input, required, snapshots, previousByType.get(RECONCILED)),
    lastKnownReconciled(input, required, snapshots, previousByType.get(LAST_KNOWN_RECONCILED)),
    ...adapterConditions(input, required, snapshots, previousByType),
  ];
}

/** JSON-value equality of two condition lists (used to skip rewriting unchanged conditions, B6). */
export function sameConditions(a: ResourceCondition[], b: ResourceCondition[]): boolean {
  return jsonEqual(a, b);
}

// B1: statuses of adapters in R, not ahead of G, whose Available is True or False.
function takeSnapshots(
  statuses: AdapterReport[],
  required: string[],
  generation: number,
): Map<string, Snapshot> {
  const requiredSet = new Set(required);
  const snapshots = new Map<string, Snapshot>();
  for (const status of statuses) {
    if (!requiredSet.has(status.adapter) || status.observedGeneration > generation) continue;
    const available = status.conditions.find((c) => c.type === AVAILABLE);
    if (!available || (available.status !== 'True' && available.status !== 'False')) continue;
    const finalized = status.conditions.find((c) => c.type === FINALIZED);
    snapshots.set(status.adapter, {
      available: available.status === 'True',
      finalized: finalized?.status === 'True',
      observedGeneration: status.observedGeneration,
      observedTime: status.lastReportTime,
      ...textOf(available),
    });
  }
  return snapshots;
}

// B2
function reconciled(
  input: AggregationInput,
  required: string[],
  snapshots: Map<string, Snapshot>,
  previous: ResourceCondition | undefined,
): AggregatedCondition {
  const { generation, refTime, deleting } = input;
  const met = (s: Snapshot | undefined): boolean =>
    s !== undefined && s.observedGeneration === generation && (deleting ? s.finalized : s.available);

  const allMet = required.length > 0 && required.every((name) => met(snapshots.get(name)));
  const status = allMet && !(deleting && input.hasActiveChildren) ? 'True' : 'False';

  let reason: string;
  let message: string;
  if (status === 'True') {
    reason = 'ReconciledAll';
    message = 'All required adapters reported Available=True or Finalized=True at the current generation';
  } else if (deleting && allMet) {
    reason = 'ReconciledWaitingForChildren';
    message = 'Deletion in progress. All required adapters reported Finalized=True but child resources still exist';
  } else {
    const notReady = required.filter((name) => !met(snapshots.get(name)));
    const reporting = required.filter((name) => snapshots.has(name));
    reason = 'ReconciledMissingAdapters';
    message =
      `Required adapters not reporting ${deleting ? 'Finalized' : 'Available'}=True: ${nameList(notReady)}. ` +
      `Currently reporting: ${nameList(reporting)}`;
  }

  const atGeneration = required
    .map((name) => snapshots.get(name))
    .filter((s): s is Snapshot => s !== undefined && s.observedGeneration === generation)
    .map((s) => s.observedTime);
  const lastUpdatedTime = earliest(atGeneration) ?? refTime;

  let lastTransitionTime: string;
  if (!previous) lastTransitionTime = lastUpdatedTime;
  else if (previous.status === status) lastTransitionTime = previous.last_transition_time;
  // A spec change invalidates a True result at the moment of the change, not when adapters report.
  else if (previous.status === 'True' && generation > previous.observed_generation) lastTransitionTime = refTime;
  else lastTransitionTime = lastUpdatedTime;

  return {
    type: RECONCILED,
    status,
    reason,
    message,
    observed_generation: generation,
    created_time: previous?.created_time || refTime,
    last_updated_time: lastUpdatedTime,
    last_transition_time: lastTransitionTime,
  };
}

// B3: stays True across a generation bump until an adapter reports Available=False at the tracked generation.
function lastKnownReconciled(
  input: AggregationInput,
  required: string[],
  snapshots: Map<string, Snapshot>,
  previous: ResourceCondition | undefined,
): AggregatedCondition {
  const { refTime } = input;
  const reported = required.map((name) => snapshots.get(name));
  const present = reported.filter((s): s is Snapshot => s !== undefined);
  const missing = required.length === 0 || present.length < required.length;
  const allTrue = !missing && present.every((s) => s.available);
  const mixed = allTrue && present.some((s) => s.observedGeneration !== present[0].observedGeneration);
  const wasTrue = previous?.status === 'True';
  const anyFalse = present.some((s) => !s.available);

  let isTrue: boolean;
  if (missing) isTrue = false;
  // Mixed generations only keep a True that was already established.
  else if (allTrue) isTrue = !mixed || wasTrue;
  else {
    const trackedGeneration = previous?.observed_generation;
    isTrue = wasTrue && !present.some((s) => !s.available && s.observedGeneration === trackedGeneration);
  }
  const status = isTrue ? 'True' : 'False';

  let observedGeneration: number;
  if (required.length === 0) observedGeneration = 1;
  else if (isTrue && allTrue && !mixed) observedGeneration = present[0].observedGeneration;
  else if (isTrue) observedGeneration = previous?.observed_generation ?? 1;
  else {
    // Generations are ≥ 1, so a maximum of 0 means "no snapshot" (as in the original).
    const highest = Math.max(0, ...present.map((s) => s.observedGeneration));
    observedGeneration = highest > 0 ? highest : (previous?.observed_generation ?? 1);
  }

  let lastUpdatedTime: string;
  if (required.length === 0) lastUpdatedTime = refTime;
  else if (allTrue && !mixed) lastUpdatedTime = earliest(present.map((s) => s.observedTime)) ?? refTime;
  else if (!isTrue && present.some((s) => !s.available && s.observedGeneration === observedGeneration)) {
    const atTracked = present.filter((s) => s.observedGeneration === observedGeneration).map((s) => s.observedTime);
    lastUpdatedTime = earliest(atTracked) ?? refTime;
  } else lastUpdatedTime = previous?.last_updated_time ?? refTime;

  const lastTransitionTime =
    previous && previous.status === status ? previous.last_transition_time : lastUpdatedTime;

  let reason: string;
  let message: string;
  if (isTrue) {
    reason = 'AllAdaptersReconciled';
    message = 'All required adapters report Available=True for the tracked generation';
  } else if (missing) {
    reason = 'AdaptersMissingReports';
    message = 'Required adapters have not yet reported status';
  } else if (anyFalse) {
    reason = 'AdapterReportedNotAvailable';
    message = 'One or more required adapters report Available=False';
  } else {
    reason = 'AdaptersNotAtSameGeneration';
    message = 'Required adapters do not report a consistent Available state';
  }

  return {
    type: LAST_KNOWN_RECONCILED,
    status,
    reason,
    message,
    observed_generation: observedGeneration,
    created_time: previous?.created_time || refTime,
    last_updated_time: lastUpdatedTime,
    last_transition_time: lastTransitionTime,
  };
}

// B4: one condition per required adapter with a snapshot, in R order; other adapters never appear.
function adapterConditions(
  input: AggregationInput,
  required: string[],
  snapshots: Map<string, Snapshot>,
  previousByType: Map<string, ResourceCondition>,
): AggregatedCondition[] {
  const conditions: AggregatedCondition[] = [];
  for (const name of required) {
    const snapshot = snapshots.get(name);
    if (!snapshot) continue;
    const type = adapterConditionType(name);
    const previous = previousByType.get(type);
    const status = snapshot.available ? 'True' : 'False';
    conditions.push({
      type,
      status,
      ...textOf(snapshot),
      observed_generation: snapshot.observedGeneration,
      created_time: previous?.created_time || input.refTime,
      last_updated_time: snapshot.observedTime,
      last_transition_time:
        previous && previous.status === status ? previous.last_transition_time : snapshot.observedTime,
    });
  }
  return conditions;
}

// reason/message only when present, so no key ever holds undefined.
function textOf(source: { reason?: string; message?: string }): { reason?: string; message?: string } {
  return {
    ...(source.reason !== undefined && { reason: source.reason }),
    ...(source.message !== undefined && { message: source.message }),
  };
}

// Sorted names as the original prints them: "[a, b]".
function nameList(names: string[]): string {
  return `[${[...names].sort().join(', ')}]`;
}

// The earliest instant, returned as the caller's original string; the first wins a tie.
function earliest(times: string[]): string | undefined {
  let best: string | undefined;
  let bestMs = Number.POSITIVE_INFINITY;
  for (const time of times) {
    const ms = Date.parse(time);
    if (best === undefined || ms < bestMs) {
      best = time;
      // An unparsable time never beats a parsable one.
      bestMs = Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
    }
  }
  return best;
}

// Equality of JSON values: key order and undefined-valued keys do not matter, array order does.
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => jsonEqual(value, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((k) => left[k] !== undefined);
  const rightKeys = Object.keys(right).filter((k) => right[k] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((k) => Object.hasOwn(right, k) && jsonEqual(left[k], right[k]));
}
