import type { ResourceKind } from '@app/config';
import { Kysely, RawBuilder, sql } from 'kysely';
import { labelRowsFrom, removeOtherLabels, renderedLabels, upsertLabels } from '../labels/labels.sql';
import { arg, prepare, Statement } from '../sql/statement';
import { addressed, AnyQuery, kindsByTable, ofKind, selectKind, tableOf } from './kind-sql';

/*
 * Every statement the write paths and the item reads send for one kind, compiled once when the
 * application starts (the registry is fixed by then) and run as named prepared statements. Each reads
 * live rows only because the LiveRowsPlugin of the builder `db` says so; none writes the condition.
 */

/**
 * What a change reads of a row (what `resourceRecord` maps, and `rendered_labels` for the labels); `spec`
 * and `conditions` as their jsonb text, which the write answers send as the reads do (`StoredText`).
 */
const ROW_COLUMNS = ['id', 'name', 'generation', 'version', 'created_time', 'updated_time', 'created_by', 'updated_by', 'deleted_time', 'deleted_by', 'deleted_at', 'rendered_labels'];
/** The stored text a write returns of the row it wrote (`StoredText`), aliased `alias`. */
const storedTextOf = (alias?: string) => {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return [sql.raw<string>(`${col('spec')}::text`).as('spec'), sql.raw<string>(`${col('conditions')}::text`).as('conditions'), sql.ref(col('rendered_labels')).as('rendered_labels')];
};
/** What the status path reads of a row. */
const STATUS_COLUMNS = ['id', 'generation', 'version', 'conditions', 'created_time', 'updated_time', 'deleted_time'];
/** What it reads besides for a kind with condition mapping rules: the rest of the rules' `resource` variable (CONTRACT §5.9). */
const MAPPING_COLUMNS = ['name', 'spec', 'created_by', 'updated_by', 'deleted_by'];

/** The columns the status path reads of a kind's rows. */
function statusColumns(kind: ResourceKind, alias: string): string[] {
  const columns = [...STATUS_COLUMNS];
  if (kind.rules.length) {
    columns.push(...MAPPING_COLUMNS);
    if (kind.parent) columns.push('owner_id');
    if (kind.storage.shared) columns.push('href', 'owner_href');
  }
  return columns.map((c) => `${alias}.${c}`);
}

/** The columns of a kind's rows a change reads: its owner and, on the shared table, the stored hrefs. */
function rowColumns(kind: ResourceKind, alias: string): unknown[] {
  const columns = [...ROW_COLUMNS];
  if (kind.parent) columns.push('owner_id');
  if (kind.storage.shared) columns.push('href', 'owner_href');
  return [...columns.map((c) => `${alias}.${c}`), ...storedTextOf(alias).slice(0, 2)];
}

/** Two variants of a statement that finds one row: by its id alone (flat routes) and under its owners (nested). */
export interface ByAddress<A extends object> {
  flat: Statement<A>;
  nested: Statement<A>;
}

function byAddress<A extends object>(name: string, kind: ResourceKind, build: (nested: boolean) => AnyQuery): ByAddress<A> {
  const flat = prepare<A>(`${name}_${kind.kind}`, build(false));
  return { flat, nested: kind.parent ? prepare<A>(`${name}_${kind.kind}_under`, build(true)) : flat };
}

/**
 * The statuses of the row aliased `r` as one JSON array in list order (CONTRACT D11), read with the row:
 * one snapshot of both.
 */
function statusesOfRow(db: Kysely<any>, kind: ResourceKind): RawBuilder<unknown> {
  const statuses = db
    .selectFrom('adapter_statuses as s')
    .select(sql`json_agg(s order by s.created_time, s.adapter)`.as('statuses'))
    .where('s.owner_type', '=', sql.lit(kind.kind))
    .whereRef('s.owner_id', '=', 'r.id');
  return sql`(${statuses})`;
}

/**
 * The live children of one row (every child kind, or those `only` picks) as an SQL count: `owner` is the
 * row's id (a column of the enclosing query, or an argument). None when the kind has no such child kinds.
 */
