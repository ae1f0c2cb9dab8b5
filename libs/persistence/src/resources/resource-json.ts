import type { ResourceKind } from '@app/config';
import { Kysely, RawBuilder, sql } from 'kysely';
import { API_BASE, kindHrefSql, ownerHrefSql } from './kind-sql';

/*
 * The wire JSON of a resource rendered by PostgreSQL for the reads (GET by id, lists), so that Node passes
 * text through instead of parsing jsonb and dates, presenting and serializing again. The write answers
 * (apps/api presentResource) write the same bytes: the same members in the same order, and the same text
 * of `spec`, `labels` and `status.conditions`, which their statements return (`StoredText`);
 * test/e2e/read-rendering.e2e-spec.ts holds every route to the same bytes.
 *
 * Objects are concatenated: json_build_object writes spaces (`{"a" : 1}`) and jsonb does not keep key
 * order. A member whose value is SQL null is left out (concat_ws skips nulls), as JSON.stringify leaves
 * out undefined. The text is JSON.stringify's except inside `spec` and `status.conditions`, which are
 * jsonb's own text: a space after `:` and `,`, jsonb's key order (shorter keys first; JavaScript puts
 * integer-like keys first), numbers as stored (`1.0` and `1000000000000000000000` where JavaScript writes
 * `1` and `1e+21`). The stored conditions are the wire objects the aggregation wrote; sending their text
 * as it is costs PostgreSQL a fraction of taking each condition apart into another key order (about 20 µs
 * per resource), and normalising it in JavaScript would need the text anyway.
 */

/** An SQL string literal. */
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** `"key":value`; SQL null when the value is. */
const member = (key: string, value: string): string => `${literal(`${JSON.stringify(key)}:`)} || ${value}`;

/** A JSON object of the members in order, those that are SQL null left out. */
const object = (members: string[]): string => `'{' || concat_ws(',', ${members.join(', ')}) || '}'`;

/** A text value as a JSON string (PostgreSQL escapes exactly the characters JSON.stringify does). */
const jsonString = (text: string): string => `to_json(${text})::text`;

/**
 * A timestamptz as Date.toISOString() writes it: UTC, `Z`, milliseconds. to_char truncates
 * microseconds, as JavaScript does when it reads PostgreSQL's timestamp text.
 */
const isoTime = (text: string): string => `'"' || to_char(${text} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

/**
 * The `references` member's value: `{"<ref_type>":[{"id":…,"kind":…,"href":…},…],…}` of the live
 * references of the row aliased `alias`, types in order, entries in the order they were given; SQL null
 * when it has none (the member is then left out, as the original leaves it out).
 */
export function referencesJson(db: Kysely<any>, kinds: readonly ResourceKind[], alias: string): RawBuilder<string | null> {
  // the href of a reference is its target's flat item path (the original presents it so)
  const hrefCase = `case x.target_kind ${kinds.map((k) => `when ${literal(k.kind)} then ${literal(`${API_BASE}/${k.plural}/`)}`).join(' ')} end || x.target_id::text`;
  const entry = object([member('id', jsonString('x.target_id')), member('kind', jsonString('x.target_kind')), member('href', jsonString(hrefCase))]);
  const perType = db
    .selectFrom('resource_references as x')
    .select(['x.ref_type as k', sql.raw<string>(`${jsonString('x.ref_type')} || ':[' || string_agg(${entry}, ',' order by x.position) || ']'`).as('t')])
    .whereRef('x.owner_id', '=', `${alias}.id`)
    .groupBy('x.ref_type');
  return sql<string | null>`(select '{' || string_agg(y.t, ',' order by y.k collate "C") || '}' from ${perType.as('y')})`;
}

/** An SQL expression rendering the row aliased `alias` of `kind` as its wire JSON text. */
export function resourceJson(db: Kysely<any>, kind: ResourceKind, kinds: readonly ResourceKind[], alias: string): RawBuilder<string> {
  const col = (name: string) => `${alias}.${name}`;
  const head = [
    member('id', jsonString(col('id'))),
    literal(`"kind":${JSON.stringify(kind.kind)}`),
    member('href', jsonString(kindHrefSql(kind, alias))),
    member('name', jsonString(col('name'))),
    member('spec', `${col('spec')}::text`),
    // written with the labels, SQL null when there are none (the member is then left out)
    member('labels', col('rendered_labels')),
    member('generation', `${col('generation')}::text`),
    member('status', `'{"conditions":' || ${col('conditions')}::text || '}'`),
    member('created_time', isoTime(col('created_time'))),
    member('updated_time', isoTime(col('updated_time'))),
    member('created_by', jsonString(col('created_by'))),
    member('updated_by', jsonString(col('updated_by'))),
    member('deleted_time', isoTime(col('deleted_time'))),
    // as the presenter: deleted_by only on a resource marked for deletion
    member('deleted_by', `case when ${col('deleted_time')} is not null then ${jsonString(col('deleted_by'))} end`),
  ];
  if (kind.parent) {
    head.push(
      member('owner_references', object([member('id', jsonString(col('owner_id'))), literal(`"kind":${JSON.stringify(kind.parent.kind)}`), member('href', jsonString(ownerHrefSql(kind, alias)))])),
    );
  }
  if (kind.references.length === 0) return sql.raw<string>(object(head));
  // the members before `references`, then it (left out when SQL null), as one object
  return sql<string>`${sql.raw(`'{' || concat_ws(',', ${head.join(', ')}, `)}${sql.raw(literal('"references":'))} || ${referencesJson(db, kinds, alias)}) || '}'`;
}
