import type { ResourceKind } from '@app/config';
import { Injectable } from '@nestjs/common';
import { aggregateConditions, AdapterReport, RECONCILED, sameConditions } from '@app/common';
import { AdapterStatus, ResourceCondition, ResourceRecord } from '@app/persistence';
import { MetricsService } from '../observability/metrics.service';

/** What the aggregation reads of a resource. */
export type ConditionsOwner = Pick<ResourceRecord, 'id' | 'generation' | 'updatedTime' | 'conditions' | 'deletedTime'>;

/** Recomputed conditions: the new list when it differs from the stored one (else undefined), and whether a reconciliation started. */
export interface Recomputed {
  next?: ResourceCondition[];
  /** Reconciled turned False (CONTRACT §5.8 B8): count it once the write has committed (`countStart`). */
  started: boolean;
}

/** Keeps a resource's aggregated conditions in step with its generation, deletion and adapter reports (CONTRACT §5.8). */
@Injectable()
export class ConditionsService {
  constructor(private readonly metrics: MetricsService) {}

  /** Conditions of a resource nobody has reported on yet (B7): none for a kind without required adapters. */
  initial(kind: ResourceKind, resource: ConditionsOwner): Recomputed {
    if (kind.requiredAdapters.length === 0) return { next: [], started: false };
    const next = this.aggregate(kind, { ...resource, conditions: [] }, [], false);
    return { next, started: startsReconciliation([], next) };
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

  /** Counts a reconciliation start (B8) of a resource of `kind`. */
  countStart(kind: ResourceKind, deleting: boolean): void {
    this.metrics.reconciliationStartedFor(kind.kind, deleting);
  }

  /** The new conditions when they differ from the stored ones (B6). */
  private recompute(kind: ResourceKind, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean): Recomputed {
    const next = this.aggregate(kind, resource, statuses, hasActiveChildren);
    if (sameConditions(next, resource.conditions)) return { started: false };
    return { next, started: startsReconciliation(resource.conditions ?? [], next) };
  }

  private aggregate(kind: ResourceKind, resource: ConditionsOwner, rows: AdapterStatus[], hasActiveChildren: boolean): ResourceCondition[] {
    const reports: AdapterReport[] = rows.map((s) => ({
      adapter: s.adapter,
      observedGeneration: s.observedGeneration,
      conditions: s.conditions,
      lastReportTime: s.lastReportTime.toISOString(),
    }));
    return aggregateConditions({
      generation: resource.generation,
      refTime: resource.updatedTime.toISOString(),
      requiredAdapters: [...kind.requiredAdapters],
      statuses: reports,
      previous: resource.conditions ?? [],
      deleting: !!resource.deletedTime,
      hasActiveChildren,
    });
  }
}

/** B8: Reconciled went into False. */
function startsReconciliation(before: readonly ResourceCondition[], after: readonly ResourceCondition[]): boolean {
  const was = before.find((c) => c.type === RECONCILED)?.status;
  const now = after.find((c) => c.type === RECONCILED)?.status;
  return now === 'False' && was !== 'False';
}
