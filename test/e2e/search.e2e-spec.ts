import { adminQuery } from '../setup/pg-admin';
import { buildReport } from '../factories/adapter-status.factory';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

describe('search', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const prefix = `s${process.pid % 1000}`;
  const n = (s: string) => `${prefix}-${s}`;

  const names = async (path: string, search: string, extra = ''): Promise<string[]> => {
    const res = await t.http.get(`${API}${path}?size=100&order=name%20asc&search=${encodeURIComponent(search)}${extra}`);
    if (res.status !== 200) throw new Error(`${search}: ${res.status} ${res.text}`);
    expect(res.body.total).toBe(res.body.items.length);
    return res.body.items.map((x: { name: string }) => x.name.replace(`${prefix}-`, ''));
  };
  const clusters = (search: string) => names('/clusters', search);

  beforeAll(async () => {
    t = await startTestApp();
    const specs: [string, Record<string, unknown>, Record<string, string>][] = [
      ['alpha', { region: 'eu', replicas: 3, ha: true, nested: { tier: 'gold' } }, { env: 'prod', region: 'eu-west-1', 'app.kubernetes.io/team': 'core' }],
      ['beta', { region: 'us', replicas: 10, ha: false }, { env: 'prod', region: 'us-east-1' }],
      ['gamma', { region: 'eu', replicas: 'many', owner: "o'brien" }, { env: 'staging' }],
      ['delta', { region: 'ap' }, { env: 'dev' }],
      ['epsilon', {}, {}],
    ];
    for (const [name, spec, labels] of specs) {
      const res = await t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: n(name), spec, labels }).expect(201);
      ids[name] = res.body.id;
    }
    await t.http.patch(`${API}/clusters/${ids.beta}`).send({ spec: { region: 'us', replicas: 12, ha: false } }).expect(200);
    for (const a of ['validation', 'dns', 'pullsecret', 'hypershift']) await t.http.put(`${API}/clusters/${ids.alpha}/statuses`).send(buildReport(a, 1)).expect(201);
    await t.http.delete(`${API}/clusters/${ids.delta}`).expect(202);
    const removed = await t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: n('removed'), spec: { region: 'eu' }, labels: { env: 'prod' } }).expect(201);
    await t.http.delete(`${API}/clusters/${removed.body.id}`).expect(202);
    await t.http.post(`${API}/clusters/${removed.body.id}/force-delete`).send({ reason: 'test' }).expect(204);
    for (const [c, np] of [['alpha', 'np-a1'], ['alpha', 'np-a2'], ['beta', 'np-b1']]) {
      const res = await t.http.post(`${API}/clusters/${ids[c]}/nodepools`).send({ kind: 'NodePool', name: np, spec: { replicas: np === 'np-a1' ? 2 : 5 }, labels: { pool: np === 'np-b1' ? 'infra' : 'worker' } }).expect(201);
      ids[np] = res.body.id;
    }
  });
  afterAll(() => t?.close());

  describe('labels', () => {
    it.each([
      ["labels.env='prod'", ['alpha', 'beta']],
      ["labels.env != 'prod'", ['delta', 'gamma']],
      ["labels.env in ('prod','dev')", ['alpha', 'beta', 'delta']],
      ["labels.env in ['prod','dev']", ['alpha', 'beta', 'delta']],
      ["labels.env not in ('prod')", ['delta', 'gamma']],
      ["labels.region like 'eu-%'", ['alpha']],
      ["labels.region ilike 'US-%'", ['beta']],
      ["labels.env is null", ['epsilon']],
      ["labels.env is not null", ['alpha', 'beta', 'delta', 'gamma']],
      ["labels.app.kubernetes.io/team = 'core'", ['alpha']],
      ["labels.env='prod' and labels.region='us-east-1'", ['beta']],
      ["labels.nope = 'x'", []],
    ])('%s', async (search, expected) => {
      expect(await clusters(search)).toEqual(expected.sort());
    });

    it('rejects not over a label query', async () => {
      expect(expectProblem(await t.http.get(`${API}/clusters?search=${encodeURIComponent("not labels.env='prod'")}`), 400, 'HYPERFLEET-VAL-005').detail).toContain('NOT operator is not supported with label queries');
    });
  });

  describe('columns', () => {
    it.each([
      [`name = '${'x'}'`, []],
      ["name like '%alp%'", ['alpha']],
      ["name ilike '%ALPHA'", ['alpha']],
      ["name not like '%a'", ['epsilon']],
      ['generation = 2', ['beta', 'delta']],
      ['generation > 1', ['beta', 'delta']],
      ['generation >= 1 and generation <= 1', ['alpha', 'epsilon', 'gamma']],
      ['generation != 1', ['beta', 'delta']],
      ['generation between 2 and 5', ['beta', 'delta']],
      ['generation not between 2 and 5', ['alpha', 'epsilon', 'gamma']],
      ['generation in (2, 3)', ['beta', 'delta']],
      ['deleted_time is not null', ['delta']],
      ['deleted_time is null and generation = 1', ['alpha', 'epsilon', 'gamma']],
      ["created_by = 'system@hyperfleet.local' and generation = 2", ['beta', 'delta']],
      ["kind = 'Cluster' and generation = 2", ['beta', 'delta']],
      ["kind = 'NodePool'", []],
      ["created_time > '2000-01-01' and created_time < '2999-01-01T00:00:00Z' and generation = 2", ['beta', 'delta']],
      ["(name like '%a' or name like '%n') and not generation = 2", ['alpha', 'epsilon', 'gamma']],
      ["NOT (generation = 2) AND labels.env = 'prod'", ['alpha']],
    ])('%s', async (search, expected) => {
      const got = await clusters(`${search} and name like '${prefix}-%'`);
      expect(got).toEqual([...expected].sort());
    });

    it('matches id and name exactly, and an id that is not a uuid matches nothing', async () => {
      expect(await clusters(`id = '${ids.gamma}'`)).toEqual(['gamma']);
      expect(await clusters(`id in ('${ids.gamma}', '${ids.beta}', 'junk')`)).toEqual(['beta', 'gamma']);
      expect(await clusters(`id = 'junk'`)).toEqual([]);
      expect(await clusters(`name = '${n('beta')}'`)).toEqual(['beta']);
      expect(await clusters(`href = '${API}/clusters/${ids.alpha}'`)).toEqual(['alpha']);
    });
  });

  describe('spec', () => {
    it.each([
      ["spec.region = 'eu'", ['alpha', 'gamma']],
      ['spec.replicas > 5', ['beta']],
      ['spec.replicas >= 3', ['alpha', 'beta']],
      ['spec.replicas in (3, 12)', ['alpha', 'beta']],
      ["spec.replicas = 'many'", ['gamma']],
      ['spec.replicas between 1 and 5', ['alpha']],
      ['spec.ha = true', ['alpha']],
      ['spec.ha = false', ['beta']],
      ["spec.nested.tier = 'gold'", ['alpha']],
      ['spec.replicas is null', ['delta', 'epsilon']],
      ["spec.owner = 'o''brien'", ['gamma']],
      ["spec.owner = 'o\\'brien'", ['gamma']],
      ['spec.owner = "o\'brien"', ['gamma']],
    ])('%s', async (search, expected) => {
      expect(await clusters(`${search} and name like '${prefix}-%'`)).toEqual(expected.sort());
    });
  });

  describe('conditions', () => {
    it.each([
      ["status.conditions.Reconciled = 'True'", ['alpha']],
      ["status.conditions.Reconciled = 'False'", ['beta', 'delta', 'epsilon', 'gamma']],
      ["status.conditions.ValidationSuccessful = 'True'", ['alpha']],
      ['status.conditions.Reconciled.observed_generation = 2', ['beta', 'delta']],
      ["status.conditions.Reconciled.last_transition_time > '2000-01-01T00:00:00Z'", ['alpha', 'beta', 'delta', 'epsilon', 'gamma']],
    ])('%s', async (search, expected) => {
      expect(await clusters(`${search} and name like '${prefix}-%'`)).toEqual(expected.sort());
    });

    it.each([
      ["status.conditions.Reconciled in ('True')", 'supports only ='],
      ["status.conditions.Reconciled = 'Yes'", "condition status must be 'True', 'False' or 'Unknown'"],
      ["not status.conditions.Reconciled = 'True'", 'NOT operator is not supported with condition queries'],
      ["status.conditions.reconciled = 'True'", 'invalid field'],
      ["status.conditions.Reconciled.reason = 'x'", 'invalid field'],
    ])('rejects %s', async (search, message) => {
      expect(expectProblem(await t.http.get(`${API}/clusters?search=${encodeURIComponent(search)}`), 400, 'HYPERFLEET-VAL-005').detail).toContain(message);
    });
  });

  describe('node pools', () => {
    it('searches all node pools by owner_id, labels and spec', async () => {
      expect(await names('/nodepools', `owner_id = '${ids.alpha}'`)).toEqual(['np-a1', 'np-a2']);
      expect(await names('/nodepools', `labels.pool = 'infra' and owner_id in ('${ids.alpha}', '${ids.beta}')`)).toEqual(['np-b1']);
      expect(await names('/nodepools', `spec.replicas > 3 and owner_id in ('${ids.alpha}', '${ids.beta}')`)).toEqual(['np-a2', 'np-b1']);
      expect(await names('/nodepools', `owner_kind = 'Cluster' and owner_id = '${ids.beta}'`)).toEqual(['np-b1']);
    });

    it("searches within one cluster's node pools", async () => {
      expect(await names(`/clusters/${ids.alpha}/nodepools`, "labels.pool = 'worker'")).toEqual(['np-a1', 'np-a2']);
      expect(await names(`/clusters/${ids.alpha}/nodepools`, "name = 'np-b1'")).toEqual([]);
    });
  });

  it('combines with page, size and order; total counts every match', async () => {
    const q = encodeURIComponent(`name like '${prefix}-%'`);
    const page1 = await t.http.get(`${API}/clusters?search=${q}&size=2&order=name%20desc`).expect(200);
    expect(page1.body).toMatchObject({ total: 5, size: 2, page: 1 });
    expect(page1.body.items.map((x: { name: string }) => x.name)).toEqual([n('gamma'), n('epsilon')]);
    const page3 = await t.http.get(`${API}/clusters?search=${q}&size=2&page=3&order=name%20desc`).expect(200);
    expect(page3.body).toMatchObject({ total: 5, size: 1 });
    expect(page3.body.items[0].name).toBe(n('alpha'));
  });

  it('never matches removed resources', async () => {
    expect(await clusters(`name = '${n('removed')}'`)).toEqual([]);
  });

  describe('errors are 400 VAL-005 that say what and where, never 5xx', () => {
    it.each([
      ["name = 'x' and", 'failed to parse search query'],
      ["name = ", 'at position'],
      ["(name = 'x'", 'failed to parse search query'],
      ['color = 1', "invalid field in search or order query: 'color'"],
      ['status.phase = 1', 'invalid field'],
      ["generation = 'abc'", "field 'generation' expects an integer"],
      ["created_time > 'yesterday'", 'expects an RFC3339 timestamp'],
      ['name = 1', "field 'name' expects a string"],
      ["spec.a-b.c = 'x' or spec = 'x'", 'invalid field'],
      ['name ~= 1', 'unsupported'],
      ['len(name) > 1', 'unsupported'],
      ['generation + 1 = 2', 'unsupported'],
    ])('%s', async (search, message) => {
      const body = expectProblem(await t.http.get(`${API}/clusters?search=${encodeURIComponent(search)}`), 400, 'HYPERFLEET-VAL-005');
      expect(body.detail).toContain(message);
    });

    it('reports the position of a parse error', async () => {
      const body = expectProblem(await t.http.get(`${API}/clusters?search=${encodeURIComponent("name = 'a' or or")}`), 400, 'HYPERFLEET-VAL-005');
      expect(body.detail).toMatch(/^failed to parse search query: .*at position 14/);
    });
  });

  describe('hostile input', () => {
    const hostile = [
      "name = 'x'; drop table clusters; --",
      "name = 'x' -- comment",
      "name = 'x' /* c */",
      "name = '' or 1=1",
      "name = 'a'' or ''1''=''1'",
      "labels.env = '\\'; delete from labels; --'",
      "labels.\"env\" = 'x'",
      "name = '\u0000'",
      "name = 'ünïcødé 🚀'",
      'name = "double" and labels.x = `back`',
      `name in (${Array.from({ length: 1001 }, (_, i) => `'n${i}'`).join(',')})`,
      `${'('.repeat(1000)}name = 'x'${')'.repeat(1000)}`,
      `name = '${'x'.repeat(5000)}'`,
      Array.from({ length: 300 }, (_, i) => `name = 'n${i}'`).join(' or '),
      "spec.'; select 1 = 'x'",
      "labels.env = 'x' union select * from clusters",
      '\u202e name = 1',
      "name = 'x' ; ",
      '',
      ' ',
    ];
    it.each(hostile.map((h) => [h.length > 60 ? `${h.slice(0, 60)}… (${h.length} chars)` : JSON.stringify(h), h]))('%s → 400 or a correct answer, never 5xx', async (_label, search) => {
      const res = await t.http.get(`${API}/clusters?search=${encodeURIComponent(search)}`);
      expect(res.status).toBeLessThan(500);
      if (res.status === 200) expect(res.body.items.every((c: { name: string }) => typeof c.name === 'string')).toBe(true);
      else expectProblem(res, 400, 'HYPERFLEET-VAL-005');
      expect(JSON.stringify(res.body)).not.toMatch(/SQLSTATE|syntax error at|pq:|relation "/);
    });

    it('leaves the stored data intact', async () => {
      const { rows } = await adminQuery(t.db.url, `select (select count(*) from clusters)::int as c, (select count(*) from labels)::int as l`);
      expect(rows[0].c).toBeGreaterThanOrEqual(6);
      expect(rows[0].l).toBeGreaterThanOrEqual(7);
      expect(await clusters(`name like '${prefix}-%'`)).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    });

    it('sends user values to the database as bound parameters, never inside the SQL text', async () => {
      t.statements.length = 0;
      const marker = `zz'marker"${Date.now()}`;
      await t.http.get(`${API}/clusters?search=${encodeURIComponent(`labels.env = '${marker.replace(/'/g, "''")}' or name like '${marker.replace(/'/g, "''")}%'`)}`).expect(200);
      const withMarker = t.statements.filter((s) => s.params?.includes(marker) || s.params?.includes(`${marker}%`));
      // one statement (the count and the page), each with its own bound copies of the values
      expect(withMarker.length).toBeGreaterThanOrEqual(1);
      expect(withMarker[0].params!.filter((p) => p === marker)).toHaveLength(2);
      for (const s of t.statements) expect(s.sql).not.toContain('marker');
    });
  });
});