export function liveChildren(db: Kysely<any>, kind: ResourceKind, owner: RawBuilder<unknown>, only?: (child: ResourceKind) => boolean): RawBuilder<number> | undefined {
  const children = kind.children.filter((c) => !only || only(c));
  if (children.length === 0) return undefined;
  // one count per table: the shared table's kinds together
  const counts = kindsByTable(children).map((kinds) => {
    let q: AnyQuery = db.selectFrom(tableOf(kinds[0], 'c')).select(sql`count(*)::int`.as('n')).where('c.owner_id', '=', owner);
    if (kinds[0].storage.shared) q = q.where('c.kind', 'in', kinds.map((k) => sql.lit(k.kind)));
    return sql`(${q})`;
  });
  return sql<number>`(${sql.join(counts, sql` + `)})`;
}

/** The live references to row `alias` from other resources; none when no kind references this one. */
export function inboundReferences(db: Kysely<any>, kind: ResourceKind, alias: string): RawBuilder<number> | undefined {
  if (kind.referencedBy.length === 0) return undefined;
  return sql<number>`(${db.selectFrom('resource_references as x').select(sql`count(*)::int`.as('n')).whereRef('x.target_id', '=', `${alias}.id`)})`;
}

/** The references of the row aliased `r` as a JSON array (ref type, target kind and id, in order), for the kinds that have references. */
function referencesOfRow(db: Kysely<any>): RawBuilder<unknown> {
  const refs = db
    .selectFrom('resource_references as x')
    .select(sql`json_agg(json_build_object('ref_type', x.ref_type, 'target_kind', x.target_kind, 'target_id', x.target_id) order by x.ref_type, x.position)`.as('refs'))
    .whereRef('x.owner_id', '=', 'r.id');
  return sql`(${refs})`;
}

/** The references given as arrays (types, target kinds, target ids; in order) as rows `y(ref_type, target_kind, target_id, position)`. */
const givenReferences = () =>
  sql`unnest(cast(${arg('refTypes')} as text[]), cast(${arg('refKinds')} as text[]), cast(${arg('refIds')} as uuid[])) with ordinality`.as(sql`y(ref_type, target_kind, target_id, position)` as never);

/** Writes the given references for the rows of CTE `owners` (an existing one gets its new position). */
function upsertReferences(db: Kysely<any>, kind: ResourceKind, owners: string) {
  return db
    .insertInto('resource_references')
    .columns(['owner_kind', 'owner_id', 'ref_type', 'target_kind', 'target_id', 'position'])
    .expression(db.selectFrom([owners, givenReferences()]).select([sql.lit(kind.kind).as('owner_kind'), `${owners}.id`, 'y.ref_type', 'y.target_kind', 'y.target_id', sql`y.position::int`.as('position')]))
    .onConflict((oc: AnyQuery) => oc.columns(['owner_id', 'ref_type', 'target_id']).doUpdateSet({ position: sql.ref('excluded.position'), target_kind: sql.ref('excluded.target_kind'), deleted_at: sql.lit(null) }));
}

/** Removes the references of the rows of CTE `owners` that are not among the given ones, when `setRefs`. */
function removeOtherReferences(db: Kysely<any>, owners: string) {
  return db
    .deleteFrom('resource_references as x')
    .using(owners)
    .whereRef('x.owner_id', '=', `${owners}.id`)
    .where(sql<boolean>`cast(${arg('setRefs')} as boolean)`)
    .where(({ not, exists, selectFrom }: AnyQuery) =>
      not(exists(selectFrom(givenReferences()).select(sql`1`.as('one')).whereRef('y.ref_type', '=', 'x.ref_type').whereRef('y.target_id', '=', 'x.target_id'))),
    );
}

