import { createServer, type AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app';
import { cleanEnv, spawnLogged } from '../support/processes';

interface Resource {
  id: string;
  name: string;
  deleted_time?: string;
  status: { conditions: { type: string; status: string }[] };
}
const status = (r: Resource, type: string) => r.status.conditions.find((c) => c.type === type)?.status;

/** 22.9: `npm run demo` fills a running API with a small fleet in every state, over HTTP, and can run twice. */
describe('npm run demo', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  async function demo(...args: string[]) {
    const run = spawnLogged('npm', ['run', '--silent', 'demo', '--', ...args], cleanEnv());
    const { code } = await run.exited;
    return { code, output: run.output() };
  }
  const list = async (path: string): Promise<Resource[]> => (await t.http.get(`/api/hyperfleet/v1${path}?size=100`).expect(200)).body.items;
  const byName = (items: Resource[], name: string) => items.find((r) => r.name === name)!;

  it('creates clusters and node pools reconciled, reconciling, with a failing adapter and marked for deletion', async () => {
    const run = await demo(url);
    expect(run).toEqual({ code: 0, output: expect.stringContaining(`Demo fleet on ${url}/api/hyperfleet/v1`) });
    expect(run.output).toContain(`${url}/api/hyperfleet/v1/openapi.html`);

    const clusters = await list('/clusters');
    expect(clusters.map((c) => c.name).sort()).toEqual(['demo-dev-ap-1', 'demo-prod-eu-1', 'demo-prod-us-1', 'demo-retired-1', 'demo-staging-eu-1']);
    expect(status(byName(clusters, 'demo-prod-eu-1'), 'Reconciled')).toBe('True');
    expect(status(byName(clusters, 'demo-prod-us-1'), 'Reconciled')).toBe('True');
    // reconciling: some adapters have reported, the others not yet
    const staging = byName(clusters, 'demo-staging-eu-1');
    expect([status(staging, 'Reconciled'), status(staging, 'ValidationSuccessful'), status(staging, 'HypershiftSuccessful')]).toEqual(['False', 'True', undefined]);
    // one adapter failing
    const dev = byName(clusters, 'demo-dev-ap-1');
    expect([status(dev, 'Reconciled'), status(dev, 'DnsSuccessful'), status(dev, 'ValidationSuccessful')]).toEqual(['False', 'False', 'True']);
    // marked for deletion, still readable until every adapter has finalized
    const retired = byName(clusters, 'demo-retired-1');
    expect(retired.deleted_time).toEqual(expect.any(String));
    expect(clusters.filter((c) => c.deleted_time).map((c) => c.name)).toEqual(['demo-retired-1']);

    const pools = await list('/nodepools');
    expect(pools).toHaveLength(7);
    const eu = await list(`/clusters/${byName(clusters, 'demo-prod-eu-1').id}/nodepools`);
    expect([status(byName(eu, 'workers'), 'Reconciled'), status(byName(eu, 'gpu'), 'Reconciled')]).toEqual(['True', 'False']);
    const us = await list(`/clusters/${byName(clusters, 'demo-prod-us-1').id}/nodepools`);
    expect([status(byName(us, 'infra'), 'Reconciled'), status(byName(us, 'infra'), 'HypershiftSuccessful')]).toEqual(['False', 'False']);
    expect((await list(`/clusters/${retired.id}/nodepools`))[0].deleted_time).toEqual(expect.any(String));
    // adapters reported for clusters and node pools alike
    expect((await t.http.get(`/api/hyperfleet/v1/clusters/${byName(clusters, 'demo-prod-eu-1').id}/statuses`).expect(200)).body.total).toBe(4);
  }, 120_000);

  it('runs again without errors and creates nothing twice; the states hold', async () => {
    const before = { clusters: await list('/clusters'), pools: await list('/nodepools') };
    const run = await demo(`${url}/api/hyperfleet/v1`);
    expect(run).toEqual({ code: 0, output: expect.not.stringContaining('not as intended') });
    const after = { clusters: await list('/clusters'), pools: await list('/nodepools') };
    expect(after.clusters.map((c) => c.id).sort()).toEqual(before.clusters.map((c) => c.id).sort());
    expect(after.pools.map((p) => p.id).sort()).toEqual(before.pools.map((p) => p.id).sort());
    expect(after.clusters.map((c) => [c.name, status(c, 'Reconciled'), Boolean(c.deleted_time)]).sort()).toEqual(
      before.clusters.map((c) => [c.name, status(c, 'Reconciled'), Boolean(c.deleted_time)]).sort(),
    );
  }, 120_000);

  it('says how to start the API when none answers, and rejects unknown arguments', async () => {
    // a port that was free a moment ago: nothing listens there
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const none = await demo(closed);
    expect(none.code).toBe(1);
    expect(none.output).toContain(`demo: no HyperFleet API answers at ${closed} (ECONNREFUSED)`);
    expect(none.output).toContain('npm start');
    const bad = await demo('--colour');
    expect(bad).toEqual({ code: 2, output: expect.stringContaining("demo: unknown argument '--colour'") });
  }, 60_000);
});
