import type { KindRegistry, ResourceKind } from '@app/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { Kysely, sql } from 'kysely';
import { labelArrays } from '../labels/labels.sql';
import { queryBound } from '../native-query';
import { conditionStatuses, LabelMap, ResourceCondition } from '../resource.types';
import { KIND_REGISTRY, SqlBuilder } from '../sql/sql-builder';
import { arg, prepare, Statement } from '../sql/statement';
import type { AdapterStatus } from '../statuses/adapter-status.entity';
import type { WriteSession } from '../write-session';
import { AnyQuery, ownerArgs, tableOf } from './kind-sql';
import { labelsOfRow, pgDate, ResourceRecord, resourceRecord, statusRecord, StoredReference, storedText } from './resource-row';
import { resourceJson } from './resource-json';
import { KindStatements } from './resource.statements';

/** Which row: its id, and for a nested route its owners' ids, nearest first (a flat route names none). */
export interface Address {
  id: string;
  owners?: readonly string[];
}

/** A row read for a change with what a change needs: its labels and statuses. */
export interface Locked<T = ResourceRecord> {
  row: T;
  labels: LabelMap;
  statuses: AdapterStatus[];
}

/** A resource as PostgreSQL rendered it: its wire JSON text, and the row version for the ETag. */
export interface RenderedRow {
  version: number;
  json: string;
}

/** What the status path reads of a row. */
export type StatusRow = Pick<ResourceRecord, 'id' | 'generation' | 'version' | 'conditions' | 'createdTime' | 'updatedTime' | 'deletedTime'> &
  /** Read for kinds with condition mapping rules only (their `resource` variable, CONTRACT §5.9). */
  Partial<Pick<ResourceRecord, 'name' | 'spec' | 'createdBy' | 'updatedBy' | 'deletedBy' | 'ownerId' | 'href' | 'ownerHref'>>;

/** The references of a write as arrays for `unnest`, in order; empty to clear. */
function referenceArrays(refs: readonly StoredReference[] | undefined): { setRefs: boolean; refTypes: string[]; refKinds: string[]; refIds: string[] } {
  const list = refs ?? [];
  return { setRefs: refs !== undefined, refTypes: list.map((r) => r.refType), refKinds: list.map((r) => r.targetKind), refIds: list.map((r) => r.targetId) };
}

/**
 * The resource rows of every kind (CONTRACT D13): one set of statements per kind of the registry, built
 * when the application starts, run on a write session (`WriteSession`) or, for reads, on the pool. The
 * rows of a removal and of a cascade go with their statuses, labels and references.
 */
@Injectable()
export class ResourceStore {
  private readonly byKind = new Map<string, KindStatements>();
  private readonly statusesOfRows: Statement;
  private readonly removeStatuses: Statement;
  private readonly removeLabels: Statement;
  private readonly removeReferences: Statement;
  private readonly kindOfId: Statement;

