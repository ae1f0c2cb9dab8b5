import type { ResourceKind } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { aggregateConditions, AdapterReport, LOGGER, Logger, RECONCILED, ResourceCondition, sameConditions } from '@app/common';
import { AdapterStatus, WriteSession } from '@app/persistence';
import { MetricsService } from '../observability/metrics.service';
import { CONDITION_MAPPING_ERROR, MappedResource, mapConditions, MappingFailure, MappingNote } from './condition-mapper';

/** What the aggregation reads of a resource: for a kind with mapping rules, every column the `resource` variable shows. */
export type ConditionsOwner = MappedResource & { conditions: ResourceCondition[]; deletedTime: Date | null };

/** Recomputed conditions: the new list when it differs from the stored one (else undefined), and what to report once it committed. */
export interface Recomputed {
  next?: ResourceCondition[];
  /** Reconciled turned False (CONTRACT §5.8 B8): counted once the write has committed (`afterCommit`). */
  started: boolean;
  /** Mapping rules that failed to evaluate (D15): logged and counted once the write has committed. */
  failures?: MappingFailure[];
  /** Mapped conditions left out or cut for their length. */
  notes?: MappingNote[];
}

/** Most (resource, rule) pairs whose last logged failure is remembered, so that a repeated failure is logged once. */
const LOGGED_FAILURES_MAX = 10_000;

/** Keeps a resource's aggregated conditions in step with its generation, deletion and adapter reports (CONTRACT §5.8, §5.9). */
@Injectable()
export class ConditionsService {
  /** `kind/id/rule` → `generation|part|error` last logged, oldest first (bounded). */
  private readonly logged = new Map<string, string>();

