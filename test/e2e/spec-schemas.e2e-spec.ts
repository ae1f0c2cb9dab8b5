import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@app/config';
import { stringify } from 'yaml';
import { buildReport } from '../factories/adapter-status.factory';
import { killIfRunning, spawnApi } from '../support/api-process';
import { CHART_KINDS } from '../support/chart-kinds';
import { integrityProblems, sql } from '../support/integrity';
import { expectProblem } from '../support/problem';
import type { Spawned } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/** A deployment's spec schemas (OpenAPI 3.0): Cluster and NodePool with required fields, Channel and Version; WifConfig has none. */
const DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'provider', version: '1' },
  paths: {},
  components: {
    schemas: {
      ClusterSpec: {
        type: 'object',
        required: ['region', 'network'],
        additionalProperties: false,
        properties: { region: { type: 'string', enum: ['us-east1', 'europe-west1'] }, network: { $ref: '#/components/schemas/Network' }, note: { type: 'string', nullable: true } },
      },
      Network: { type: 'object', required: ['cidr'], properties: { cidr: { type: 'string', pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$' } } },
      NodePoolSpec: { type: 'object', required: ['replicas'], properties: { replicas: { type: 'integer', minimum: 1, maximum: 50 } } },
      ChannelSpec: { type: 'object', required: ['tier'], properties: { tier: { type: 'string', enum: ['ga', 'eus'] } } },
      VersionSpec: { type: 'object', required: ['image'], properties: { image: { type: 'string', minLength: 3 } } },
    },
  },
};
const CLUSTER_SPEC = { region: 'us-east1', network: { cidr: '10.0.0.0/16' } };

/**
 * Spec schemas (CONTRACT D14, R1.4) end to end: the app starts with a deployment's OpenAPI document and
 * the chart kinds; every route that writes a spec checks it; the served document shows the schemas.
 */
describe('spec schemas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-schemas-e2e-'));
  const documentPath = join(dir, 'openapi.yaml');
  writeFileSync(documentPath, stringify(DOCUMENT));
  let t: TestApp;
  let seq = 0;
  const name = (prefix: string) => `${prefix}-${++seq}`;
  const post = (path: string, body: object) => t.http.post(`${API}${path}`).send(body);
  const patch = (path: string, body: object) => t.http.patch(`${API}${path}`).send(body);
  const refused = (res: Parameters<typeof expectProblem>[0], schema: string) => {
    const problem = expectProblem(res, 400, 'HYPERFLEET-VAL-000');
    expect(problem.detail).toBe(`Invalid ${schema}`);
    return problem.errors as { field: string; message: string; constraint?: string }[];
  };

  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_ENTITIES: JSON.stringify(CHART_KINDS), HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH: documentPath });
  });
  afterAll(async () => {
    expect(await integrityProblems(t.db.url)).toEqual({});
    await t?.close();
  });

  it('refuses an invalid spec on POST /clusters with one errors[] entry per failing field, and stores nothing', async () => {
    const errors = refused(await post('/clusters', { kind: 'Cluster', name: name('bad'), spec: { region: 'mars', network: { cidr: '10.0.0.0' }, extra: true } }), 'ClusterSpec');
    expect(errors).toEqual([
      { field: 'spec.extra', message: 'is not an allowed property' },
      { field: 'spec.region', message: 'must be one of "us-east1", "europe-west1"', constraint: 'enum' },
      { field: 'spec.network.cidr', message: 'must match the pattern ^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$', constraint: 'pattern' },
    ]);
    expect(refused(await post('/clusters', { kind: 'Cluster', name: name('bad'), spec: {} }), 'ClusterSpec')).toEqual([
      { field: 'spec.region', message: 'is required', constraint: 'required' },
      { field: 'spec.network', message: 'is required', constraint: 'required' },
    ]);
    expect(await sql(t.db.url, "select count(*)::int as n from clusters where name like 'bad-%'")).toEqual([{ n: 0 }]);
  });

  it('accepts a valid spec (null where the schema is nullable) and checks PATCH on the item route', async () => {
    const cluster = (await post('/clusters', { kind: 'Cluster', name: name('ok'), spec: { ...CLUSTER_SPEC, note: null } }).expect(201)).body;
    expect(refused(await patch(`/clusters/${cluster.id}`, { spec: { region: 'us-east1', network: {} } }), 'ClusterSpec')).toEqual([{ field: 'spec.network.cidr', message: 'is required', constraint: 'required' }]);
    expect((await t.http.get(`${API}/clusters/${cluster.id}`).expect(200)).body).toMatchObject({ generation: 1, spec: { ...CLUSTER_SPEC, note: null } });
    // labels alone: the stored spec is not checked again
    await patch(`/clusters/${cluster.id}`, { labels: { a: 'b' } }).expect(200);
    expect((await patch(`/clusters/${cluster.id}`, { spec: { ...CLUSTER_SPEC, region: 'europe-west1' } }).expect(200)).body).toMatchObject({ generation: 3, spec: { region: 'europe-west1' } });
  });

  it('checks a child kind through its nested collection and item and its flat item routes', async () => {
    const cluster = (await post('/clusters', { kind: 'Cluster', name: name('np'), spec: CLUSTER_SPEC }).expect(201)).body;
    expect(refused(await post(`/clusters/${cluster.id}/nodepools`, { kind: 'NodePool', name: 'pool', spec: { replicas: 0 } }), 'NodePoolSpec')).toEqual([
      { field: 'spec.replicas', message: 'must be at least 1', constraint: 'min' },
    ]);
    const pool = (await post(`/clusters/${cluster.id}/nodepools`, { kind: 'NodePool', name: 'pool', spec: { replicas: 3 } }).expect(201)).body;
    expect(refused(await patch(`/clusters/${cluster.id}/nodepools/${pool.id}`, { spec: { replicas: 'three' } }), 'NodePoolSpec')).toEqual([
      { field: 'spec.replicas', message: 'must be an integer', constraint: 'type' },
    ]);
    expect(refused(await patch(`/nodepools/${pool.id}`, { spec: { replicas: 51 } }), 'NodePoolSpec')).toEqual([{ field: 'spec.replicas', message: 'must be at most 50', constraint: 'max' }]);
    await patch(`/nodepools/${pool.id}`, { spec: { replicas: 5 } }).expect(200);

    const channel = (await post('/channels', { kind: 'Channel', name: name('ch'), spec: { tier: 'ga' } }).expect(201)).body;
    const version = { kind: 'Version', name: 'v1', references: { channel: [{ id: channel.id, kind: 'Channel' }] } };
    expect(refused(await post(`/channels/${channel.id}/versions`, { ...version, spec: { image: 'x' } }), 'VersionSpec')).toEqual([
      { field: 'spec.image', message: 'must be at least 3 characters long', constraint: 'min_length' },
    ]);
    const created = (await post(`/channels/${channel.id}/versions`, { ...version, spec: { image: 'quay.io/x:4.18' } }).expect(201)).body;
    expect(refused(await patch(`/versions/${created.id}`, { spec: {} }), 'VersionSpec')).toEqual([{ field: 'spec.image', message: 'is required', constraint: 'required' }]);
  });

  it('checks the generic /resources create and PATCH by the kind of the resource', async () => {
    expect(refused(await post('/resources', { kind: 'Channel', name: name('gen'), spec: { tier: 'beta' } }), 'ChannelSpec')).toEqual([
      { field: 'spec.tier', message: 'must be one of "ga", "eus"', constraint: 'enum' },
    ]);
    const channel = (await post('/resources', { kind: 'Channel', name: name('gen'), spec: { tier: 'eus' } }).expect(201)).body;
    expect(refused(await patch(`/resources/${channel.id}`, { spec: { tier: 1 } }), 'ChannelSpec')).toEqual([{ field: 'spec.tier', message: 'must be a string', constraint: 'type' }]);
    const cluster = (await post('/resources', { kind: 'Cluster', name: name('gen'), spec: CLUSTER_SPEC }).expect(201)).body;
    expect(refused(await patch(`/resources/${cluster.id}`, { spec: { region: 'us-east1' } }), 'ClusterSpec')).toEqual([{ field: 'spec.network', message: 'is required', constraint: 'required' }]);
  });

  it('accepts any object for a kind the document has no component for, and says so at start-up', async () => {
    await post('/wifconfigs', { kind: 'WifConfig', name: name('wif'), spec: { anything: [1, { deep: true }] } }).expect(201);
    expect(t.logs.filter((l) => l.level === 'warn' && /has no component 'WifConfigSpec': the spec of WifConfig is not checked/.test(String(l.msg)))).toHaveLength(1);
  });

  it('keeps the spec checks of the DTO first: a spec that is not an object is refused as before', async () => {
    const res = await post('/clusters', { kind: 'Cluster', name: name('arr'), spec: ['x'] });
    expect(expectProblem(res, 400, 'HYPERFLEET-VAL-000').detail).toBe('spec field must be an object');
  });

  it('does not check reports: status data is not a spec', async () => {
    const cluster = (await post('/clusters', { kind: 'Cluster', name: name('rep'), spec: CLUSTER_SPEC }).expect(201)).body;
    await t.http.put(`${API}/clusters/${cluster.id}/statuses`).send(buildReport('validation', 1, { extra: { data: { region: 'mars' } } })).expect(201);
  });

  it('serves the deployed spec schemas, with the components they refer to, in the OpenAPI document', async () => {
    const document = (await t.http.get(`${API}/openapi`).expect(200)).body;
    const schemas = document.components.schemas;
    expect(schemas.ClusterSpec).toEqual(DOCUMENT.components.schemas.ClusterSpec);
    expect(schemas.Network).toEqual(DOCUMENT.components.schemas.Network);
    expect(schemas.NodePoolSpec).toEqual(DOCUMENT.components.schemas.NodePoolSpec);
    expect(schemas.ClusterCreateRequest.properties.spec).toEqual({ $ref: '#/components/schemas/ClusterSpec' });
    // no component: the permissive schema
    expect(schemas.WifConfigSpec).toMatchObject({ type: 'object', additionalProperties: true });
    expect(schemas.ResourceConditionStatus.enum).toEqual(['True', 'False', 'Unknown']);
  });
});