  constructor(
    builder: SqlBuilder,
    @Inject(KIND_REGISTRY) private readonly kinds: KindRegistry,
    private readonly em: EntityManager,
  ) {
    const db: Kysely<any> = builder.db;
    for (const kind of kinds.all()) this.byKind.set(kind.kind, new KindStatements(kind, db, resourceJson(db, kind, kinds.all(), 'r')));
    this.statusesOfRows = prepare(
      'statuses_of',
      db
        .selectFrom('adapter_statuses as s')
        .selectAll('s')
        .where('s.owner_type', '=', arg('kind'))
        .where(sql<boolean>`s.owner_id = any(cast(${arg('ids')} as uuid[]))`)
        .orderBy('s.created_time')
        .orderBy('s.adapter'),
    );
    const removeOwned = (table: string, alias: string, ownerColumn: string, typeColumn: string) =>
      db
        .updateTable(`${table} as ${alias}`)
        .set({ deleted_at: sql`cast(${arg('at')} as timestamptz)` })
        .where(`${alias}.${typeColumn}`, '=', arg('kind'))
        .where(sql<boolean>`${sql.ref(`${alias}.${ownerColumn}`)} = any(cast(${arg('ids')} as uuid[]))`);
    this.removeStatuses = prepare('remove_statuses', removeOwned('adapter_statuses', 's', 'owner_id', 'owner_type'));
    this.removeLabels = prepare('remove_labels', removeOwned('labels', 'l', 'owner_id', 'owner_type'));
    // the references the removed rows hold, and those that point at them (CONTRACT R5.7)
    this.removeReferences = prepare(
      'remove_references',
      db
        .updateTable('resource_references as x')
        .set({ deleted_at: sql`cast(${arg('at')} as timestamptz)` })
        .where(sql<boolean>`(x.owner_id = any(cast(${arg('ids')} as uuid[])) or x.target_id = any(cast(${arg('ids')} as uuid[])))`),
    );
    // the kind of a live row of any table (`/resources/{id}`): the shared table's rows say theirs
    const tables = new Map<string, ResourceKind>();
    for (const kind of kinds.all()) if (!tables.has(kind.storage.table)) tables.set(kind.storage.table, kind);
    this.kindOfId = prepare(
      'kind_of',
      [...tables.values()]
        .map((kind) => db.selectFrom(tableOf(kind, 'r')).select(kind.storage.shared ? 'r.kind' : sql.lit(kind.kind).as('kind')).where('r.id', '=', arg('id')))
        .reduce((all: AnyQuery, q: AnyQuery) => all.unionAll(q)),
    );
  }

  /** The statements of a kind. */
  private of(kind: ResourceKind): KindStatements {
    const statements = this.byKind.get(kind.kind);
    if (!statements) throw new Error(`unknown kind ${kind.kind}`);
    return statements;
  }

  /** Every statement this store built (the catalogue the live-row test walks). */
  statements(): Statement[] {
    const out: Statement[] = [this.statusesOfRows, this.removeStatuses, this.removeLabels, this.removeReferences, this.kindOfId];
    for (const s of this.byKind.values()) for (const value of Object.values(s)) collect(value, out);
    return out;
  }

  // ---- writes -----------------------------------------------------------------------------------

  /**
   * Inserts a new row with its labels (and references), one statement; a taken name fails with SQLSTATE
   * 23505. Sets `r.text` to the stored text of what it wrote.
   */
  async insert(session: WriteSession, kind: ResourceKind, r: ResourceRecord, labels: LabelMap): Promise<void> {
    const [written] = await session.exec<Record<string, unknown>, object>(this.of(kind).insert, {
      id: r.id,
      name: r.name,
      spec: JSON.stringify(r.spec),
      generation: r.generation,
      version: r.version,
      conditions: JSON.stringify(r.conditions),
      statuses: conditionStatuses(r.conditions),
      created: r.createdTime,
      updated: r.updatedTime,
      createdBy: r.createdBy,
      updatedBy: r.updatedBy,
      ownerId: r.ownerId ?? null,
      href: r.href ?? null,
      ownerHref: r.ownerHref ?? null,
      ...labelArrays(labels),
      ...referenceArrays(r.references ?? []),
    });
    r.text = storedText(written);
  }

  /**
   * Reads a live row for a change, with its labels and statuses; null when there is none. In the
   * optimistic run, one statement reads it all (one snapshot) and notes the row's version and how many
   * live rows depend on it; under locks, the row is locked first and its statuses read after (a
   * statement that waited for the lock still reads with the snapshot it started with, so it would miss
   * what the transaction it waited for wrote).
   */
  async lockRow(session: WriteSession, kind: ResourceKind, at: Address): Promise<Locked | null> {
    const s = this.of(kind);
    const args = { id: at.id, ...ownerArgs(at.owners) };
    const nested = at.owners !== undefined;
    if (session.optimistic) {
      const [row] = await session.exec<Record<string, unknown>, object>(nested ? s.rowSnapshot.nested : s.rowSnapshot.flat, args);
      if (!row) return null;
      session.note(row.id as string, row.revision as string, row.dependents as number);
      return { row: resourceRecord(row), labels: labelsOfRow(row), statuses: ((row.statuses ?? []) as Record<string, unknown>[]).map(statusRecord) };
    }
    const [row] = await session.exec<Record<string, unknown>, object>(nested ? s.rowLock.nested : s.rowLock.flat, args);
    if (!row) return null;
    // the locked row is its latest version, so its labels are current; the statuses are another table's rows
    return { row: resourceRecord(row), labels: labelsOfRow(row), statuses: await this.statusesOf(session, kind, [at.id]) };
  }

