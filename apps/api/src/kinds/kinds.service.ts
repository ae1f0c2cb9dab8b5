import { APP_CONFIG, AppConfig, KindRegistry, ResourceKind, SpecProblem } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { assertIfMatch, ConflictError, FieldError, isPlainObject, isUuid, jsonEqual, ListQuery, LOGGER, Logger, NotFoundError, parseListQuery, uuidv7, ValidationError } from '@app/common';
import {
  Address,
  hrefOf,
  isPossibleAddress,
  isUniqueViolation,
  KIND_REGISTRY,
  LabelMap,
  Locked,
  RenderedRow,
  ResourcePages,
  ResourceRecord,
  ResourceStore,
  SortKey,
  StoredReference,
  WriteSession,
  WriteSessions,
} from '@app/persistence';
import { ConditionsService } from '../conditions/conditions.service';
import { LabelsService } from '../labels/labels.service';
import { RenderedPage, ResourceView } from './kind.presenter';
import { ReferencesService } from './references.service';

/** What a create request gives (validated by the kind's create DTO). */
export interface NewResource {
  name: string;
  spec: Record<string, unknown>;
  labels?: Record<string, string> | null;
  references?: unknown;
}

export interface ResourcePatch {
  spec?: Record<string, unknown> | null;
  labels?: Record<string, string> | null;
  references?: unknown;
}

/** The `constraint` of an errors[] entry for a spec schema keyword that failed (where one fits). */
const SPEC_CONSTRAINTS: Record<string, FieldError['constraint']> = {
  required: 'required',
  dependentRequired: 'required',
  type: 'type',
  enum: 'enum',
  const: 'enum',
  pattern: 'pattern',
  format: 'format',
  minLength: 'min_length',
  maxLength: 'max_length',
  minimum: 'min',
  exclusiveMinimum: 'min',
  minItems: 'min',
  minProperties: 'min',
  maximum: 'max',
  exclusiveMaximum: 'max',
  maxItems: 'max',
  maxProperties: 'max',
  uniqueItems: 'unique',
};

/** A list's page and the query it answers (for the Deprecation header). */
export type ListAnswer = RenderedPage & { query: ListQuery };

/**
 * The lifecycle every kind shares (CONTRACT §5.1–§5.6 with D4, D13): creation under its parent, reads,
 * lists, PATCH, the deletion mark with its policies (restrict, cascade, inbound references, immediate
 * removal of kinds without required adapters), force-delete. Kinds differ only by their descriptors.
 */
@Injectable()
export class KindsService {
  /** Each kind's orderable wire fields → columns, built once. */
  private readonly orderable = new Map<string, Record<string, string>>();