describe('spec schemas at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-schemas-start-'));
  const documentPath = join(dir, 'openapi.yaml');
  writeFileSync(documentPath, stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {}, components: { schemas: { ClusterSpec: { type: 'object' } } } }));
  let api: Spawned | undefined;
  afterAll(() => killIfRunning(api));

  it('stops a kind that requires a missing component, naming the kind and the component', () => {
    const entities = JSON.stringify([{ kind: 'Channel', plural: 'channels', require_spec_schema: true }]);
    let problems: string[] = [];
    try {
      loadConfig({ HYPERFLEET_ENTITIES: entities, HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH: documentPath }, []);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([
      `HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH (server.openapi_schema_path): ${documentPath}: has no component 'ChannelSpec' (components.schemas), which Channel requires (require_spec_schema: true)`,
    ]);
  });

  it('exits 1 with one fatal line naming a rule that does not compile, the entity and the position', async () => {
    const entities = [
      { kind: 'Channel', plural: 'channels', require_spec_schema: true },
      { kind: 'Stream', plural: 'streams', conditions: [{ type: 'Ready', when: { expression: 'statuses.exists(s, s.adapter ==)' }, output: { status: { expression: '"True"' }, reason: { expression: '"R"' }, message: { expression: '"m"' } } }] },
    ];
    api = spawnApi({ HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', HYPERFLEET_ENTITIES: JSON.stringify(entities), HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH: documentPath });
    const { code } = await api.exited;
    expect(code).toBe(1);
    const fatal = api.lines.find((l) => l.level === 'fatal');
    expect(fatal?.problems).toEqual([
      expect.stringMatching(/^entities\[1\] \(Stream\): conditions\[0\] \(Ready\)\.when: syntax error at line 1, column 32: Unexpected token: RPAREN/),
    ]);
    expect(api.output()).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('exits 1 with one fatal line naming a missing required component', async () => {
    api = spawnApi({ HYPERFLEET_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', HYPERFLEET_ENTITIES: JSON.stringify([{ kind: 'Channel', plural: 'channels', require_spec_schema: true }]), HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH: documentPath });
    const { code } = await api.exited;
    expect(code).toBe(1);
    expect(api.lines.find((l) => l.level === 'fatal')?.problems).toEqual([expect.stringContaining("has no component 'ChannelSpec' (components.schemas), which Channel requires (require_spec_schema: true)")]);
  }, 120_000);
});