  /** Reads a live row for a status report (as `lockRow`, fewer columns); null when there is none. */
  async lockForStatus(session: WriteSession, kind: ResourceKind, at: Address): Promise<Locked<StatusRow> | null> {
    const s = this.of(kind);
    const args = { id: at.id, ...ownerArgs(at.owners) };
    const nested = at.owners !== undefined;
    if (session.optimistic) {
      const [row] = await session.exec<Record<string, unknown>, object>(nested ? s.statusSnapshot.nested : s.statusSnapshot.flat, args);
      if (!row) return null;
      session.note(row.id as string, row.revision as string);
      return { row: statusRow(row), labels: {}, statuses: ((row.statuses ?? []) as Record<string, unknown>[]).map(statusRecord) };
    }
    const [row] = await session.exec<Record<string, unknown>, object>(nested ? s.statusLock.nested : s.statusLock.flat, args);
    if (!row) return null;
    return { row: statusRow(row), labels: {}, statuses: await this.statusesOf(session, kind, [at.id]) };
  }

  /**
   * Writes back what PATCH and the deletion mark change on a row (its spec only with `spec`), with
   * `labels` its whole label set (PATCH semantics: `{}` clears it) and with `references` its whole set
   * of references, in one statement; in the optimistic run only while the row is still at the version read.
   * Sets `r.text` to the stored text of what it wrote.
   */
  async save(session: WriteSession, kind: ResourceKind, r: ResourceRecord, changed: { spec?: boolean; labels?: LabelMap; references?: readonly StoredReference[] } = {}): Promise<void> {
    const rev = session.revisionOf(r.id);
    const rows = await session.exec<Record<string, unknown>, object>(this.of(kind).save, {
      id: r.id,
      rev,
      spec: changed.spec ? JSON.stringify(r.spec) : null,
      generation: r.generation,
      version: r.version,
      conditions: JSON.stringify(r.conditions),
      statuses: conditionStatuses(r.conditions),
      updated: r.updatedTime,
      updatedBy: r.updatedBy,
      deletedTime: r.deletedTime,
      deletedBy: r.deletedBy,
      ...labelArrays(changed.labels),
      ...referenceArrays(changed.references),
    });
    if (rows.length === 0) session.contended();
    r.text = storedText(rows[0]);
  }

  /**
   * Stores one adapter's status (inserted or replaced) and touches its resource row in the same
   * statement: the recomputed conditions when given, else only a new version (so that every status write
   * is seen by a concurrent optimistic writer's revision check).
   */
  async upsertStatus(session: WriteSession, kind: ResourceKind, s: AdapterStatus, conditions?: ResourceCondition[]): Promise<void> {
    const rev = session.revisionOf(s.ownerId);
    const rows = await session.exec(this.of(kind).upsertStatus, {
      ownerId: s.ownerId,
      rev,
      conditions: conditions ? JSON.stringify(conditions) : null,
      statuses: conditions ? conditionStatuses(conditions) : null,
      statusId: s.id,
      adapter: s.adapter,
      observedGeneration: s.observedGeneration,
      reported: JSON.stringify(s.conditions),
      data: JSON.stringify(s.data ?? {}),
      metadata: s.metadata ? JSON.stringify(s.metadata) : null,
      createdTime: s.createdTime,
      lastReportTime: s.lastReportTime,
    });
    if (rows.length === 0) session.contended();
  }

