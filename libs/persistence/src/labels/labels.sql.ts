import { Kysely, RawBuilder, sql } from 'kysely';
import { arg } from '../sql/statement';

/*
 * The labels' SQL (CONTRACT D3: one row per key in the polymorphic `labels` table, `owner_type` = the
 * kind): writing a label set with its resource row, its rendering on the row, and the label predicates
 * of searches. The resource statements compose these pieces, so that a row and its labels are written by
 * one statement.
 */

/** The label set of a write as two text arrays (keys, values) that `unnest` turns back into rows. */
export interface LabelArrays {
  keys: string[] | null;
  values: string[] | null;
}

/** `labels` → the arrays `unnest(keys, values)` turns back into rows, or nulls for "leave the labels as they are". */
export function labelArrays(labels: Readonly<Record<string, string>> | undefined): LabelArrays {
  if (!labels) return { keys: null, values: null };
  const entries = Object.entries(labels);
  return { keys: entries.map(([k]) => k), values: entries.map(([, v]) => v) };
}

/** The label set given as the arguments `keys` and `values`, as rows `x(key, value)`. */
const labelRows = (): RawBuilder<unknown> => sql`unnest(cast(${arg('keys')} as text[]), cast(${arg('values')} as text[]))`;

/** `from` item: the label set's rows aliased `x(key, value)`. */
export const labelRowsFrom = () => labelRows().as(sql`x(key, value)` as never);

/**
 * The wire JSON text of the label set given as arguments: `{"key":"value",…}`, keys in order; SQL null
 * for no labels. Stored on the resource row (`rendered_labels`) by the statement that writes the labels,
 * so that reads send it as it is.
 */
export function renderedLabels(): RawBuilder<string | null> {
  return sql`(select '{' || string_agg(to_json(x.key)::text || ':' || to_json(x.value)::text, ',' order by x.key) || '}' from ${labelRows()} as x(key, value))`;
}

/** Inserts the label set of the rows of CTE `owners` (column `id`) of kind `kind`. */
export function insertLabels(db: Kysely<any>, kind: string, owners: string) {
  return db
    .insertInto('labels')
    .columns(['owner_type', 'owner_id', 'key', 'value'])
    .expression(db.selectFrom([owners, labelRowsFrom()]).select([sql.lit(kind).as('owner_type'), `${owners}.id`, 'x.key', 'x.value']));
}

/** Removes the labels of the rows of CTE `owners` whose keys are not in the label set (when one is given). */
export function removeOtherLabels(db: Kysely<any>, kind: string, owners: string) {
  return db
    .deleteFrom('labels as l')
    .using(owners)
    .where(sql<boolean>`cast(${arg('keys')} as text[]) is not null`)
    .where('l.owner_type', '=', sql.lit(kind))
    .whereRef('l.owner_id', '=', `${owners}.id`)
    .where(sql<boolean>`l.key <> all(cast(${arg('keys')} as text[]))`);
}

/** Writes the label set (new keys inserted, changed values updated) for the rows of CTE `owners`. */
export function upsertLabels(db: Kysely<any>, kind: string, owners: string) {
  return insertLabels(db, kind, owners).onConflict((oc) =>
    oc.columns(['owner_type', 'owner_id', 'key']).doUpdateSet({ value: sql.ref('excluded.value'), deleted_at: sql.lit(null) } as never),
  );
}

/**
 * A label search predicate (CONTRACT §6.3): the resource aliased `owner` of `kind` has a live label `l`
 * passing `test` (its key and value), as an index-backed semi-join on `labels_live_search_idx`.
 */
export function hasLabel(db: Kysely<any>, kind: string, owner: string, test: RawBuilder<boolean>): RawBuilder<boolean> {
  const label = db.selectFrom('labels as l').select(sql`1`.as('one')).where('l.owner_type', '=', sql.lit(kind)).whereRef('l.owner_id', '=', `${owner}.id`).where(test);
  return sql<boolean>`exists ${label}`;
}

/**
 * The number of live labels of `kind` passing `test`: for a search that is one label predicate matched by
 * having the label, the number of matching resources (each has at most one label per key, removed with
 * it), counted from the labels index alone.
 */
export function countLabels(db: Kysely<any>, kind: string, test: RawBuilder<boolean>): RawBuilder<unknown> {
  return sql`${db.selectFrom('labels as l').select(sql`count(*)`.as('count')).where('l.owner_type', '=', sql.lit(kind)).where(test)}`;
}
