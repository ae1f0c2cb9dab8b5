import { buildReport, nextObservedTime } from '../factories/adapter-status.factory';
import { integrityProblems, sql } from '../support/integrity';
import { startTestApp, TestApp } from '../support/test-app';
import { MetricsService } from '../../apps/api/src/observability/metrics.service';

const API = '/api/hyperfleet/v1';

const expression = (text: string) => ({ expression: text });
const rule = (type: string, when: string, status: string, reason: string, message: string) => ({
  type,
  when: expression(when),
  output: { status: expression(status), reason: expression(reason), message: expression(message) },
});
const adapter = (name: string) => `statuses.filter(s, s.adapter == "${name}")[0]`;

/** Cluster: the original's landing-zone rule, one that shows data and spec (masked), one that fails without `verdict`. Channel: one rule that always fires. */
const ENTITIES = [
  {
    kind: 'Cluster',
    conditions: [
      rule(
        'LandingZoneReady',
        'statuses.exists(s, s.adapter == "landing-zone" && s.conditions.exists(c, c.type == "NamespaceReady"))',
        `${adapter('landing-zone')}.conditions.filter(c, c.type == "NamespaceReady")[0].status`,
        `${adapter('landing-zone')}.conditions.filter(c, c.type == "NamespaceReady")[0].reason`,
        `"Landing zone: " + ${adapter('landing-zone')}.conditions.filter(c, c.type == "NamespaceReady")[0].message`,
      ),
      rule('Echo', 'statuses.exists(s, s.adapter == "echo")', 'true', '"Echoed"', `toJson(${adapter('echo')}.data) + " " + toJson(resource.spec)`),
      rule('Broken', 'statuses.exists(s, s.adapter == "breaker")', `${adapter('breaker')}.data.verdict`, '"Judged"', '"verdict given"'),
    ],
  },
  { kind: 'Channel', plural: 'channels', conditions: [rule('Seen', 'resource.generation >= 1', '"True"', '"Seen"', '"adapters counted: " + string(statuses.size())')] },
];

type Condition = { type: string; status: string; reason?: string; message?: string; observed_generation: number; created_time: string; last_transition_time: string; last_updated_time: string };

/**
 * CEL condition mapping (CONTRACT §5.9, D15) end to end: rules configured through HYPERFLEET_ENTITIES,
 * adapters reporting over HTTP, the mapped conditions read back, searched, and a failing rule that
 * never loses a report.
 */
