import type { OwnerType } from '@app/persistence';
import { API_BASE, CLUSTER, NODE_POOL, ResourceKind } from './resource-kind';

/*
 * The wire JSON of clusters and node pools rendered by PostgreSQL for the reads (GET by id, lists), so
 * that Node passes text through instead of parsing jsonb and dates, presenting and serializing again.
 * The members and their order are those of presentResource / presentNodePool, which the write
 * responses keep using; test/e2e/read-rendering.e2e-spec.ts holds the two to the same text.
 *
 * Objects are concatenated: json_build_object writes spaces (`{"a" : 1}`) and jsonb does not keep key
 * order. A member whose value is SQL null is left out (concat_ws skips nulls), as JSON.stringify
 * leaves out undefined. The text is JSON.stringify's except inside `spec` and `status.conditions`,
 * which are jsonb's own text: a space after `:` and `,`, jsonb's key order (shorter keys first;
 * JavaScript puts integer-like keys first), numbers as stored (`1.0` and `1000000000000000000000` where
 * JavaScript writes `1` and `1e+21`). Parsed, the values are the same. The stored conditions are the
 * wire objects the aggregation wrote; sending their text as it is costs PostgreSQL a fraction of
 * taking each condition apart into the presenter's key order (about 20 µs per resource).
 */

/** An SQL string literal. */
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** `"key":value`; SQL null when the value is. */
const member = (key: string, value: string): string => `${literal(`${JSON.stringify(key)}:`)} || ${value}`;

/** A JSON object of the members in order, those that are SQL null left out. */
const object = (members: string[]): string => `'{' || concat_ws(',', ${members.join(', ')}) || '}'`;

/** A text value as a JSON string (PostgreSQL escapes exactly the characters JSON.stringify does). */
const jsonString = (sql: string): string => `to_json(${sql})::text`;

/**
 * A timestamptz as Date.toISOString() writes it: UTC, `Z`, milliseconds. to_char truncates
 * microseconds, as JavaScript does when it reads PostgreSQL's timestamp text.
 */
const isoTime = (sql: string): string => `'"' || to_char(${sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

const clusterHref = (idSql: string): string => `${literal(`${API_BASE}/clusters/`)} || ${idSql}`;

/** An SQL expression rendering the resource row aliased `alias` as its wire JSON text. */
export function resourceJsonSql(kind: ResourceKind, alias: string): string {
  const col = (name: string) => `${alias}.${name}`;
  const nodePool = kind.kind === NODE_POOL.kind;
  return object([
    member('id', jsonString(col('id'))),
    literal(`"kind":${JSON.stringify(kind.kind)}`),
    member('href', jsonString(nodePool ? `${clusterHref(col('owner_id'))} || '/nodepools/' || ${col('id')}` : clusterHref(col('id')))),
    member('name', jsonString(col('name'))),
    member('spec', `${col('spec')}::text`),
    // written with the labels (WriteStore), SQL null when there are none (the member is then left out)
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
    ...(nodePool
      ? [member('owner_references', object([member('id', jsonString(col('owner_id'))), literal(`"kind":${JSON.stringify(CLUSTER.kind)}`), member('href', jsonString(clusterHref(col('owner_id'))))]))]
      : []),
  ]);
}

/** Each kind's rendering of the row aliased `r` (the alias of ResourceRepository's reads), built once. */
export const RESOURCE_JSON: Record<OwnerType, string> = {
  Cluster: resourceJsonSql(CLUSTER, 'r'),
  NodePool: resourceJsonSql(NODE_POOL, 'r'),
};