/** The statements of one kind. */
export class KindStatements {
  /** Inserts a row with its labels (and references) in one statement (atomic on its own); returns the row's stored text. */
  readonly insert: Statement;
  /** The status path's read: the row, its version and its statuses, one snapshot (optimistic). */
  readonly statusSnapshot: ByAddress<object>;
  /** The status path's read under a row lock. */
  readonly statusLock: ByAddress<object>;
  /** A change's read: the row, its version, statuses and live dependents (children, inbound references), one snapshot (optimistic). */
  readonly rowSnapshot: ByAddress<object>;
  /** A change's read under a row lock. */
  readonly rowLock: ByAddress<object>;
  /** Writes back a changed row (its labels and references when given), only at the version read when a revision is given; returns the row's stored text. */
  readonly save: Statement;
  /** Stores one adapter's status and touches the row (new conditions when given, else only a new version), at the version read when given. */
  readonly upsertStatus: Statement;
  /** Locks a live row against being marked or removed while something is created under it or refers to it; returns its state. */
  readonly hold: Statement;
  /** This kind's live rows under an owner, in id order, locked (cascades). */
  readonly lockUnder?: Statement;
  /** This kind's rows under an owner that are not marked for deletion (restrict). */
  readonly activeUnder?: Statement;
  /** The live rows of every child kind under one of this kind's rows. */
  readonly children?: Statement;
  /** The row as its wire JSON text, with its version. */
  readonly rendered: ByAddress<object>;
  /** Whether a live row exists (for the 404 of a nested address: which of its owners is missing). */
  readonly exists: ByAddress<object>;
  /** Removal (CONTRACT D4): the rows get deleted_at and a new version. */
  readonly remove: Statement;
  /** The live resources that refer to a row of this kind (kind and name), for the 409 of its deletion. */
  readonly referrers?: Statement;

