import { buildKindRegistry } from '@app/config';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { LiveRowsPlugin } from '../live-rows';
import { compileSearch } from './search-compiler';

const kinds = buildKindRegistry([{ kind: 'Channel', plural: 'channels' }, { kind: 'Version', plural: 'versions', parent_kind: 'Channel' }]);
const Cluster = kinds.get('Cluster')!;
const NodePool = kinds.get('NodePool')!;
const Version = kinds.get('Version')!;

/** A compile-only builder with the application's live-row plugin (no database). */
const db = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
  plugins: [new LiveRowsPlugin(new Set(['clusters', 'node_pools', 'resources', 'labels', 'adapter_statuses', 'resource_references']))],
});

const PREFIX = 'select "r"."id" from "clusters" as "r" where ';
const SUFFIX = ' and "r"."deleted_at" is null';

/** The WHERE condition a search compiles to (as a statement over the kind's rows), and its parameters. */
function where(search: string, kind = Cluster): { sql: string; params: readonly unknown[] } {
  const compiled = db.selectFrom('clusters as r').select('r.id').where(compileSearch(db, search, kind).where).compile();
  expect(compiled.sql.startsWith(`${PREFIX}(`) && compiled.sql.endsWith(`)${SUFFIX}`)).toBe(true);
  // the condition as the compiler wrote it, without the parentheses Kysely puts around it before the live-row condition
  return { sql: compiled.sql.slice(PREFIX.length + 1, -SUFFIX.length - 1), params: compiled.parameters };
}

/** The label-count query of a search, when it has one. */
function count(search: string, kind = Cluster): { sql: string; params: readonly unknown[] } | undefined {
  const c = compileSearch(db, search, kind).count;
  if (!c) return undefined;
  const compiled = db.selectFrom(c.as('c')).selectAll().compile();
  return { sql: compiled.sql, params: compiled.parameters };
}

const err = (fn: () => unknown): { code?: string; detail?: string } => {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; detail?: string };
  }
  throw new Error('expected an error');
};

