import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUuid, NotFoundError, parseListQuery, uuidv7, ValidationError } from '@app/common';
import { AdapterCondition, AdapterStatus, AdapterStatusRepository, Locked, OwnerType, ResourceEntity, ResourceRow, WriteStore } from '@app/persistence';
import { ClustersService } from '../clusters/clusters.service';
import { ConditionsService } from '../conditions/conditions.service';
import { NodePoolsService } from '../node-pools/node-pools.service';
import { CLUSTER, NODE_POOL, ResourceKind } from '../resources/resource-kind';
import { AdapterStatusCreateDto } from './dto/adapter-status-create.dto';
import { MANDATORY_CONDITIONS } from './dto/status-rules';

/** Which resource a report or a status list is about. */
export interface StatusTarget {
  clusterId: string;
  nodePoolId?: string;
}

/** 201 with the stored status, or 204: the report was discarded and nothing was stored. */
export type ReportOutcome = { stored: AdapterStatus } | { discarded: string };

const ORDERABLE_NONE: Record<string, string> = { created_time: 'createdTime' };

/**
 * Adapter status reports (CONTRACT §5.7): one status per adapter and resource, discard rules for stale
 * and out-of-order reports, aggregation into the resource's conditions, and removal once every required
 * adapter reports Finalized=True for a resource marked for deletion (R5.6, D4). Every status write also
 * writes its resource row, so reports for one resource serialize on that row.
 */
@Injectable()
export class StatusesService {
  private readonly statuses = new AdapterStatusRepository();

  constructor(
    private readonly em: EntityManager,
    private readonly clusters: ClustersService,
    private readonly nodePools: NodePoolsService,
    private readonly conditions: ConditionsService,
  ) {}

  /**
   * Optimistic first (`WriteStore.optimistic`): one statement reads the resource with its statuses, one
   * writes the status with the recomputed conditions, if no other write touched the resource in between.
   * An answer that needs no write (a discard, the same report again) takes the read alone. A report on a
   * resource that is being deleted (child resources, finalization) runs under the resource's row lock.
   */
  async report(target: StatusTarget, dto: AdapterStatusCreateDto): Promise<ReportOutcome> {
    const observed = dto.observed_time ? new Date(dto.observed_time) : new Date();
    const kind = target.nodePoolId === undefined ? CLUSTER : NODE_POOL;
    if (!isUuid(target.clusterId) || (target.nodePoolId !== undefined && !isUuid(target.nodePoolId))) return this.notFound(target);
    const outcome = await WriteStore.optimistic(this.em, async (store): Promise<ReportOutcome | undefined> => {
      const locked = kind === CLUSTER ? await store.lockResource('Cluster', target.clusterId) : await store.lockResource('NodePool', target.nodePoolId!, target.clusterId);
      if (!locked) return undefined;
      const { row, statuses: all } = locked;
      const plan = this.plan(kind, locked, dto, observed);
      if ('outcome' in plan) return plan.outcome;
      const { stored } = plan;
      if (plan.unknown) {
        await store.upsert(stored);
        return { stored };
      }
      if (row.deletedTime) store.needLocks();
      // children only matter while the resource is being deleted (R5.6, §5.8 B2)
      const children = kind === CLUSTER && row.deletedTime ? await store.childCount(row.id) : 0;
      if (row.deletedTime && this.finalized(kind, row, all, dto, children)) {
        await store.upsert(stored);
        await store.remove(kind.kind, [row.id], new Date());
        return { stored };
      }
      // the status and, when they changed, the resource's conditions in one statement
      await this.conditions.recomputeAndWrite(kind.kind, row, all, children > 0, (next) => store.upsert(stored, next));
      return { stored };
    });
    return outcome ?? this.notFound(target);
  }

