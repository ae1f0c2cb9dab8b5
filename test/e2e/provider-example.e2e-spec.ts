import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const EXAMPLE = 'docs/examples/provider';

/**
 * The worked example of docs/operations.md ("Worked example: a GCP deployment"): the API starts with
 * docs/examples/provider/config.yaml (which names spec-schemas.yaml beside it) and the walk-through's
 * requests give what the page says.
 */
describe('docs/examples/provider', () => {
  let t: TestApp;
  const BAD = { kind: 'Cluster', name: 'prod-1', spec: { platform: { type: 'gcp', gcp: { projectID: 'Bad_Project', region: 'us-east1' } }, release: { version: '4.18' } } };
  const GOOD = { kind: 'Cluster', name: 'prod-1', spec: { platform: { type: 'gcp', gcp: { projectID: 'hcp-prod-1234', region: 'us-east1' } }, release: { version: '4.18.2' } } };
  const MANDATORY = [
    { type: 'Available', status: 'True', reason: 'Ready' },
    { type: 'Applied', status: 'True', reason: 'Applied' },
    { type: 'Health', status: 'True', reason: 'Healthy' },
  ];
  const landingZone = (namespaceReady?: { status: string; reason: string; message: string }) => ({
    adapter: 'landing-zone',
    observed_generation: 1,
    observed_time: new Date().toISOString(),
    conditions: [...MANDATORY, ...(namespaceReady ? [{ type: 'NamespaceReady', ...namespaceReady }] : [])],
    data: { namespace: 'hcp-prod-1', serviceAccountToken: 'never shown to rules' },
  });

  beforeAll(async () => {
    // the config file names the schema document relative to the working directory: the repository's root
    t = await startTestApp({ HYPERFLEET_CONFIG: join(EXAMPLE, 'config.yaml') });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uses the example document', () => {
    expect(t.config.specSchemas.source).toBe(`${EXAMPLE}/spec-schemas.yaml`);
    expect(readFileSync(join(EXAMPLE, 'config.yaml'), 'utf8')).toContain(`openapi_schema_path: ${EXAMPLE}/spec-schemas.yaml`);
  });

  it('runs the walk-through: a refused spec, a created cluster, a mapped condition and a search for it', async () => {
    const refused = expectProblem(await t.http.post(`${API}/clusters`).send(BAD), 400, 'HYPERFLEET-VAL-000');
    // as the page shows it
    expect({ detail: refused.detail, errors: refused.errors }).toEqual({
      detail: 'Invalid ClusterSpec',
      errors: [
        { field: 'spec.platform.gcp.projectID', message: 'must match the pattern ^[a-z][a-z0-9-]{4,28}[a-z0-9]$', constraint: 'pattern' },
        { field: 'spec.release.version', message: 'must match the pattern ^4\\.\\d+\\.\\d+$', constraint: 'pattern' },
      ],
    });

    const cluster = (await t.http.post(`${API}/clusters`).send(GOOD).expect(201)).body;
    await t.http.put(`${API}/clusters/${cluster.id}/statuses`).send(landingZone({ status: 'True', reason: 'Created', message: 'namespace created' })).expect(201);
    const conditions = (await t.http.get(`${API}/clusters/${cluster.id}`).expect(200)).body.status.conditions;
    const last = conditions[conditions.length - 1];
    expect(last).toMatchObject({ type: 'LandingZoneReady', status: 'True', reason: 'Created', message: 'Landing zone hcp-prod-1: namespace created', observed_generation: 1 });
    const found = (await t.http.get(`${API}/clusters`).query({ search: "status.conditions.LandingZoneReady='True'" }).expect(200)).body;
    expect(found.items.map((c: { id: string }) => c.id)).toEqual([cluster.id]);

    await t.http.put(`${API}/clusters/${cluster.id}/statuses`).send(landingZone({ status: 'False', reason: 'QuotaExceeded', message: 'no quota' })).expect(201);
    const turned = (await t.http.get(`${API}/clusters/${cluster.id}`).expect(200)).body.status.conditions.find((c: { type: string }) => c.type === 'LandingZoneReady');
    expect(turned).toMatchObject({ status: 'False', created_time: last.created_time });
    await t.http.put(`${API}/clusters/${cluster.id}/statuses`).send(landingZone()).expect(201);
    expect((await t.http.get(`${API}/clusters/${cluster.id}`).expect(200)).body.status.conditions.map((c: { type: string }) => c.type)).not.toContain('LandingZoneReady');
  });

  it('checks node pools against the example NodePoolSpec', async () => {
    const cluster = (await t.http.post(`${API}/clusters`).send({ ...GOOD, name: 'prod-2' }).expect(201)).body;
    const refused = expectProblem(await t.http.post(`${API}/clusters/${cluster.id}/nodepools`).send({ kind: 'NodePool', name: 'pool-1', spec: { replicas: 0 } }), 400, 'HYPERFLEET-VAL-000');
    expect(refused.errors).toEqual([
      { field: 'spec.platform', message: 'is required', constraint: 'required' },
      { field: 'spec.replicas', message: 'must be at least 1', constraint: 'min' },
    ]);
    await t.http.post(`${API}/clusters/${cluster.id}/nodepools`).send({ kind: 'NodePool', name: 'pool-1', spec: { replicas: 2, platform: { instanceType: 'n2-standard-4' } } }).expect(201);
  });
});