  constructor(
    @Inject(KIND_REGISTRY) readonly kinds: KindRegistry,
    private readonly store: ResourceStore,
    private readonly pages: ResourcePages,
    private readonly sessions: WriteSessions,
    private readonly labels: LabelsService,
    private readonly conditions: ConditionsService,
    private readonly references: ReferencesService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * 400 VAL-000 `Invalid <SchemaName>` with one errors[] entry per failing field when `spec` breaks the
   * kind's spec schema (CONTRACT D14, R1.4); nothing for a kind without one.
   */
  private checkSpec(kind: ResourceKind, spec: unknown): void {
    const problems = this.config.specSchemas.check(kind, spec);
    if (problems.length) throw ValidationError.fields(`Invalid ${kind.specSchemaName}`, problems.map(fieldError));
  }

  /**
   * Creates a resource (generation 1, its initial conditions), with its labels and references, under
   * `owners` for a child kind (nearest first): the parent is locked meanwhile, so that it cannot be
   * marked for deletion or removed, and so is each referenced resource. A taken name is 409 CNF-001.
   */
  create(kind: ResourceKind, owners: readonly string[] | undefined, dto: NewResource, caller: string): Promise<ResourceView> {
    this.checkSpec(kind, dto.spec);
    const labels = dto.labels === undefined || dto.labels === null ? {} : this.labels.validate(dto.labels);
    const refs = kind.references.length ? this.references.parse(kind, dto.references, true)! : [];
    const now = new Date();
    const id = uuidv7();
    const row: ResourceRecord = { id, name: dto.name, spec: dto.spec, generation: 1, version: 1, conditions: [], createdTime: now, updatedTime: now, createdBy: caller, updatedBy: caller, deletedTime: null, deletedBy: null };
    if (kind.parent) row.ownerId = owners![0];
    if (kind.storage.shared) {
      row.href = hrefOf(kind, id, owners);
      if (kind.parent) row.ownerHref = hrefOf(kind.parent, owners![0], owners!.slice(1));
    }
    if (kind.references.length) row.references = refs;
    const initial = this.conditions.initial(kind, row);
    row.conditions = initial.next ?? [];
    const write = async (session: WriteSession): Promise<ResourceView> => {
      if (kind.parent) await this.holdParent(session, kind, owners!);
      if (refs.length) await this.references.holdTargets(session, refs);
      try {
        await this.store.insert(session, kind, row, labels);
      } catch (err) {
        if (isUniqueViolation(err)) throw ConflictError.nameTaken(kind.kind, dto.name, kind.parent ? `${kind.parent.kind} '${owners![0]}'` : undefined);
        throw err;
      }
      this.conditions.afterCommit(session, kind, row, initial, false);
      return { kind, row, labels };
    };
    // one statement (the row with its labels) needs no transaction; holding a parent or targets does
    return kind.parent || refs.length ? this.sessions.transaction(write) : this.sessions.single(write);
  }

  /** The resource as its wire JSON, rendered by PostgreSQL; 404 names the first missing resource of the address. */
  async get(kind: ResourceKind, at: Address): Promise<RenderedRow> {
    const found = isPossibleAddress(at) ? await this.store.rendered(kind, at) : null;
    return found ?? this.notFound(kind, at);
  }

  /**
   * A page of the kind's resources (under `owners` for a nested list: 404 when its parent is missing).
   * `reader` tells this client's lists from another's of the same query (see PageQuery.reader).
   */
  async list(kind: ResourceKind, owners: readonly string[] | undefined, raw: Record<string, unknown>, reader?: string): Promise<ListAnswer> {
    const query = parseListQuery(raw, this.orderableOf(kind), this.config.lists.maxSize);
    const reference = this.referenceFilter(kind, raw);
    if (owners !== undefined) await this.requireParent(kind, owners);
    const order: SortKey[] = query.order.map((o) => ({ column: o.field, direction: o.direction }));
    const page = await this.pages.page(kind, { ownerId: owners?.[0], reference, search: query.search, page: query.page, size: query.size, order, reader });
    return { page: query.page, total: page.total, items: page.items, more: page.more, query };
  }

  /**
   * PATCH (CONTRACT §5.4): spec, labels and references are replaced whole; generation +1 on a real
   * change of spec or labels, or whenever references are given (R3.2); a no-op leaves the row untouched.
   */
  patch(kind: ResourceKind, at: Address, patch: ResourcePatch, caller: string, ifMatch?: string): Promise<ResourceView> {
    const refsGiven = patch.references !== undefined && patch.references !== null;
    if ((patch.spec === undefined || patch.spec === null) && (patch.labels === undefined || patch.labels === null) && !refsGiven)
      throw ValidationError.badRequest('at least one field must be provided for update');
    if (patch.spec !== undefined && patch.spec !== null) this.checkSpec(kind, patch.spec);
    if (patch.labels !== undefined && patch.labels !== null) this.labels.validate(patch.labels);
    const refs = refsGiven ? this.references.parse(kind, patch.references, false) : undefined;
    return this.sessions.optimistic(async (session) => {
      const locked = await this.lock(session, kind, at);
      const { row, labels: current, statuses } = locked;
      assertIfMatch(ifMatch, row.version, kind.kind, row.id);
      if (row.deletedTime) throw ConflictError.markedForDeletion(kind.kind, row.id);
      const specChanged = isPlainObject(patch.spec) && !jsonEqual(patch.spec, row.spec);
      const labelsChanged = isPlainObject(patch.labels) && !jsonEqual(patch.labels, current);
      if (!specChanged && !labelsChanged && !refs) return { kind, row, labels: current };
      if (refs) {
        await this.references.holdTargets(session, refs);
        row.references = refs;
      }
      if (specChanged) row.spec = patch.spec as Record<string, unknown>;
      row.generation += 1;
      row.version += 1;
      row.updatedTime = new Date();
      row.updatedBy = caller;
      const labels = labelsChanged ? (patch.labels as LabelMap) : current;
      const recomputed = this.conditions.afterChange(kind, row, statuses, false);
      if (recomputed.next) row.conditions = recomputed.next;
      await this.store.save(session, kind, row, { spec: specChanged, labels: labelsChanged ? labels : undefined, references: refs });
      this.conditions.afterCommit(session, kind, row, recomputed, false);
      return { kind, row, labels };
    });
  }

  /**
   * DELETE (CONTRACT §5.5): marks the resource for deletion, after its children by their policies
   * (restrict refuses with 409, cascade deletes them first); a resource others refer to is 409; a kind
   * without required adapters (and no marked children) is removed at once. Idempotent: a marked resource
   * is answered as it is. Optimistic when nothing depends on the resource (one row to write).
   */
  markForDeletion(kind: ResourceKind, at: Address, caller: string, ifMatch?: string): Promise<ResourceView> {
    return this.sessions.optimistic(async (session) => {
      const locked = await this.lock(session, kind, at);
      assertIfMatch(ifMatch, locked.row.version, kind.kind, locked.row.id);
      if (!locked.row.deletedTime) await this.deleteTree(session, kind, locked, caller, new Date());
      return { kind, row: locked.row, labels: locked.labels };
    });
  }

  /**
   * Deletes one resource by the rules of §5.5, its children first; returns whether it stays (marked for
   * deletion) rather than being removed.
   */
  private async deleteTree(session: WriteSession, kind: ResourceKind, { row, statuses }: Locked, caller: string, at: Date): Promise<boolean> {
    for (const child of kind.children)
      if (child.onParentDelete === 'restrict' && (await this.store.activeChildren(session, child, row.id)) > 0)
        throw ConflictError.state(`Cannot delete ${kind.kind} '${row.id}': active ${child.kind}(s) exist`);
    for (const child of kind.children) {
      if (child.onParentDelete !== 'cascade') continue;
      // children already marked keep their mark (R5.2)
      for (const c of await this.store.lockChildren(session, child, row.id)) if (!c.row.deletedTime) await this.deleteTree(session, child, c, caller, at);
    }
    const referrers = await this.store.referrers(session, kind, row.id);
    if (referrers.length)
      throw ConflictError.state(`cannot delete ${kind.kind} "${row.name}": referenced by ${referrers.map((r) => `${r.kind} "${r.name}"`).join(', ')} — remove the reference(s) before deleting`);

    const remaining = await this.store.liveChildren(session, kind, row.id);
    row.deletedTime = at;
    row.deletedBy = caller;
    row.generation += 1;
    row.version += 1;
    row.updatedTime = at;
    row.updatedBy = caller;
    if (kind.requiredAdapters.length === 0 && remaining === 0) {
      // nothing to wait for (R5.5): removed at once; the answer still shows the mark
      await this.store.remove(session, kind, [row.id], at, caller);
      return false;
    }
    const recomputed = this.conditions.afterChange(kind, row, statuses, remaining > 0);
    if (recomputed.next) row.conditions = recomputed.next;
    // its own references go with the mark (R5.1)
    await this.store.save(session, kind, row, { references: kind.references.length ? [] : undefined });
    if (kind.references.length) row.references = [];
    this.conditions.afterCommit(session, kind, row, recomputed, true);
    return true;
  }

  /** Removes a resource marked for deletion and everything under it, whatever their policies (CONTRACT R5.7, D4). */
  forceDelete(kind: ResourceKind, at: Address, reason: string, caller: string): Promise<void> {
    return this.sessions.transaction(async (session) => {
      const { row } = await this.lock(session, kind, at);
      if (!row.deletedTime) throw ConflictError.notFinalizing(kind.kind, row.id);
      const removedAt = new Date();
      const descendants = await this.removeTree(session, kind, row.id, removedAt, caller);
      await this.store.remove(session, kind, [row.id], removedAt, caller);
      this.logger.warn({ audit: 'force-delete', kind: kind.kind, id: row.id, caller, reason, removed_children: descendants }, `${kind.kind} ${row.id} force-deleted by ${caller}`);
    });
  }

  /** Removes everything under a row, deepest first; returns the removed ids. */
  private async removeTree(session: WriteSession, kind: ResourceKind, id: string, at: Date, caller: string): Promise<string[]> {
    const removed: string[] = [];
    for (const child of kind.children) {
      const rows = await this.store.lockChildren(session, child, id);
      for (const c of rows) removed.push(...(await this.removeTree(session, child, c.row.id, at, caller)));
      await this.store.remove(session, child, rows.map((c) => c.row.id), at, caller);
      removed.push(...rows.map((c) => c.row.id));
    }
    return removed;
  }

  /** The kind of the live resource with this id (any kind; the generic /resources API). */
  async kindOf(id: string): Promise<ResourceKind | undefined> {
    if (!isUuid(id)) return undefined;
    const kind = await this.store.kindOf(id);
    return kind === null ? undefined : this.kinds.get(kind);
  }

  /** The live row to change, read by the session (`ResourceStore.lockRow`); else 404 for the first missing resource of the address. */
  private async lock(session: WriteSession, kind: ResourceKind, at: Address): Promise<Locked> {
    const locked = isPossibleAddress(at) ? await this.store.lockRow(session, kind, at) : null;
    return locked ?? this.notFound(kind, at);
  }

  /** Holds the live parent of a new child (404 when missing, 409 when it is marked for deletion: R5.1). */
  private async holdParent(session: WriteSession, kind: ResourceKind, owners: readonly string[]): Promise<void> {
    const parent = kind.parent!;
    const [parentId, ...above] = owners;
    // a deeper address: the parent must be under its own owners (which never change)
    if (above.length) await this.requireParent(kind, owners);
    const held = isUuid(parentId) ? await this.store.hold(session, parent, parentId) : null;
    if (!held) return this.notFound(parent, { id: parentId, owners: above.length ? above : undefined });
    if (held.deletedTime) throw ConflictError.markedForDeletion(parent.kind, parentId);
  }

  /** 404 unless the parent named by `owners` (nearest first) exists under its own owners. */
  private async requireParent(kind: ResourceKind, owners: readonly string[]): Promise<void> {
    const [parentId, ...above] = owners;
    const at: Address = { id: parentId, owners: above.length ? above : undefined };
    if (!isPossibleAddress(at) || !(await this.store.exists(kind.parent!, at))) await this.notFound(kind.parent!, at);
  }

  /** 404 for an address that found nothing, naming its first missing resource from the top (`ResourceStore.firstMissing`). */
  private async notFound(kind: ResourceKind, at: Address): Promise<never> {
    const missing = await this.store.firstMissing(kind, at);
    throw NotFoundError.resource(missing.kind.kind, missing.id);
  }

  /** `ref_type` and `ref_target_id` (CONTRACT §2.2, §5.6): both or neither; a type the kind declares. */
  private referenceFilter(kind: ResourceKind, raw: Record<string, unknown>): { refType: string; targetId: string } | undefined {
    const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v) as string | undefined;
    const refType = one(raw.ref_type);
    const targetId = one(raw.ref_target_id);
    if ((refType === undefined || refType === '') && (targetId === undefined || targetId === '')) return undefined;
    if (!refType || !targetId)
      throw ValidationError.fields('Invalid query parameters', [{ field: refType ? 'ref_target_id' : 'ref_type', constraint: 'required', message: 'ref_type and ref_target_id must be provided together' }]);
    if (!kind.references.some((r) => r.refType === refType)) throw ValidationError.field('ref_type', `Unknown ref_type "${refType}" for entity ${kind.kind}`, 'enum', refType);
    // an id that is not a UUID refers to nothing: an empty page
    return { refType, targetId: isUuid(targetId) ? targetId.toLowerCase() : '00000000-0000-0000-0000-000000000000' };
  }

  /** Wire names a list of the kind can be ordered by → columns (constant fields order like the id). */
  private orderableOf(kind: ResourceKind): Record<string, string> {
    let map = this.orderable.get(kind.kind);
    if (!map) {
      map = {
        id: 'id',
        href: 'id',
        kind: kind.storage.shared ? 'kind' : 'id',
        name: 'name',
        generation: 'generation',
        created_time: 'created_time',
        updated_time: 'updated_time',
        deleted_time: 'deleted_time',
        created_by: 'created_by',
        updated_by: 'updated_by',
        deleted_by: 'deleted_by',
        ...(kind.parent ? { owner_id: 'owner_id', owner_href: 'owner_id', owner_kind: 'id' } : {}),
      };
      this.orderable.set(kind.kind, map);
    }
    return map;
  }
}

export type { StoredReference };

function fieldError(problem: SpecProblem): FieldError {
  const constraint = SPEC_CONSTRAINTS[problem.keyword];
  return { field: problem.field, message: problem.message, ...(constraint ? { constraint } : {}) };
}