  /**
   * What a report does to a resource in this state (CONTRACT §5.7): an answer that needs no write (a
   * discard, the same report again), or the status to store, already merged into `statuses`; `unknown`
   * when it is an adapter's first report with Available=Unknown, which leaves the conditions alone.
   */
  private plan(kind: ResourceKind, { row, statuses: all }: Locked<ResourceRow>, dto: AdapterStatusCreateDto, observed: Date): { outcome: ReportOutcome } | { stored: AdapterStatus; unknown: boolean } {
    const gen = dto.observed_generation;
    if (gen > row.generation) return { outcome: { discarded: `observed_generation ${gen} is newer than the resource's generation ${row.generation}` } };

    const existing = all.find((s) => s.adapter === dto.adapter);
    if (existing) {
      if (existing.observedGeneration > gen) return { outcome: { discarded: `a report for generation ${existing.observedGeneration} is already stored` } };
      if (existing.observedGeneration === gen && observed.getTime() < existing.lastReportTime.getTime()) return { outcome: { discarded: 'a newer report for this generation is already stored' } };
    }
    const missing = MANDATORY_CONDITIONS.find((type) => !dto.conditions.some((c) => c.type === type));
    if (missing) throw ValidationError.field('conditions', `missing mandatory condition '${missing}': all adapters must report Available, Applied, and Health`, 'required');
    const available = dto.conditions.find((c) => c.type === 'Available')!;
    if (available.status === 'Unknown' && existing) return { outcome: { discarded: "Available=Unknown is only stored as an adapter's first report" } };
    // the same report again (same generation and observed_time): nothing to write, nothing to recompute
    if (existing && existing.observedGeneration === gen && existing.lastReportTime.getTime() === observed.getTime()) return { outcome: { stored: existing } };

    const stored = existing ? this.update(existing, dto, observed) : this.create(kind.kind, row.id, dto, observed);
    if (!existing) all.push(stored);
    return { stored, unknown: available.status === 'Unknown' };
  }

  /** 404 for the cluster when it is missing, else for the node pool. */
  private async notFound(target: StatusTarget): Promise<never> {
    await this.clusters.require(this.em, target.clusterId);
    throw NotFoundError.resource(NODE_POOL.kind, target.nodePoolId ?? '');
  }

  async list(target: StatusTarget, rawQuery: Record<string, unknown>): Promise<{ page: number; total: number; items: AdapterStatus[] }> {
    // search and order are accepted and ignored here (CONTRACT §2.2); page and size apply
    const query = parseListQuery({ page: rawQuery.page, size: rawQuery.size, pageSize: rawQuery.pageSize }, ORDERABLE_NONE);
    const { kind, row } = await this.findTarget(this.em, target);
    const { items, total } = await this.statuses.page(this.em, kind.kind, row.id, (query.page - 1) * query.size, query.size);
    return { page: query.page, total, items };
  }

  private create(ownerType: OwnerType, ownerId: string, dto: AdapterStatusCreateDto, observed: Date): AdapterStatus {
    return Object.assign(new AdapterStatus(), {
      id: uuidv7(),
      ownerType,
      ownerId,
      adapter: dto.adapter,
      observedGeneration: dto.observed_generation,
      conditions: this.conditionsOf(dto, observed, []),
      data: dto.data ?? {},
      metadata: dto.metadata ?? null,
      createdTime: observed,
      lastReportTime: observed,
      deletedAt: null,
    });
  }

  private update(row: AdapterStatus, dto: AdapterStatusCreateDto, observed: Date): AdapterStatus {
    row.observedGeneration = dto.observed_generation;
    row.conditions = this.conditionsOf(dto, observed, row.conditions);
    row.data = dto.data ?? {};
    row.metadata = dto.metadata ?? null;
    row.lastReportTime = observed;
    return row;
  }

  /** Reported conditions with last_transition_time kept while a condition's status stays the same. */
  private conditionsOf(dto: AdapterStatusCreateDto, observed: Date, previous: AdapterCondition[]): AdapterCondition[] {
    const at = observed.toISOString();
    return dto.conditions.map((c) => {
      const before = previous.find((p) => p.type === c.type);
      return {
        type: c.type,
        status: c.status,
        ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
        ...(typeof c.message === 'string' ? { message: c.message } : {}),
        last_transition_time: before && before.status === c.status ? before.last_transition_time : at,
      };
    });
  }

  /**
   * R5.6: the report says Finalized=True, every required adapter's stored status is at the resource's
   * generation with Finalized=True, and no child resource is left.
   */
  private finalized(kind: ResourceKind, row: { generation: number }, all: AdapterStatus[], dto: AdapterStatusCreateDto, children: number): boolean {
    const isFinal = (conds: { type: string; status: string }[]) => conds.some((c) => c.type === 'Finalized' && c.status === 'True');
    if (!isFinal(dto.conditions) || children > 0) return false;
    const required = this.conditions.requiredAdapters(kind.kind);
    return required.length > 0 && required.every((adapter) => {
      const s = all.find((x) => x.adapter === adapter);
      return !!s && s.observedGeneration === row.generation && isFinal(s.conditions);
    });
  }



  private async findTarget(em: EntityManager, target: StatusTarget): Promise<{ kind: ResourceKind; row: ResourceEntity }> {
    if (target.nodePoolId === undefined) return { kind: CLUSTER, row: await this.clusters.require(em, target.clusterId) };
    await this.clusters.require(em, target.clusterId);
    return { kind: NODE_POOL, row: await this.nodePools.require(em, target.clusterId, target.nodePoolId) };
  }
}