  constructor(
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Whether the kind has CEL mapping rules (CONTRACT §5.9): then a report whose conditions or data changed is aggregated even when its Available is Unknown (§5.7 step 8). */
  maps(kind: ResourceKind): boolean {
    return kind.rules.length > 0;
  }

  /** Conditions of a resource nobody has reported on yet (B7): none for a kind without required adapters. */
  initial(kind: ResourceKind, resource: ConditionsOwner): Recomputed {
    if (kind.requiredAdapters.length === 0) return { next: [], started: false };
    const { conditions: next, failures, notes } = this.aggregate(kind, { ...resource, conditions: [] }, [], false);
    return { next, started: startsReconciliation([], next), failures, notes };
  }

  /**
   * The conditions after a change of the resource itself (PATCH with a new generation, the deletion
   * mark): recomputed from its statuses; a kind without required adapters keeps none until an adapter
   * reports (B7), except when it is being deleted.
   */
  afterChange(kind: ResourceKind, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean): Recomputed {
    if (kind.requiredAdapters.length === 0 && !resource.deletedTime) return { started: false };
    return this.recompute(kind, resource, statuses, hasActiveChildren);
  }

  /** The conditions after an adapter's report (B): recomputed from all the resource's statuses. */
  afterReport(kind: ResourceKind, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean): Recomputed {
    return this.recompute(kind, resource, statuses, hasActiveChildren);
  }

  /**
   * Once `session` commits: counts a reconciliation start (B8), and logs and counts the mapping rules that
   * failed (D15). Nothing is registered when there is nothing to report.
   */
  afterCommit(session: WriteSession, kind: ResourceKind, resource: Pick<ConditionsOwner, 'id' | 'generation'>, result: Recomputed, deleting: boolean): void {
    if (!result.started && !result.failures?.length && !result.notes?.length) return;
    session.afterCommit(() => {
      if (result.started) this.metrics.reconciliationStartedFor(kind.kind, deleting);
      for (const failure of result.failures ?? []) this.failed(kind, resource, failure);
      for (const note of result.notes ?? []) this.noted(kind, resource, note);
    });
  }

  /** A failed rule: counted every time, logged once per resource, rule, generation and error (a bounded memory of what was logged). */
  private failed(kind: ResourceKind, resource: Pick<ConditionsOwner, 'id' | 'generation'>, failure: MappingFailure): void {
    this.metrics.conditionMappingFailed(kind.kind, failure.rule);
    if (!this.firstTime(`${kind.kind}/${resource.id}/${failure.rule}`, `${resource.generation}|${failure.part}|${failure.error}`)) return;
    this.logger.warn(
      { resource_type: kind.kind, resource_id: resource.id, generation: resource.generation, condition_type: failure.rule, expression: failure.part, error: failure.error },
      `condition mapping rule ${kind.kind}.${failure.rule} failed (${failure.part}: ${failure.error}); the condition is written as Unknown (${CONDITION_MAPPING_ERROR}) and the report is stored`,
    );
  }

  private noted(kind: ResourceKind, resource: Pick<ConditionsOwner, 'id' | 'generation'>, note: MappingNote): void {
    if (!this.firstTime(`${kind.kind}/${resource.id}/${note.rule}`, `${resource.generation}|${note.what}`)) return;
    const what = note.what === 'reason_too_long' ? 'left out: its reason is longer than 256 bytes' : 'message cut to 2048 bytes';
    this.logger.warn({ resource_type: kind.kind, resource_id: resource.id, generation: resource.generation, condition_type: note.rule, note: note.what }, `mapped condition ${kind.kind}.${note.rule} ${what}`);
  }

  /** Whether `value` is new for `key` (then it is remembered, the oldest entry forgotten past LOGGED_FAILURES_MAX). */
  private firstTime(key: string, value: string): boolean {
    if (this.logged.get(key) === value) return false;
    this.logged.delete(key);
    this.logged.set(key, value);
    if (this.logged.size > LOGGED_FAILURES_MAX) this.logged.delete(this.logged.keys().next().value!);
    return true;
  }

  /** The new conditions when they differ from the stored ones (B6). */
  private recompute(kind: ResourceKind, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean): Recomputed {
    const { conditions: next, failures, notes } = this.aggregate(kind, resource, statuses, hasActiveChildren);
    if (sameConditions(next, resource.conditions)) return { started: false, failures, notes };
    return { next, started: startsReconciliation(resource.conditions ?? [], next), failures, notes };
  }

  /** [Reconciled, LastKnownReconciled, <Adapter>Successful…] (B1–B4), then the mapped conditions in type order (B5). */
  private aggregate(kind: ResourceKind, resource: ConditionsOwner, rows: AdapterStatus[], hasActiveChildren: boolean): { conditions: ResourceCondition[]; failures?: MappingFailure[]; notes?: MappingNote[] } {
    const reports: AdapterReport[] = rows.map((s) => ({
      adapter: s.adapter,
      observedGeneration: s.observedGeneration,
      conditions: s.conditions,
      lastReportTime: s.lastReportTime.toISOString(),
    }));
    const refTime = resource.updatedTime.toISOString();
    const previous = resource.conditions ?? [];
    const conditions: ResourceCondition[] = aggregateConditions({
      generation: resource.generation,
      refTime,
      requiredAdapters: [...kind.requiredAdapters],
      statuses: reports,
      previous,
      deleting: !!resource.deletedTime,
      hasActiveChildren,
    });
    if (kind.rules.length === 0) return { conditions };
    const mapped = mapConditions({ kind, resource, statuses: rows, refTime, previous });
    conditions.push(...mapped.conditions);
    return { conditions, failures: mapped.failures.length ? mapped.failures : undefined, notes: mapped.notes.length ? mapped.notes : undefined };
  }
}

/** B8: Reconciled went into False. */
function startsReconciliation(before: readonly ResourceCondition[], after: readonly ResourceCondition[]): boolean {
  const was = before.find((c) => c.type === RECONCILED)?.status;
  const now = after.find((c) => c.type === RECONCILED)?.status;
  return now === 'False' && was !== 'False';
}
