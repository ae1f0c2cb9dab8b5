import { maskUrl } from '@app/config';
import { isListening, killIfRunning, stopApi } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cleanEnv, Spawned, spawnLogged } from '../support/processes';

/** Resolves with the output so far once it matches `pattern` (rejects if the process exits first). */
function outputMatching(run: Spawned, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(run.output());
      if (m) {
        run.child.stdout!.off('data', check);
        resolve(m);
      }
    };
    run.child.stdout!.on('data', check);
    void run.exited.then(() => reject(new Error(`exited before ${String(pattern)}; output:\n${run.output().slice(-3000)}`)));
    check();
  });
}

const ports = { HYPERFLEET_SERVER_PORT: '0', HYPERFLEET_HEALTH_PORT: '0', HYPERFLEET_METRICS_PORT: '0' };

/** What a developer sees after `npm start` (22.4): one banner, readable lines, links that answer. */
describe('npm start', () => {
  let db: TestDatabase;
  const running: Spawned[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    running.forEach(killIfRunning);
    await db?.drop();
  });

  it('in the text format prints one banner whose API, Swagger UI, health and metrics addresses answer', async () => {
    const run = spawnLogged('npm', ['start'], cleanEnv({ HYPERFLEET_DATABASE_URL: db.url, HYPERFLEET_LOGGING_FORMAT: 'text', ...ports }));
    running.push(run);
    const [banner] = await outputMatching(run, /HyperFleet API \S+ is ready\n(?: {2}.*\n){7}/);
    const row = (name: string) => new RegExp(`^ {2}${name} +(.+)$`, 'm').exec(banner)![1];
    const [liveness, readiness] = row('health').split(/\s+/);
    expect(await fetch(row('API')).then(async (r) => [r.status, await r.json()])).toEqual([200, expect.objectContaining({ kind: 'APIRoot' })]);
    expect(await fetch(row('Swagger UI')).then(async (r) => [r.status, (await r.text()).includes('swagger-ui')])).toEqual([200, true]);
    expect(await fetch(row('OpenAPI')).then(async (r) => [r.status, ((await r.json()) as { openapi: string }).openapi])).toEqual([200, expect.stringMatching(/^3\./)]);
    expect((await fetch(liveness)).status).toBe(200);
    expect((await fetch(readiness)).status).toBe(200);
    expect(await fetch(row('metrics')).then(async (r) => [r.status, (await r.text()).includes('hyperfleet_api_requests_total')])).toEqual([200, true]);
    expect(row('database')).toBe(maskUrl(db.url));

    // every line is for people: no JSON, and Nest's per-module and per-route lines stay at debug
    expect(run.lines).toEqual([]);
    expect(run.output()).not.toContain('Mapped {');
    expect(run.output()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/api\/hyperfleet\/v1 200 [\d.]+ ms/m);
    expect((await stopApi(run)).code).toBe(0);
  }, 120_000);

  it('into a pipe (format auto) writes JSON; the listening line carries the links and the ports', async () => {
    const run = spawnLogged('npm', ['start'], cleanEnv({ HYPERFLEET_DATABASE_URL: db.url, ...ports }));
    running.push(run);
    const ready = await run.waitFor(isListening, 90_000);
    const api = `http://127.0.0.1:${String(ready.api_port)}/api/hyperfleet/v1`;
    expect(ready).toMatchObject({
      api,
      swagger_ui: `${api}/openapi.html`,
      openapi: `${api}/openapi`,
      health: `http://127.0.0.1:${String(ready.health_port)}/readyz`,
      liveness: `http://127.0.0.1:${String(ready.health_port)}/healthz`,
      metrics: `http://127.0.0.1:${String(ready.metrics_port)}/metrics`,
    });
    expect((await fetch(String(ready.swagger_ui))).status).toBe(200);
    // a handful of start-up lines, not one per module and route
    expect(run.lines.filter((l) => l.level === 'info').length).toBeLessThan(8);
    expect((await stopApi(run)).code).toBe(0);
  }, 120_000);
});
