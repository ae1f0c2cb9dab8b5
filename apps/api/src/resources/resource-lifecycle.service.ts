import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { ConflictError, isPlainObject, JoinedJson, jsonEqual, ListQuery, LOGGER, Logger, uuidv7, ValidationError } from '@app/common';
import { compileSearch, isUniqueViolation, LabelMap, Locked, ResourceEntity, ResourceRepository, WriteStore } from '@app/persistence';
import { ConditionsService } from '../conditions/conditions.service';
import { LabelsService } from '../labels/labels.service';
import { ResourceKind } from './resource-kind';
import { RESOURCE_JSON } from './resource.sql-presenter';

/** The row with its recomputed conditions, when they changed. */
function withConditions<T extends ResourceEntity>(row: T, next: ResourceEntity['conditions'] | undefined): T {
  if (next) row.conditions = next;
  return row;
}

/** A stored resource and its labels: what presenters turn into wire JSON. */
export interface ResourceView<T extends ResourceEntity> {
  row: T;
  labels: LabelMap;
}

/** What a create request decides about a new resource; everything else starts the same for every one. */
export interface NewResource {
  name: string;
  spec: Record<string, unknown>;
  cluster?: { id: string };
}

export interface ResourcePatch {
  spec?: Record<string, unknown> | null;
  labels?: Record<string, string> | null;
}

/** A page of a list, its items rendered as JSON text by PostgreSQL (resource.sql-presenter.ts) and joined, in order. */
export interface RenderedPage {
  page: number;
  total: number;
  items: JoinedJson;
}

/**
 * The rules clusters and node pools share (CONTRACT §5.3–§5.5 with D4): generation and audit fields,
 * PATCH, the deletion mark, removal, pages of a list. Callers hold the row locks and the transaction.
 */
@Injectable()
export class ResourceLifecycle {
  constructor(
    private readonly labels: LabelsService,
    private readonly conditions: ConditionsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Inserts a new row (generation 1, created and updated now by the caller; a node pool with its
   * `cluster`) with its labels and initial conditions; a taken name is 409 CNF-001.
   */
  async create<T extends ResourceEntity>(store: WriteStore, kind: ResourceKind, fields: NewResource, labels: LabelMap, caller: string): Promise<ResourceView<T>> {
    const now = new Date();
    const row = { ...fields, id: uuidv7(), generation: 1, version: 1, conditions: [], createdTime: now, updatedTime: now, createdBy: caller, updatedBy: caller, deletedTime: null, deletedBy: null, deletedAt: null } as unknown as T;
    row.conditions = this.conditions.initial(kind.kind, row);
    try {
      await store.insertResource(kind.kind, row, labels);
    } catch (err) {
      if (isUniqueViolation(err)) throw ConflictError.nameTaken(kind.kind);
      throw err;
    }
    return { row, labels };
  }

  /** Checks a PATCH body (CONTRACT R4.4, R1.4): at least one non-null field; spec an object; labels valid. */
  validatePatch(patch: ResourcePatch): void {
    if ((patch.spec === undefined || patch.spec === null) && (patch.labels === undefined || patch.labels === null))
      throw ValidationError.badRequest('at least one field must be provided for update');
    if (patch.labels !== undefined && patch.labels !== null) this.labels.validate(patch.labels);
  }

  /**
   * PATCH on a live row read by `lockRow` (CONTRACT §5.4): spec and labels are replaced whole; generation +1
   * only on a real change (JSON-value comparison); a no-op leaves the row untouched. A row marked for
   * deletion cannot be changed, so child resources never matter to its conditions here.
   */
  async patch<T extends ResourceEntity>(store: WriteStore, kind: ResourceKind, { row, labels: current, statuses }: Locked<T>, patch: ResourcePatch, caller: string): Promise<ResourceView<T>> {
    if (row.deletedTime) throw ConflictError.markedForDeletion(kind.kind, row.id);
    const specChanged = isPlainObject(patch.spec) && !jsonEqual(patch.spec, row.spec);
    const labelsChanged = isPlainObject(patch.labels) && !jsonEqual(patch.labels, current);
    if (!specChanged && !labelsChanged) return { row, labels: current };

    if (specChanged) row.spec = patch.spec as Record<string, unknown>;
    row.generation += 1;
    row.version += 1;
    row.updatedTime = new Date();
    row.updatedBy = caller;
    await this.conditions.recomputeAndWrite(kind.kind, row, statuses, false, (next) =>
      store.saveResource(kind.kind, withConditions(row, next), { spec: specChanged, labels: labelsChanged ? (patch.labels as LabelMap) : undefined }),
    );
    return { row, labels: labelsChanged ? (patch.labels as LabelMap) : current };
  }

  /**
   * Marks a locked row for deletion (CONTRACT R5.1): deleted_time/by, generation +1, conditions
   * recomputed. A row already marked keeps its mark and generation (idempotent); returns whether it changed.
   */
  async mark(store: WriteStore, kind: ResourceKind, { row, statuses }: Locked<ResourceEntity>, caller: string, at: Date, hasActiveChildren: boolean): Promise<boolean> {
    if (row.deletedTime) return false;
    row.deletedTime = at;
    row.deletedBy = caller;
    row.generation += 1;
    row.version += 1;
    row.updatedTime = at;
    row.updatedBy = caller;
    await this.conditions.recomputeAndWrite(kind.kind, row, statuses, hasActiveChildren, (next) => store.saveResource(kind.kind, withConditions(row, next)));
    return true;
  }

  /** Removal (CONTRACT D4): deleted_at on the rows, their statuses and labels; hidden from every read after. */
  async remove(store: WriteStore, kind: ResourceKind, rows: ResourceEntity[], at: Date): Promise<void> {
    await store.remove(kind.kind, rows.map((r) => r.id), at);
  }

  /** One page of a list, rendered with its labels by PostgreSQL in the page's own query. */
  async page<T extends ResourceEntity>(em: EntityManager, kind: ResourceKind, repository: ResourceRepository<T>, where: object, query: ListQuery): Promise<RenderedPage> {
    const filter = query.search !== undefined ? compileSearch(query.search, kind.kind) : undefined;
    const { items, total } = await repository.page(em, where as never, filter, { offset: (query.page - 1) * query.size, limit: query.size, order: query.order }, RESOURCE_JSON[kind.kind]);
    return { page: query.page, total, items };
  }

  /** The audit line of a force-delete (the reason is logged, not stored). */
  auditForceDelete(kind: ResourceKind, id: string, caller: string, reason: string, childIds: string[]): void {
    this.logger.warn({ audit: 'force-delete', kind: kind.kind, id, caller, reason, removed_children: childIds }, `${kind.kind} ${id} force-deleted by ${caller}`);
  }
}
