import { Inject, Injectable } from '@nestjs/common';
import { aggregateConditions, AdapterReport, RECONCILED, sameConditions } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AdapterStatus, OwnerType, ResourceCondition, ResourceEntity } from '@app/persistence';
import { MetricsService } from '../observability/metrics.service';

/** What the aggregation reads of a resource. */
export type ConditionsOwner = Pick<ResourceEntity, 'id' | 'generation' | 'updatedTime' | 'conditions' | 'deletedTime'>;

/** Keeps a resource's aggregated conditions in step with its generation, deletion and adapter reports. */
@Injectable()
export class ConditionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Required adapters of a kind (CONTRACT D8), in condition order. */
  requiredAdapters(kind: OwnerType): string[] {
    return kind === 'Cluster' ? this.config.adapters.cluster : this.config.adapters.nodePool;
  }

  /** Conditions of a resource nobody has reported on yet (CONTRACT §5.8 B7). */
  initial(kind: OwnerType, resource: ResourceEntity): ResourceCondition[] {
    const conditions = this.aggregate(kind, resource, [], false);
    this.countReconciliationStart(kind, { ...resource, conditions: [] }, conditions);
    return conditions;
  }

  /**
   * The resource's conditions for these statuses when they differ from the stored ones (B6), else
   * undefined.
   */
  private changed(kind: OwnerType, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean): ResourceCondition[] | undefined {
    const next = this.aggregate(kind, resource as ResourceEntity, statuses, hasActiveChildren);
    return sameConditions(next, resource.conditions) ? undefined : next;
  }

  /**
   * Recomputes the resource's conditions and hands them to `write` (undefined when unchanged), which
   * stores them; a reconciliation start is counted only once they are written (an optimistic write that
   * lost runs again, and must not count twice).
   */
  async recomputeAndWrite(kind: OwnerType, resource: ConditionsOwner, statuses: AdapterStatus[], hasActiveChildren: boolean, write: (next: ResourceCondition[] | undefined) => Promise<void>): Promise<void> {
    const before = { ...resource };
    const next = this.changed(kind, resource, statuses, hasActiveChildren);
    await write(next);
    if (next) this.countReconciliationStart(kind, before, next);
  }

  /** CONTRACT §5.8 B8: every transition of Reconciled into False starts a reconciliation (`resource` still holds the conditions before). */
  private countReconciliationStart(kind: OwnerType, resource: ConditionsOwner, after: ResourceCondition[]): void {
    const before = resource.conditions ?? [];
    const was = before.find((c) => c.type === RECONCILED)?.status;
    const now = after.find((c) => c.type === RECONCILED)?.status;
    if (now === 'False' && was !== 'False') this.metrics.reconciliationStartedFor(kind, !!resource.deletedTime);
  }

  private aggregate(kind: OwnerType, resource: ResourceEntity, rows: AdapterStatus[], hasActiveChildren: boolean): ResourceCondition[] {
    const reports: AdapterReport[] = rows.map((s) => ({
      adapter: s.adapter,
      observedGeneration: s.observedGeneration,
      conditions: s.conditions,
      lastReportTime: s.lastReportTime.toISOString(),
    }));
    return aggregateConditions({
      generation: resource.generation,
      refTime: resource.updatedTime.toISOString(),
      requiredAdapters: this.requiredAdapters(kind),
      statuses: reports,
      previous: resource.conditions ?? [],
      deleting: !!resource.deletedTime,
      hasActiveChildren,
    });
  }
}
