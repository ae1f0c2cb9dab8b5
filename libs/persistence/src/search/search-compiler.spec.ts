import { compileSearch } from './search-compiler';

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
    expect(compileSearch("name = 'a' and generation >= 2", 'Cluster')).toEqual({ sql: '(r.name = ? and r.generation >= ?)', params: ['a', 2] });
    expect(compileSearch("created_time < '2026-01-01'", 'Cluster')).toEqual({ sql: 'r.created_time < cast(? as timestamptz)', params: ['2026-01-01T00:00:00.000Z'] });
    expect(compileSearch("name in ('a', 'b') or name like 'x%'", 'NodePool')).toEqual({ sql: '(r.name in (?, ?) or r.name like ?)', params: ['a', 'b', 'x%'] });
    expect(compileSearch('deleted_time is not null', 'Cluster')).toEqual({ sql: 'r.deleted_time is not null', params: [] });
  });

  it('turns a uuid into a typed parameter and a malformed id into a predicate that matches nothing', () => {
    const id = '01939A6E-0000-7000-8000-000000000000';
    expect(compileSearch(`id = '${id}'`, 'Cluster')).toEqual({ sql: 'r.id = cast(? as uuid)', params: [id.toLowerCase()] });
    expect(compileSearch("id = 'nope'", 'Cluster')).toEqual({ sql: 'false', params: [] });
    expect(compileSearch("id != 'nope'", 'Cluster')).toEqual({ sql: 'r.id is not null', params: [] });
    expect(compileSearch(`owner_id in ('${id}', 'x')`, 'NodePool')).toEqual({ sql: 'r.owner_id in (cast(? as uuid))', params: [id.toLowerCase()] });
  });

  it('answers constant fields in the compiler', () => {
    expect(compileSearch("kind = 'Cluster'", 'Cluster').sql).toBe('true');
    expect(compileSearch("kind = 'Cluster'", 'NodePool').sql).toBe('false');
    expect(compileSearch("owner_kind in ('Cluster')", 'NodePool').sql).toBe('true');
  });

  it('compiles labels to a semi-join on the labels table, key before value', () => {
    expect(compileSearch("labels.env = 'prod'", 'Cluster')).toEqual({
      sql: "exists (select 1 from labels l where l.owner_type = 'Cluster' and l.owner_id = r.id and l.key = ? and l.deleted_at is null and l.value = ?)",
      params: ['env', 'prod'],
      count: { sql: "select count(*) as count from labels l where l.owner_type = 'Cluster' and l.key = ? and l.deleted_at is null and l.value = ?", params: ['env', 'prod'] },
    });
    expect(compileSearch('labels.env is null', 'NodePool').sql).toBe("not exists (select 1 from labels l where l.owner_type = 'NodePool' and l.owner_id = r.id and l.key = ? and l.deleted_at is null)");
    expect(compileSearch("labels.a.b/c in ['x', 'y']", 'Cluster').params).toEqual(['a.b/c', 'x', 'y']);
  });

  it('counts a search of one label that matches by having the label from the labels table alone, and no other', () => {
    expect(compileSearch("labels.team in ('a', 'b')", 'NodePool').count).toEqual({
      sql: "select count(*) as count from labels l where l.owner_type = 'NodePool' and l.key = ? and l.deleted_at is null and l.value in (?, ?)",
      params: ['team', 'a', 'b'],
    });
    expect(compileSearch("labels.team != 'a'", 'Cluster').count?.sql).toMatch(/and l\.value <> \?$/);
    expect(compileSearch("labels.team like 'a%'", 'Cluster').count?.sql).toMatch(/and l\.value like \?$/);
    expect(compileSearch("labels.team not between 'a' and 'b'", 'Cluster').count?.params).toEqual(['team', 'a', 'b']);
    expect(compileSearch('labels.team is not null', 'Cluster').count).toEqual({ sql: "select count(*) as count from labels l where l.owner_type = 'Cluster' and l.key = ? and l.deleted_at is null", params: ['team'] });
    // matched by not having the label, or more than one predicate: counted over the resource rows
    for (const search of ['labels.team is null', "labels.team = 'a' and labels.env = 'b'", "labels.team = 'a' or name = 'x'", "name = 'x'", "spec.team = 'a'"])
      expect(compileSearch(search, 'Cluster').count).toBeUndefined();
  });

  it('compiles spec paths, numerically when the literal is a number', () => {
    expect(compileSearch("spec.a.b = 'x'", 'Cluster')).toEqual({ sql: 'r.spec #>> cast(? as text[]) = ?', params: ['{a,b}', 'x'] });
    const numeric = compileSearch('spec.replicas > 3', 'Cluster');
    expect(numeric.sql).toBe("(case when jsonb_typeof(r.spec #> cast(? as text[])) = 'number' then (r.spec #>> cast(? as text[]))::numeric end) > ?");
    expect(numeric.params).toEqual(['{replicas}', '{replicas}', 3]);
    expect(compileSearch('spec.ha = true', 'Cluster')).toEqual({ sql: 'r.spec #> cast(? as text[]) = cast(? as jsonb)', params: ['{ha}', 'true'] });
  });

  it('compiles condition status to jsonb containment and subfields to a lookup of that condition', () => {
    expect(compileSearch("status.conditions.Reconciled = 'False'", 'Cluster')).toEqual({ sql: 'r.condition_statuses @> array[cast(? as text)]', params: ['Reconciled=False'] });
    expect(compileSearch('status.conditions.Reconciled.observed_generation < 3', 'Cluster')).toEqual({
      sql: "exists (select 1 from jsonb_array_elements(r.conditions) e where e.value ->> 'type' = ? and (e.value ->> 'observed_generation')::int < ?)",
      params: ['Reconciled', 3],
    });
  });

  it.each([
    ['nope = 1', "invalid field in search or order query: 'nope'"],
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
  ])('rejects %s with VAL-005', (search, message) => {
    const e = err(() => compileSearch(search, 'Cluster'));
    expect(e.code).toBe('HYPERFLEET-VAL-005');
    expect(e.detail).toContain(message);
  });
});