  /**
   * Locks a live row against being marked or removed while something is created under it or made to
   * refer to it; null when there is none, else whether it is marked for deletion. The lock is an update
   * that changes nothing but the row's version, so that an optimistic deletion that read the row before
   * cannot apply.
   */
  async hold(session: WriteSession, kind: ResourceKind, id: string): Promise<{ deletedTime: Date | null } | null> {
    session.needLocks();
    const [row] = await session.exec<Record<string, unknown>, object>(this.of(kind).hold, { id });
    return row ? { deletedTime: pgDate(row.deleted_time) } : null;
  }

  /** The live rows of `child` under `parentId`, locked in id order (so concurrent cascades cannot deadlock), with their statuses. */
  async lockChildren(session: WriteSession, child: ResourceKind, parentId: string): Promise<Locked[]> {
    // the optimistic run read the parent with its dependents; none: nothing to lock
    if (session.dependentsOf(parentId) === 0) return [];
    session.needLocks();
    const rows = await session.exec<Record<string, unknown>, object>(this.of(child).lockUnder!, { ownerId: parentId });
    if (rows.length === 0) return [];
    const statuses = await this.statusesOf(session, child, rows.map((r) => r.id as string));
    return rows.map((r) => ({ row: resourceRecord(r), labels: labelsOfRow(r), statuses: statuses.filter((st) => st.ownerId === r.id) }));
  }

  /** The rows of `child` under `parentId` that are not marked for deletion (CONTRACT R5.3). */
  async activeChildren(session: WriteSession, child: ResourceKind, parentId: string): Promise<number> {
    if (session.dependentsOf(parentId) === 0) return 0;
    session.needLocks();
    const [row] = await session.exec<{ n: number }, object>(this.of(child).activeUnder!, { ownerId: parentId });
    return row.n;
  }

  /** The live rows of every child kind under a row (marked ones included). */
  async liveChildren(session: WriteSession, kind: ResourceKind, id: string): Promise<number> {
    const statement = this.of(kind).children;
    if (!statement || session.dependentsOf(id) === 0) return 0;
    session.needLocks();
    const [row] = await session.exec<{ n: number }, object>(statement, { id });
    return row.n;
  }

  /** The live rows of every child kind under a row that is being deleted (a status report's finalization): under locks. */
  async childrenWhileDeleting(session: WriteSession, kind: ResourceKind, id: string): Promise<number> {
    session.needLocks();
    const statement = this.of(kind).children;
    if (!statement) return 0;
    const [row] = await session.exec<{ n: number }, object>(statement, { id });
    return row.n;
  }

  /** The live resources not marked for deletion that refer to a row (CONTRACT R5.4), by kind and name. */
  async referrers(session: WriteSession, kind: ResourceKind, id: string): Promise<{ kind: string; name: string }[]> {
    const statement = this.of(kind).referrers;
    if (!statement || session.dependentsOf(id) === 0) return [];
    session.needLocks();
    return session.exec<{ kind: string; name: string }, object>(statement, { id });
  }

  /**
   * Removal (CONTRACT D4): the rows, their statuses, labels and references (held and pointing at them)
   * get deleted_at; a row not yet marked for deletion is marked by `by` at the same time.
   */
  async remove(session: WriteSession, kind: ResourceKind, ids: readonly string[], at: Date, by: string): Promise<void> {
    session.needLocks();
    if (ids.length === 0) return;
    await session.exec(this.of(kind).remove, { ids, at, by });
    await session.exec(this.removeStatuses, { kind: kind.kind, ids, at });
    await session.exec(this.removeLabels, { kind: kind.kind, ids, at });
    if (kind.references.length || kind.referencedBy.length) await session.exec(this.removeReferences, { ids, at });
  }

