import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { killIfRunning } from '../support/api-process';
import { cleanEnv, NODE, NPM_ENV_PATH, spawnLogged, Spawned, tempDir } from '../support/processes';

const listening = (l: Record<string, unknown>) => typeof l.msg === 'string' && l.msg.startsWith('HyperFleet API listening');

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/**
 * The zero-setup path, exactly as a new user runs it: `npm start` with no database configured starts
 * an embedded PostgreSQL under HYPERFLEET_DATA_DIR, migrates it and serves; SIGTERM stops it all;
 * the next start reuses the same data directory.
 */
describe('npm start with no database configured', () => {
  const dataDir = tempDir('hf-start-');
  const env = cleanEnv({ HYPERFLEET_DATA_DIR: dataDir, HYPERFLEET_SERVER_PORT: '0', HYPERFLEET_HEALTH_PORT: '0', HYPERFLEET_METRICS_PORT: '0' });
  const running: Spawned[] = [];
  afterAll(() => {
    running.forEach(killIfRunning);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts an embedded PostgreSQL, migrates it, serves, and stops cleanly on SIGTERM', async () => {
    const api = spawnLogged('npm', ['start'], env);
    running.push(api);
    const ready = await api.waitFor(listening, 150_000);
    expect(api.lines.some((l) => String(l.msg).includes(`data kept in ${dataDir}`))).toBe(true);
    expect(api.lines.some((l) => String(l.msg) === 'applied 1 migration(s)' || /applied \d+ migration/.test(String(l.msg)))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    expect(await get(`http://127.0.0.1:${ready.health_port}/readyz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(`http://127.0.0.1:${ready.health_port}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    const meta = await get(`http://127.0.0.1:${ready.api_port}/api/hyperfleet`);
    expect(meta).toMatchObject({ status: 200, body: { id: 'hyperfleet', kind: 'API' } });

    process.kill(-api.child.pid!, 'SIGTERM');
    await api.exited;
    expect(api.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 200_000);

  it('reuses the data directory on the next start (the built server, run directly) and exits 0 on SIGTERM', async () => {
    // npm start runs from source; the built server comes from the production build (of the API alone, so
    // the migrate command another test file runs from dist stays in place)
    const build = spawnLogged(NODE, ['node_modules/.bin/nest', 'build', 'api'], cleanEnv({ PATH: NPM_ENV_PATH }));
    expect(await build.exited).toEqual({ code: 0, signal: null });
    const api = spawnLogged(NODE, ['dist/apps/api/apps/api/src/main.js'], env);
    running.push(api);
    const ready = await api.waitFor(listening, 60_000);
    expect(api.lines.some((l) => l.msg === 'database schema is up to date')).toBe(true);
    expect((await get(`http://127.0.0.1:${ready.health_port}/readyz`)).status).toBe(200);
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