describe(compileSearch.name, () => {
  it('compiles columns with every value as a parameter', () => {
    expect(where("name = 'a' and generation >= 2")).toEqual({ sql: '(r.name = $1 and r.generation >= $2)', params: ['a', 2] });
    expect(where("created_time < '2026-01-01'")).toEqual({ sql: 'r.created_time < cast($1 as timestamptz)', params: ['2026-01-01T00:00:00.000Z'] });
    expect(where("name in ('a', 'b') or name like 'x%'", NodePool)).toEqual({ sql: '(r.name in ($1, $2) or r.name like $3)', params: ['a', 'b', 'x%'] });
    expect(where('deleted_time is not null')).toEqual({ sql: 'r.deleted_time is not null', params: [] });
  });

  it('turns a uuid into a typed parameter and a malformed id into a predicate that matches nothing', () => {
    const id = '01939A6E-0000-7000-8000-000000000000';
    expect(where(`id = '${id}'`)).toEqual({ sql: 'r.id = cast($1 as uuid)', params: [id.toLowerCase()] });
    expect(where("id = 'nope'")).toEqual({ sql: 'false', params: [] });
    expect(where("id != 'nope'")).toEqual({ sql: 'r.id is not null', params: [] });
    expect(where(`owner_id in ('${id}', 'x')`, NodePool)).toEqual({ sql: 'r.owner_id in (cast($1 as uuid))', params: [id.toLowerCase()] });
  });

  it('answers constant fields in the compiler', () => {
    expect(where("kind = 'Cluster'").sql).toBe('true');
    expect(where("kind = 'Cluster'", NodePool).sql).toBe('false');
    expect(where("owner_kind in ('Cluster')", NodePool).sql).toBe('true');
    expect(where("owner_kind = 'Channel'", Version).sql).toBe('true');
  });

  it('gives each kind its own hrefs: computed for the built-in tables, stored on the shared one', () => {
    expect(where("href = 'x'").sql).toBe("('/api/hyperfleet/v1/clusters/' || r.id) = $1");
    expect(where("owner_href = 'x'", NodePool).sql).toBe("('/api/hyperfleet/v1/clusters/' || r.owner_id) = $1");
    expect(where("href = 'x' and owner_href = 'y'", Version).sql).toBe('((r.href) = $1 and (r.owner_href) = $2)');
  });

  it('compiles labels to a semi-join on the live labels of the kind, key before value', () => {
    expect(where("labels.env = 'prod'")).toEqual({
      sql: `exists (select 1 as "one" from "labels" as "l" where "l"."owner_type" = 'Cluster' and "l"."owner_id" = "r"."id" and (l.key = $1 and l.value = $2) and "l"."deleted_at" is null)`,
      params: ['env', 'prod'],
    });
    expect(count("labels.env = 'prod'")).toEqual({
      sql: `select * from (select count(*) as "count" from "labels" as "l" where "l"."owner_type" = 'Cluster' and (l.key = $1 and l.value = $2) and "l"."deleted_at" is null) as "c"`,
      params: ['env', 'prod'],
    });
    expect(where('labels.env is null', Version).sql).toBe(`not exists (select 1 as "one" from "labels" as "l" where "l"."owner_type" = 'Version' and "l"."owner_id" = "r"."id" and (l.key = $1) and "l"."deleted_at" is null)`);
    expect(where("labels.a.b/c in ['x', 'y']").params).toEqual(['a.b/c', 'x', 'y']);
  });

  it('counts a search of one label that matches by having the label from the labels table alone, and no other', () => {
    expect(count("labels.team in ('a', 'b')", NodePool)?.params).toEqual(['team', 'a', 'b']);
    expect(count("labels.team != 'a'")?.sql).toContain('l.value <> $2');
    expect(count("labels.team like 'a%'")?.sql).toContain('l.value like $2');
    expect(count("labels.team not between 'a' and 'b'")?.params).toEqual(['team', 'a', 'b']);
    expect(count('labels.team is not null')?.params).toEqual(['team']);
    // matched by not having the label, or more than one predicate: counted over the resource rows
    for (const search of ['labels.team is null', "labels.team = 'a' and labels.env = 'b'", "labels.team = 'a' or name = 'x'", "name = 'x'", "spec.team = 'a'"]) expect(count(search)).toBeUndefined();
  });

  it('compiles spec paths, numerically when the literal is a number', () => {
    expect(where("spec.a.b = 'x'")).toEqual({ sql: 'r.spec #>> cast($1 as text[]) = $2', params: ['{a,b}', 'x'] });
    expect(where('spec.replicas > 3')).toEqual({ sql: "(case when jsonb_typeof(r.spec #> cast($1 as text[])) = 'number' then (r.spec #>> cast($2 as text[]))::numeric end) > $3", params: ['{replicas}', '{replicas}', 3] });
    expect(where('spec.ha = true')).toEqual({ sql: 'r.spec #> cast($1 as text[]) = cast($2 as jsonb)', params: ['{ha}', 'true'] });
  });

  it('compiles condition status to containment in the condition statuses and subfields to a lookup of that condition', () => {
    expect(where("status.conditions.Reconciled = 'False'")).toEqual({ sql: 'r.condition_statuses @> array[cast($1 as text)]', params: ['Reconciled=False'] });
    expect(where('status.conditions.Reconciled.observed_generation < 3')).toEqual({
      sql: "exists (select 1 from jsonb_array_elements(r.conditions) e where e.value ->> 'type' = $1 and (e.value ->> 'observed_generation')::int < $2)",
      params: ['Reconciled', 3],
    });
  });

  it('accepts the timestamps of four-digit years, at both ends of the range', () => {
    expect(where("created_time >= '0001-01-01T00:00:00Z'").params).toEqual(['0001-01-01T00:00:00.000Z']);
    expect(where("created_time between '0001-01-01' and '9999-12-31T23:59:59Z'").params).toEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.000Z']);
  });

  it('accepts a LIKE pattern ending in an escaped backslash', () => {
    expect(where("name like 'a\\\\\\\\'").params).toEqual(['a\\\\']);
  });

  it.each([
    ['nope = 1', "invalid field in search or order query: 'nope'"],
    ['nope = 1', 'fields: id, name, href'],
    ['owner_id = 1', "invalid field in search or order query: 'owner_id'"],
    // names of Object.prototype members used to be looked up there: accepted (200) instead of rejected
    ["constructor = 'x'", "invalid field in search or order query: 'constructor'"],
    ["__proto__ = 'x'", "invalid field in search or order query: '__proto__'"],
    ["toString = 'x'", "invalid field in search or order query: 'toString'"],
    ["status.conditions.Ready.__proto__ = '2026-01-01T00:00:00Z'", "invalid field in search or order query: 'status.conditions.Ready.__proto__'"],
    ['status.conditions.Ready.constructor > 1', "invalid field in search or order query: 'status.conditions.Ready.constructor'"],
    ["not labels.a = 'b'", 'NOT operator is not supported with label queries'],
    ["not (name = 'a' and status.conditions.Ready = 'True')", 'NOT operator is not supported with condition queries'],
    ["generation = '1'", "field 'generation' expects an integer"],
    ['generation = 3000000000', "field 'generation' expects an integer"],
    ["spec.a.b'c = 1", 'failed to parse search query'],
    ["spec.a..b = 'x'", 'invalid spec path'],
    ["status.conditions.Reconciled != 'True'", 'supports only ='],
    ["labels = 'x'", 'a label field needs a key'],
    ["id > 'x'", 'supports only'],
    ['name = ', 'failed to parse search query'],
    // PostgreSQL has no year 0 and reads four-digit years only: these were 500s (SQLSTATE 22008, 22007)
    ["created_time > '0000-01-01'", "'0000-01-01' in field 'created_time' is out of range: timestamps lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"],
    ["updated_time < '0001-01-01T00:00:00+14:00'", 'is out of range'],
    ["deleted_time between '0000-12-31' and '2026-01-01'", 'is out of range'],
    ["status.conditions.Reconciled.created_time > '0000-06-01T00:00:00Z'", 'is out of range'],
    ["status.conditions.Reconciled.last_updated_time in ('2026-01-01', '0000-01-01')", 'is out of range'],
    // a pattern ending in an escape character escapes nothing: was a 500 (SQLSTATE 22025)
    ["name like '%\\\\'", "the like pattern of 'name' ends with a backslash"],
    ["name ilike 'a\\\\'", 'ends with a backslash'],
    ["name not like 'a\\\\\\\\\\\\'", 'ends with a backslash'],
    ["labels.env like 'x\\\\'", "the like pattern of 'labels.env' ends with a backslash"],
    ["spec.a.b like 'x\\\\'", "the like pattern of 'spec.a.b' ends with a backslash"],
    ["created_by like 'x\\\\'", 'ends with a backslash'],
  ])('rejects %s with VAL-005 saying %s', (search, message) => {
    const e = err(() => compileSearch(db, search, Cluster));
    expect(e.code).toBe('HYPERFLEET-VAL-005');
    expect(e.detail).toContain(message);
  });
});