  /** The live statuses of some rows of a kind, in list order (CONTRACT D11). */
  async statusesOf(session: WriteSession, kind: ResourceKind, ids: readonly string[]): Promise<AdapterStatus[]> {
    const rows = await session.exec<Record<string, unknown>, object>(this.statusesOfRows, { kind: kind.kind, ids });
    return rows.map(statusRecord);
  }

  // ---- reads ------------------------------------------------------------------------------------

  /** One live row rendered as its wire JSON text by PostgreSQL, with its version (GET by id): one prepared statement. */
  async rendered(kind: ResourceKind, at: Address): Promise<RenderedRow | null> {
    const s = this.of(kind).rendered;
    const statement = at.owners !== undefined ? s.nested : s.flat;
    const [found] = await queryBound<RenderedRow>(this.em, statement.sql, statement.values({ id: at.id, ...ownerArgs(at.owners) }), statement.name);
    return found ?? null;
  }

  /**
   * The first resource of an address that does not exist, from the top: the cluster of
   * `/clusters/{c}/nodepools/{n}` when it is missing, else the node pool (for the 404's message).
   */
  async firstMissing(kind: ResourceKind, at: Address): Promise<{ kind: ResourceKind; id: string }> {
    const owners = at.owners ?? [];
    const chain: [ResourceKind, Address][] = [];
    let owner = kind.parent;
    for (let i = 0; i < owners.length && owner; i++, owner = owner.parent) chain.unshift([owner, { id: owners[i], owners: i + 1 < owners.length ? owners.slice(i + 1) : undefined }]);
    for (const [k, a] of chain) if (!isPossibleAddress(a) || !(await this.exists(k, a))) return { kind: k, id: a.id };
    return { kind, id: at.id };
  }

  /** The kind of the live resource with this id (any kind: the generic /resources API); null when there is none. */
  async kindOf(id: string): Promise<string | null> {
    const [row] = await queryBound<{ kind: string }>(this.em, this.kindOfId.sql, this.kindOfId.values({ id }), this.kindOfId.name);
    return row?.kind ?? null;
  }

  /** Whether a live row is at the address. */
  async exists(kind: ResourceKind, at: Address): Promise<boolean> {
    const s = this.of(kind).exists;
    const statement = at.owners !== undefined ? s.nested : s.flat;
    const rows = await queryBound(this.em, statement.sql, statement.values({ id: at.id, ...ownerArgs(at.owners) }), statement.name);
    return rows.length > 0;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an address's ids can exist at all: ids that are not UUIDs cannot (D5), and are not sent to PostgreSQL. */
export function isPossibleAddress(at: Address): boolean {
  return UUID.test(at.id) && (at.owners ?? []).every((id) => UUID.test(id));
}

function statusRow(row: Record<string, unknown>): StatusRow {
  const status: StatusRow = {
    id: row.id as string,
    generation: row.generation as number,
    version: row.version as number,
    conditions: row.conditions as ResourceCondition[],
    createdTime: pgDate(row.created_time)!,
    updatedTime: pgDate(row.updated_time)!,
    deletedTime: pgDate(row.deleted_time),
  };
  // the columns of a kind with mapping rules
  if (row.spec !== undefined) {
    Object.assign(status, { name: row.name, spec: row.spec, createdBy: row.created_by, updatedBy: row.updated_by, deletedBy: row.deleted_by ?? null });
    if (row.owner_id !== undefined) status.ownerId = row.owner_id as string;
    if (row.href !== undefined) status.href = row.href as string;
    if (row.owner_href !== undefined && row.owner_href !== null) status.ownerHref = row.owner_href as string;
  }
  return status;
}

/** The statements held by a value of KindStatements (a statement, or the two variants of one). */
function collect(value: unknown, out: Statement[]): void {
  if (!value || typeof value !== 'object') return;
  if ('sql' in value && 'name' in value) out.push(value as Statement);
  else if ('flat' in value && 'nested' in value) out.push((value as { flat: Statement }).flat, (value as { nested: Statement }).nested);
}