  constructor(
    readonly kind: ResourceKind,
    db: Kysely<any>,
    json: RawBuilder<string>,
  ) {
    const k = kind.kind;
    const table = kind.storage.table;
    const hasRefs = kind.references.length > 0;

    // ---- insert -----------------------------------------------------------------------------
    const values: Record<string, unknown> = {
      id: arg('id'),
      name: arg('name'),
      spec: sql`cast(${arg('spec')} as jsonb)`,
      generation: arg('generation'),
      version: arg('version'),
      conditions: sql`cast(${arg('conditions')} as jsonb)`,
      condition_statuses: sql`cast(${arg('statuses')} as text[])`,
      created_time: sql`cast(${arg('created')} as timestamptz)`,
      updated_time: sql`cast(${arg('updated')} as timestamptz)`,
      created_by: arg('createdBy'),
      updated_by: arg('updatedBy'),
      rendered_labels: renderedLabels(),
    };
    if (kind.parent) values.owner_id = sql`cast(${arg('ownerId')} as uuid)`;
    if (kind.storage.shared) {
      values.kind = sql.lit(k);
      values.href = arg('href');
      if (kind.parent) {
        values.owner_kind = sql.lit(kind.parent.kind);
        values.owner_href = arg('ownerHref');
      }
    }
    let insert: AnyQuery = db.with('r', (d) => d.insertInto(table).values(values).returning(['id', ...storedTextOf()]));
    if (hasRefs) insert = insert.with('refs', () => upsertReferences(db, kind, 'r'));
    insert = insert.with('l', (d: AnyQuery) => d.insertInto('labels').columns(['owner_type', 'owner_id', 'key', 'value']).expression(db.selectFrom(['r', labelRowsFrom()]).select([sql.lit(k).as('owner_type'), 'r.id', 'x.key', 'x.value'])));
    // the row's stored text, for the answer (StoredText)
    this.insert = prepare(`insert_${k}`, insert.selectFrom('r').select(['r.spec', 'r.conditions', 'r.rendered_labels']));

    // ---- reads of one row ---------------------------------------------------------------------
    const statusRead = (nested: boolean) =>
      addressed(
        selectKind(db, kind).select(statusColumns(kind, 'r')),
        kind,
        'r',
        nested,
      );
    this.statusSnapshot = byAddress(`status_snapshot`, kind, (nested) => statusRead(nested).select([sql`r.xmin::text`.as('revision'), statusesOfRow(db, kind).as('statuses')]));
    this.statusLock = byAddress(`status_lock`, kind, (nested) => statusRead(nested).forUpdate(['r']));

    const dependents = [liveChildren(db, kind, sql.ref('r.id')), inboundReferences(db, kind, 'r')].filter((x): x is RawBuilder<number> => x !== undefined);
    const rowRead = (nested: boolean) => {
      let q = addressed(selectKind(db, kind).select(rowColumns(kind, 'r')), kind, 'r', nested);
      if (hasRefs) q = q.select(referencesOfRow(db).as('refs'));
      return q;
    };
    this.rowSnapshot = byAddress(`snapshot`, kind, (nested) =>
      rowRead(nested).select([
        sql`r.xmin::text`.as('revision'),
        statusesOfRow(db, kind).as('statuses'),
        (dependents.length ? sql`${sql.join(dependents, sql` + `)}` : sql`0`).as('dependents'),
      ]),
    );
    this.rowLock = byAddress(`lock`, kind, (nested) => rowRead(nested).forUpdate(['r']));

    // ---- save -------------------------------------------------------------------------------
    const revisionMatches = sql<boolean>`(cast(${arg('rev')} as text) is null or xmin = cast(cast(${arg('rev')} as text) as xid))`;
    let save: AnyQuery = db.with('u', (d) =>
      d
        .updateTable(table)
        .set({
          spec: sql`coalesce(cast(${arg('spec')} as jsonb), spec)`,
          generation: arg('generation'),
          version: arg('version'),
          conditions: sql`cast(${arg('conditions')} as jsonb)`,
          condition_statuses: sql`cast(${arg('statuses')} as text[])`,
          updated_time: sql`cast(${arg('updated')} as timestamptz)`,
          updated_by: arg('updatedBy'),
          deleted_time: sql`cast(${arg('deletedTime')} as timestamptz)`,
          deleted_by: arg('deletedBy'),
          rendered_labels: sql`case when cast(${arg('keys')} as text[]) is null then rendered_labels else ${renderedLabels()} end`,
        })
        .where('id', '=', arg('id'))
        .where(revisionMatches)
        .returning(['id', ...storedTextOf()]),
    );
    save = save.with('d', () => removeOtherLabels(db, k, 'u')).with('i', () => upsertLabels(db, k, 'u'));
    if (hasRefs) {
      // given references (setRefs) replace the stored ones whole: `{}` clears them
      save = save.with('rd', () => removeOtherReferences(db, 'u')).with('ri', () => upsertReferences(db, kind, 'u'));
    }
    // the row's stored text after the write, for the answer (StoredText)
    this.save = prepare(`save_${k}`, save.selectFrom('u').select(['u.id', 'u.spec', 'u.conditions', 'u.rendered_labels']));

    // ---- status upsert -------------------------------------------------------------------------
    this.upsertStatus = prepare(
      `status_upsert_${k}`,
      db
        .with('r', (d) =>
          d
            .updateTable(table)
            .set({
              conditions: sql`coalesce(cast(${arg('conditions')} as jsonb), conditions)`,
              condition_statuses: sql`coalesce(cast(${arg('statuses')} as text[]), condition_statuses)`,
            })
            .where('id', '=', arg('ownerId'))
            .where(revisionMatches)
            .returning('id'),
        )
        .insertInto('adapter_statuses')
        .columns(['id', 'owner_type', 'owner_id', 'adapter', 'observed_generation', 'conditions', 'data', 'metadata', 'created_time', 'last_report_time'])
        .expression(
          db
            .selectFrom('r')
            .select([
              sql`cast(${arg('statusId')} as uuid)`.as('id'),
              sql.lit(k).as('owner_type'),
              'r.id',
              sql`cast(${arg('adapter')} as text)`.as('adapter'),
              sql`cast(${arg('observedGeneration')} as int)`.as('observed_generation'),
              sql`cast(${arg('reported')} as jsonb)`.as('conditions'),
              sql`cast(${arg('data')} as jsonb)`.as('data'),
              sql`cast(${arg('metadata')} as jsonb)`.as('metadata'),
              sql`cast(${arg('createdTime')} as timestamptz)`.as('created_time'),
              sql`cast(${arg('lastReportTime')} as timestamptz)`.as('last_report_time'),
            ]),
        )
        .onConflict((oc: AnyQuery) =>
          oc.columns(['owner_type', 'owner_id', 'adapter']).doUpdateSet({
            observed_generation: sql.ref('excluded.observed_generation'),
            conditions: sql.ref('excluded.conditions'),
            data: sql.ref('excluded.data'),
            metadata: sql.ref('excluded.metadata'),
            last_report_time: sql.ref('excluded.last_report_time'),
          }),
        )
        .returning(sql`1`.as('written')),
    );

    // ---- parents, children, references --------------------------------------------------------
    // an update that changes nothing but the row's version: a lock, and a mark an optimistic writer that read the row before sees
    this.hold = prepare(
      `hold_${k}`,
      ofKind(db.updateTable(`${table} as r`).set({ conditions: sql.ref('r.conditions') }).where('r.id', '=', arg('id')), kind, 'r').returning('r.deleted_time'),
    );
    if (kind.parent) {
      this.lockUnder = prepare(`lock_under_${k}`, selectKind(db, kind).select(rowColumns(kind, 'r')).where('r.owner_id', '=', arg('ownerId')).orderBy('r.id').forUpdate(['r']));
      this.activeUnder = prepare(`active_under_${k}`, selectKind(db, kind).select(sql`count(*)::int`.as('n')).where('r.owner_id', '=', arg('ownerId')).where('r.deleted_time', 'is', null));
    }
    const children = liveChildren(db, kind, sql`cast(${arg('id')} as uuid)`);
    if (children) this.children = prepare(`children_${k}`, db.selectNoFrom(children.as('n')));
    if (kind.referencedBy.length) {
      const branches = kind.referencedBy
        .filter((by, i, all) => all.findIndex((o) => o.kind === by.kind) === i)
        .map((by) =>
          ofKind(
            db
              .selectFrom('resource_references as x')
              .innerJoin(tableOf(by.kind, 'o'), 'o.id', 'x.owner_id')
              .select([sql.lit(by.kind.kind).as('kind'), 'o.name'])
              .where('x.target_id', '=', arg('id'))
              .where('o.deleted_time', 'is', null),
            by.kind,
            'o',
          ),
        );
      this.referrers = prepare(`referrers_${k}`, branches.reduce((all: AnyQuery, b: AnyQuery) => all.unionAll(b)).orderBy('kind').orderBy('name'));
    }

    // ---- item reads -------------------------------------------------------------------------------
    this.rendered = byAddress(`get`, kind, (nested) => addressed(selectKind(db, kind).crossJoinLateral(db.selectNoFrom(json.as('json')).as('j')).select(['r.version', 'j.json']), kind, 'r', nested));
    this.exists = byAddress(`exists`, kind, (nested) => addressed(selectKind(db, kind).select(sql`1`.as('found')), kind, 'r', nested));
    // a row removed without a mark (at once, or under a force-deleted parent) gets one too: every removed row says when and by whom
    this.remove = prepare(
      `remove_${k}`,
      ofKind(
        db
          .updateTable(`${table} as r`)
          .set({
            deleted_at: sql`cast(${arg('at')} as timestamptz)`,
            version: sql`r.version + 1`,
            deleted_by: sql`case when r.deleted_time is null then cast(${arg('by')} as text) else r.deleted_by end`,
            deleted_time: sql`coalesce(r.deleted_time, cast(${arg('at')} as timestamptz))`,
          })
          .where(sql<boolean>`r.id = any(cast(${arg('ids')} as uuid[]))`),
        kind,
        'r',
      ),
    );
  }
}
