import type { ResourceKind } from '@app/config';
import { Kysely, sql } from 'kysely';
import { arg } from '../sql/statement';

/** Base path of every API route; hrefs start with it. */
export const API_BASE = '/api/hyperfleet/v1';

/*
 * How a kind's rows are found, from its descriptor (the registry's `storage`): which table, the kind
 * condition on the shared `resources` table, and how a row is addressed — by its id alone (flat routes,
 * `/nodepools/{id}`) or by its id under its owners (nested routes, `/clusters/{c}/nodepools/{id}`). The
 * live-row condition is never written here: the LiveRowsPlugin adds it to every table a statement reads.
 */

/** A Kysely query builder of any shape (statements here are built once from descriptors, so loosely typed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyQuery = any;

/** An SQL string literal (kind names are validated identifiers; quoting keeps any text safe). */
export const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The kinds grouped by the table their rows are in (the shared table's kinds together), in order. */
export const kindsByTable = (kinds: readonly ResourceKind[]): ResourceKind[][] => [...Map.groupBy(kinds, (kind) => kind.storage.table).values()];

/** `<table> as <alias>` of the kind. */
export const tableOf = (kind: ResourceKind, alias: string): string => `${kind.storage.table} as ${alias}`;

/** The rows of `kind` in its table aliased `alias`: the shared table's rows of other kinds left out. */
export function ofKind<Q extends AnyQuery>(qb: Q, kind: ResourceKind, alias: string): Q {
  return kind.storage.shared ? (qb as AnyQuery).where(`${alias}.kind`, '=', sql.lit(kind.kind)) : qb;
}

/** `select … from <kind's table> as <alias>` of the kind's rows. */
export function selectKind(db: Kysely<any>, kind: ResourceKind, alias = 'r'): AnyQuery {
  return ofKind(db.selectFrom(tableOf(kind, alias)), kind, alias);
}

/** The argument names of an address's owners, nearest first: `owner0` the parent, `owner1` its parent, … */
export const ownerArg = (level: number): string => `owner${level}`;

/** How many owners a nested address of the kind names (its ancestors). */
export function depthOf(kind: ResourceKind): number {
  let depth = 0;
  for (let k = kind.parent; k; k = k.parent) depth++;
  return depth;
}

/**
 * The row aliased `alias` addressed by its id (`arg('id')`) and, when `nested`, by its owners: the parent
 * by `owner_id`, each further ancestor by a join on the one below it (`o1`, `o2`, …), so that
 * `/a/{x}/b/{y}/c/{z}` finds `z` only under `y` under `x`.
 */
export function addressed<Q extends AnyQuery>(qb: Q, kind: ResourceKind, alias: string, nested: boolean): Q {
  let q = (qb as AnyQuery).where(`${alias}.id`, '=', arg('id'));
  if (!nested || !kind.parent) return q;
  q = q.where(`${alias}.owner_id`, '=', arg(ownerArg(0)));
  let below = alias;
  let level = 1;
  for (let owner = kind.parent; owner.parent; owner = owner.parent, level++) {
    const o = `o${level}`;
    const of = owner;
    const from = below;
    q = q.innerJoin(tableOf(of, o), (join: AnyQuery) => {
      const on = join.onRef(`${o}.id`, '=', `${from}.owner_id`).on(`${o}.owner_id`, '=', arg(ownerArg(level)));
      return of.storage.shared ? on.on(`${o}.kind`, '=', sql.lit(of.kind)) : on;
    });
    below = o;
  }
  return q;
}

/** The owner ids of an address as statement arguments (`owner0`, `owner1`, …). */
export function ownerArgs(owners: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  owners?.forEach((id, level) => (out[ownerArg(level)] = id));
  return out;
}

/**
 * The href of the row aliased `alias` as SQL: the stored column on the shared table; else computed, as
 * the built-in kinds' hrefs always were (`/clusters/{id}`, `/clusters/{owner}/nodepools/{id}`).
 */
export function kindHrefSql(kind: ResourceKind, alias: string): string {
  if (kind.storage.shared) return `${alias}.href`;
  if (!kind.parent) return `${sqlLiteral(`${API_BASE}/${kind.plural}/`)} || ${alias}.id`;
  if (kind.parent.parent || kind.parent.storage.shared) throw new Error(`${kind.kind}: a kind of its own table must have a root parent of its own table`);
  return `${sqlLiteral(`${API_BASE}/${kind.parent.plural}/`)} || ${alias}.owner_id || ${sqlLiteral(`/${kind.plural}/`)} || ${alias}.id`;
}

/** The href of the owner of the row aliased `alias` as SQL (child kinds only). */
export function ownerHrefSql(kind: ResourceKind, alias: string): string {
  if (!kind.parent) throw new Error(`${kind.kind} has no owner`);
  if (kind.storage.shared) return `${alias}.owner_href`;
  return `${sqlLiteral(`${API_BASE}/${kind.parent.plural}/`)} || ${alias}.owner_id`;
}

/** The href of a resource of `kind` with id `id` under `owners` (nearest first): its canonical item path. */
export function hrefOf(kind: ResourceKind, id: string, owners: readonly string[] = []): string {
  if (!kind.parent) return `${API_BASE}/${kind.plural}/${id}`;
  const [parent, ...above] = owners;
  if (parent === undefined) throw new Error(`the href of a ${kind.kind} needs its owners`);
  return `${hrefOf(kind.parent, parent, above)}/${kind.plural}/${id}`;
}