describe('condition mapping', () => {
  let t: TestApp;
  let seq = 0;
  const put = (id: string, body: Record<string, unknown>, plural = 'clusters') => t.http.put(`${API}/${plural}/${id}/statuses`).send(body);
  const conditionsOf = async (id: string, plural = 'clusters'): Promise<Condition[]> => (await t.http.get(`${API}/${plural}/${id}`).expect(200)).body.status.conditions;
  const mapped = async (id: string, type: string) => (await conditionsOf(id)).find((c) => c.type === type);
  const createCluster = async (spec: Record<string, unknown> = { region: 'us-east1' }) => (await t.http.post(`${API}/clusters`).send({ kind: 'Cluster', name: `map-${++seq}`, spec }).expect(201)).body;
  /** A report of `name` with the mandatory conditions and `extra` ones. */
  const report = (name: string, generation: number, extra: { type: string; status: string; reason?: string; message?: string }[] = [], data?: Record<string, unknown>) => {
    const body = buildReport(name, generation);
    (body.conditions as unknown[]).push(...extra);
    if (data) body.data = data;
    return body;
  };

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_ENTITIES: JSON.stringify(ENTITIES) });
  });
  afterAll(async () => {
    expect(await integrityProblems(t.db.url)).toEqual({});
    await t?.close();
  });

  it('adds a mapped condition when its rule fires, after the aggregated ones, and changes it with the reports', async () => {
    const cluster = await createCluster();
    expect((await conditionsOf(cluster.id)).map((c) => c.type)).toEqual(['Reconciled', 'LastKnownReconciled']);

    await put(cluster.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'True', reason: 'Created', message: 'namespace hcp-1 created' }])).expect(201);
    await put(cluster.id, buildReport('validation', 1)).expect(201);
    const conditions = await conditionsOf(cluster.id);
    expect(conditions.map((c) => c.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'ValidationSuccessful', 'LandingZoneReady']);
    const ready = conditions[3];
    expect(ready).toMatchObject({ status: 'True', reason: 'Created', message: 'Landing zone: namespace hcp-1 created', observed_generation: 1, created_time: cluster.created_time, last_transition_time: cluster.updated_time });

    await put(cluster.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'False', reason: 'QuotaExceeded', message: 'no quota' }])).expect(201);
    expect(await mapped(cluster.id, 'LandingZoneReady')).toMatchObject({ status: 'False', reason: 'QuotaExceeded', message: 'Landing zone: no quota', created_time: ready.created_time });

    // a PATCH bumps the generation: the mapped condition follows it
    const patched = (await t.http.patch(`${API}/clusters/${cluster.id}`).send({ spec: { region: 'europe-west1' } }).expect(200)).body;
    expect(patched.status.conditions.find((c: Condition) => c.type === 'LandingZoneReady')).toMatchObject({ status: 'False', observed_generation: 2, last_updated_time: patched.updated_time });

    // `when` false: the condition goes away
    await put(cluster.id, buildReport('landing-zone', 2)).expect(201);
    expect((await conditionsOf(cluster.id)).map((c) => c.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'ValidationSuccessful']);
  });

  it('leaves out the adapters that report any condition Unknown', async () => {
    const cluster = await createCluster();
    await put(cluster.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'True', reason: 'Created', message: 'ok' }])).expect(201);
    expect(await mapped(cluster.id, 'LandingZoneReady')).toMatchObject({ status: 'True' });
    await put(cluster.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'True', reason: 'Created', message: 'ok' }, { type: 'Quota', status: 'Unknown' }])).expect(201);
    expect(await mapped(cluster.id, 'LandingZoneReady')).toBeUndefined();
  });

  it('masks sensitive keys of the adapter data and of the resource before rules see them (toJson sorts keys)', async () => {
    const cluster = await createCluster({ region: 'us-east1', pullSecret: 'ps-123', network: { privateEndpoint: 'x', cidr: '10.0.0.0/16' } });
    await put(cluster.id, report('echo', 1, [], { namespace: 'hcp-1', serviceAccountToken: 'tok', db: { password: 'pw', port: 5432 } })).expect(201);
    expect((await mapped(cluster.id, 'Echo'))?.message).toBe(
      '{"db":{"password":"***REDACTED***","port":5432},"namespace":"hcp-1","serviceAccountToken":"***REDACTED***"} ' +
        '{"network":{"cidr":"10.0.0.0/16","privateEndpoint":"***REDACTED***"},"pullSecret":"***REDACTED***","region":"us-east1"}',
    );
    // stored as reported: masking is for the rules only
    expect((await t.http.get(`${API}/clusters/${cluster.id}/statuses`).expect(200)).body.items[0].data.serviceAccountToken).toBe('tok');
  });

  it('stores the report of a rule that fails, writes its condition Unknown, logs it once and counts each failure', async () => {
    const metrics = t.app.get(MetricsService);
    const failures = async () => Number(/hyperfleet_api_condition_mapping_errors_total\{[^}]*condition_type="Broken"[^}]*\} (\d+)/.exec((await metrics.render()).body)?.[1] ?? 0);
    const before = await failures();
    const cluster = await createCluster();
    const stored = (await put(cluster.id, report('breaker', 1, [], { other: 1 })).expect(201)).body;
    expect(stored).toMatchObject({ adapter: 'breaker', data: { other: 1 } });
    const broken = await mapped(cluster.id, 'Broken');
    expect(broken).toMatchObject({ status: 'Unknown', reason: 'ConditionMappingError', message: "Condition mapping rule 'Broken' failed: output.status: No such key: verdict", observed_generation: 1 });

    await put(cluster.id, { ...report('breaker', 1, [], { other: 2 }), observed_time: nextObservedTime() }).expect(201);
    expect((await t.http.get(`${API}/clusters/${cluster.id}/statuses`).expect(200)).body.items[0].data).toEqual({ other: 2 });
    expect(await mapped(cluster.id, 'Broken')).toEqual(broken);
    expect(await failures()).toBe(before + 2);
    const logged = t.logs.filter((l) => l.condition_type === 'Broken' && l.resource_id === cluster.id);
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', resource_type: 'Cluster', expression: 'output.status', error: 'No such key: verdict', msg: expect.stringContaining('condition mapping rule Cluster.Broken failed') })]);

    // the data the rule needs arrives: the condition recovers
    await put(cluster.id, report('breaker', 1, [], { verdict: 'True' })).expect(201);
    expect(await mapped(cluster.id, 'Broken')).toMatchObject({ status: 'True', reason: 'Judged', message: 'verdict given', created_time: broken!.created_time });
  });

  it('finds resources by a mapped condition, Unknown included', async () => {
    const [ready, broken, other] = [await createCluster(), await createCluster(), await createCluster()];
    await put(ready.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'True', reason: 'Created', message: 'ok' }])).expect(201);
    await put(broken.id, report('breaker', 1)).expect(201);
    await put(other.id, report('landing-zone', 1, [{ type: 'NamespaceReady', status: 'False', reason: 'Pending', message: 'wait' }])).expect(201);
    const ids = async (search: string) => (await t.http.get(`${API}/clusters`).query({ search, size: 100 }).expect(200)).body.items.map((c: { id: string }) => c.id);
    expect(await ids(`status.conditions.LandingZoneReady='True' and id in ('${ready.id}', '${broken.id}', '${other.id}')`)).toEqual([ready.id]);
    expect(await ids(`status.conditions.LandingZoneReady='False' and id in ('${ready.id}', '${broken.id}', '${other.id}')`)).toEqual([other.id]);
    expect(await ids(`status.conditions.Broken='Unknown' and id in ('${ready.id}', '${broken.id}', '${other.id}')`)).toEqual([broken.id]);
    expect(await sql(t.db.url, 'select condition_statuses from clusters where id = $1', [broken.id])).toEqual([{ condition_statuses: expect.arrayContaining(['Broken=Unknown']) }]);
  });

  it("aggregates an adapter's first Available=Unknown report on a kind with rules (§5.7 step 8)", async () => {
    const channel = (await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: `ch-${++seq}`, spec: {} }).expect(201)).body;
    expect(channel.status.conditions).toEqual([]);
    await put(channel.id, buildReport('mirror', 1, { available: 'Unknown' }), 'channels').expect(201);
    // the reporting adapter has an Unknown condition: the rule sees no status
    expect((await conditionsOf(channel.id, 'channels')).map((c) => [c.type, c.status, c.message])).toEqual([
      ['Reconciled', 'False', 'Required adapters not reporting Available=True: []. Currently reporting: []'],
      ['LastKnownReconciled', 'False', 'Required adapters have not yet reported status'],
      ['Seen', 'True', 'adapters counted: 0'],
    ]);
    await put(channel.id, buildReport('mirror', 1), 'channels').expect(201);
    expect((await conditionsOf(channel.id, 'channels')).find((c) => c.type === 'Seen')?.message).toBe('adapters counted: 1');
  });
});
