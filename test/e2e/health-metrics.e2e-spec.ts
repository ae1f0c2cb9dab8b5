import 'reflect-metadata';
import { DatabaseHealth, initOrm } from '@app/persistence';
import { OpsServers } from '../../apps/api/src/health/ops-servers';
import { MetricsService } from '../../apps/api/src/observability/metrics.service';
import { adminQuery } from '../setup/pg-admin';
import { startTestApp, TestApp } from '../support/test-app';

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

describe('health and metrics listeners', () => {
  let t: TestApp;
  let ops: OpsServers;
  let health: string;
  let metrics: string;
  beforeAll(async () => {
    t = await startTestApp();
    ops = new OpsServers(t.app.get(DatabaseHealth), t.app.get(MetricsService), 2000);
    await ops.listen({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 });
    health = `http://127.0.0.1:${ops.healthPort}`;
    metrics = `http://127.0.0.1:${ops.metricsPort}`;
  });
  afterAll(async () => {
    await ops?.close();
    await t?.close();
  });

  it('/healthz is 200 while serving; /readyz follows start-up, the database and shutdown', async () => {
    expect(await get(`${health}/healthz`)).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect(await get(`${health}/readyz`)).toEqual({ status: 503, text: '{"status":"not_ready","reason":"Application is not ready"}' });
    ops.markReady();
    expect(await get(`${health}/readyz`)).toEqual({ status: 200, text: '{"status":"ok"}' });
    ops.markShuttingDown();
    expect(await get(`${health}/readyz`)).toEqual({ status: 503, text: '{"status":"shutting_down","reason":"Application is shutting down"}' });
  });

  it('/readyz is 503 with the reason when the database does not answer', async () => {
    const dead = await initOrm({ clientUrl: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1 });
    const deadOps = new OpsServers(new DatabaseHealth(dead.em), t.app.get(MetricsService), 2000);
    await deadOps.listen({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 });
    try {
      deadOps.markReady();
      expect(await get(`http://127.0.0.1:${deadOps.healthPort}/readyz`)).toEqual({ status: 503, text: '{"status":"not_ready","reason":"database unavailable"}' });
    } finally {
      await deadOps.close();
      await dead.close(true);
    }
  });

  it('/metrics exposes request counters and durations by route template, build info and process metrics', async () => {
    await t.http.get('/api/hyperfleet').expect(200);
    await t.http.get('/api/hyperfleet/v1/no/such/route/0123').expect(404);
    const { status, text } = await get(`${metrics}/metrics`);
    expect(status).toBe(200);
    expect(text).toMatch(/hyperfleet_api_requests_total\{method="GET",path="\/api\/hyperfleet",code="200",component="api",version="[^"]+"\} [1-9]/);
    expect(text).toMatch(/hyperfleet_api_requests_total\{method="GET",path="unmatched",code="404"/);
    expect(text).toMatch(/hyperfleet_api_request_duration_seconds_bucket\{[^}]*le="0.005"[^}]*\}/);
    expect(text).toMatch(/hyperfleet_api_request_duration_seconds_count\{(?=[^}]*method="GET")(?=[^}]*path="\/api\/hyperfleet")(?=[^}]*code="200")[^}]*\} [1-9]/);
    expect(text).toMatch(/hyperfleet_api_build_info\{commit="[^"]*",node_version="v24[^"]*",component="api",version="[^"]+"\} 1/);
    expect(text).toContain('hyperfleet_api_process_resident_memory_bytes');
    expect(text).not.toMatch(/path="[^"]*0123/);
  });

  it('/metrics exposes database statements, the pool, and reconciliation progress', async () => {
    // an app of its own: reconciliation figures are cached for a few seconds between scrapes
    const own = await startTestApp();
    const ownOps = new OpsServers(own.app.get(DatabaseHealth), own.app.get(MetricsService), 2000);
    await ownOps.listen({ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0 });
    try {
      await checkMetrics(own, `http://127.0.0.1:${ownOps.metricsPort}`);
    } finally {
      await ownOps.close();
      await own.close();
    }
  });

  async function checkMetrics(t: TestApp, metrics: string): Promise<void> {

    await t.http.post('/api/hyperfleet/v1/clusters').send({ kind: 'Cluster', name: 'metrics-one', spec: {} }).expect(201);
    // a cluster stuck since January: Reconciled=False for far longer than the 10m threshold
    await adminQuery(
      t.db.url,
      `insert into clusters (id, name, spec, conditions, condition_statuses, created_time, updated_time, created_by, updated_by)
       values (gen_random_uuid(), 'metrics-stuck', '{}', '[{"type":"Reconciled","status":"False","observed_generation":1,"created_time":"2026-01-01T00:00:00.000Z","last_updated_time":"2026-01-01T00:00:00.000Z","last_transition_time":"2026-01-01T00:00:00.000Z"}]', '{Reconciled=False}', now(), now(), 'test', 'test')`,
    );
    const { text } = await get(`${metrics}/metrics`);
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    expect(value(/hyperfleet_db_query_duration_seconds_count\{(?=[^}]*operation="insert")(?=[^}]*table="clusters")[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/hyperfleet_db_connections_open\{[^}]*\} \d+/);
    expect(text).toMatch(/hyperfleet_db_connections_in_use\{[^}]*\} \d+/);
    expect(value(/hyperfleet_api_reconciliation_started_total\{(?=[^}]*resource_type="Cluster")(?=[^}]*is_delete="false")[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/hyperfleet_api_resource_pending_reconciliation\{(?=[^}]*resource_type="cluster")(?=[^}]*is_delete="false")[^}]*\} (\d+)/)).toBe(2);
    expect(value(/hyperfleet_api_resource_pending_reconciliation_stuck\{(?=[^}]*resource_type="cluster")(?=[^}]*is_delete="false")[^}]*\} (\d+)/)).toBe(1);
    expect(value(/hyperfleet_api_resource_pending_reconciliation_stuck_duration_seconds\{(?=[^}]*resource_type="cluster")(?=[^}]*is_delete="false")[^}]*\} ([\d.e+]+)/)).toBeGreaterThan(86_400);
    expect(value(/hyperfleet_api_resource_pending_reconciliation\{(?=[^}]*resource_type="nodepool")(?=[^}]*is_delete="true")[^}]*\} (\d+)/)).toBe(0);
  }
});
