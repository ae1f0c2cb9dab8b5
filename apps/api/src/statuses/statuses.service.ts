import { APP_CONFIG, AppConfig, ResourceKind } from '@app/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, parseListQuery, uuidv7, ValidationError } from '@app/common';
import { Address, AdapterCondition, AdapterStatus, AdapterStatusRepository, isPossibleAddress, Locked, ResourceStore, StatusRow, WriteSessions } from '@app/persistence';
import { ConditionsService } from '../conditions/conditions.service';
import { AdapterStatusCreateDto } from './dto/adapter-status-create.dto';
import { MANDATORY_CONDITIONS } from './dto/status-rules';

/**
 * 201 with the stored status, or 204: the report was discarded and nothing was stored (`current`: the
 * adapter's status as stored, when there is one; POST answers with it, CONTRACT D16).
 */
export type ReportOutcome = { stored: AdapterStatus } | { discarded: string; current?: AdapterStatus };

const ORDERABLE_NONE: Record<string, string> = { created_time: 'createdTime' };

/**
 * Adapter status reports (CONTRACT §5.7) for resources of every kind: one status per adapter and
 * resource, discard rules for stale and out-of-order reports, aggregation into the resource's
 * conditions, and removal once every required adapter reports Finalized=True for a resource marked for
 * deletion (R5.6, D4). Every status write also writes its resource row, so reports for one resource
 * serialize on that row.
 */
@Injectable()
export class StatusesService {
  constructor(
    private readonly em: EntityManager,
    private readonly store: ResourceStore,
    private readonly sessions: WriteSessions,
    private readonly statuses: AdapterStatusRepository,
    private readonly conditions: ConditionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One statement reads the resource with its statuses, one writes the status with the recomputed
   * conditions (`WriteSessions.optimistic`); an answer that needs no write (a discard, the same report
   * again) takes the read alone. A report on a resource that is being deleted runs under its row lock.
   */
  async report(kind: ResourceKind, at: Address, dto: AdapterStatusCreateDto): Promise<ReportOutcome> {
    const observed = dto.observed_time ? new Date(dto.observed_time) : new Date();
    if (!isPossibleAddress(at)) return this.notFound(kind, at);
    const outcome = await this.sessions.optimistic(async (session): Promise<ReportOutcome | undefined> => {
      const locked = await this.store.lockForStatus(session, kind, at);
      if (!locked) return undefined;
      const { row, statuses: all } = locked;
      const plan = this.plan(kind, locked, dto, observed);
      if ('outcome' in plan) return plan.outcome;
      const { stored } = plan;
      // an adapter's first report with Available=Unknown leaves the conditions alone, unless the kind maps conditions (§5.7 step 8)
      if (plan.unknown && !this.conditions.maps(kind)) {
        await this.store.upsertStatus(session, kind, stored);
        return { stored };
      }
      // children only matter while the resource is being deleted (R5.6, §5.8 B2)
      const children = row.deletedTime ? await this.store.childrenWhileDeleting(session, kind, row.id) : 0;
      if (row.deletedTime && this.finalized(kind, row, all, dto, children)) {
        await this.store.upsertStatus(session, kind, stored);
        // marked already: its mark stays (`by` applies to rows removed without one)
        await this.store.remove(session, kind, [row.id], new Date(), dto.adapter);
        return { stored };
      }
      // the status and, when they changed, the resource's conditions in one statement
      const recomputed = this.conditions.afterReport(kind, row, all, children > 0);
      await this.store.upsertStatus(session, kind, stored, recomputed.next);
      this.conditions.afterCommit(session, kind, row, recomputed, !!row.deletedTime);
      return { stored };
    });
    return outcome ?? this.notFound(kind, at);
  }

  /**
   * What a report does to a resource in this state (CONTRACT §5.7): an answer that needs no write (a
   * discard, the same report again), or the status to store, already merged into `statuses`; `unknown`
   * when it is an adapter's first report with Available=Unknown, which leaves the conditions alone.
   */
  private plan(kind: ResourceKind, { row, statuses: all }: Locked<StatusRow>, dto: AdapterStatusCreateDto, observed: Date): { outcome: ReportOutcome } | { stored: AdapterStatus; unknown: boolean } {
    const gen = dto.observed_generation;
    if (gen > row.generation) return { outcome: { discarded: `observed_generation ${gen} is newer than the resource's generation ${row.generation}`, current: all.find((s) => s.adapter === dto.adapter) } };

    const existing = all.find((s) => s.adapter === dto.adapter);
    if (existing) {
      if (existing.observedGeneration > gen) return { outcome: { discarded: `a report for generation ${existing.observedGeneration} is already stored`, current: existing } };
      if (existing.observedGeneration === gen && observed.getTime() < existing.lastReportTime.getTime()) return { outcome: { discarded: 'a newer report for this generation is already stored', current: existing } };
    }
    const missing = MANDATORY_CONDITIONS.find((type) => !dto.conditions.some((c) => c.type === type));
    if (missing) throw ValidationError.field('conditions', `missing mandatory condition '${missing}': all adapters must report Available, Applied, and Health`, 'required');
    const available = dto.conditions.find((c) => c.type === 'Available')!;
    if (available.status === 'Unknown' && existing) return { outcome: { discarded: "Available=Unknown is only stored as an adapter's first report", current: existing } };
    // the same report again (same generation and observed_time): nothing to write, nothing to recompute
    if (existing && existing.observedGeneration === gen && existing.lastReportTime.getTime() === observed.getTime()) return { outcome: { stored: existing } };

    const stored = existing ? this.update(existing, dto, observed) : this.create(kind, row.id, dto, observed);
    if (!existing) all.push(stored);
    return { stored, unknown: available.status === 'Unknown' };
  }

  /** A page of a resource's statuses, oldest first (search and order are accepted and ignored: CONTRACT §2.2). */
  async list(kind: ResourceKind, at: Address, rawQuery: Record<string, unknown>): Promise<{ page: number; total: number; items: AdapterStatus[] }> {
    const query = parseListQuery({ page: rawQuery.page, size: rawQuery.size, pageSize: rawQuery.pageSize }, ORDERABLE_NONE, this.config.lists.maxSize);
    if (!isPossibleAddress(at) || !(await this.store.exists(kind, at))) return this.notFound(kind, at);
    const { items, total } = await this.statuses.page(this.em, kind.kind, at.id, (query.page - 1) * query.size, query.size);
    return { page: query.page, total, items };
  }

  /** 404 naming the first missing resource of the address, from the top. */
  private async notFound(kind: ResourceKind, at: Address): Promise<never> {
    const missing = await this.store.firstMissing(kind, at);
    throw NotFoundError.resource(missing.kind.kind, missing.id);
  }

  private create(kind: ResourceKind, ownerId: string, dto: AdapterStatusCreateDto, observed: Date): AdapterStatus {
    return Object.assign(new AdapterStatus(), {
      id: uuidv7(),
      ownerType: kind.kind,
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
    const required = kind.requiredAdapters;
    return (
      required.length > 0 &&
      required.every((adapter) => {
        const s = all.find((x) => x.adapter === adapter);
        return !!s && s.observedGeneration === row.generation && isFinal(s.conditions);
      })
    );
  }
}
