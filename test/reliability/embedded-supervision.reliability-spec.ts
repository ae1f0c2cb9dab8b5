/**
 * The embedded PostgreSQL dies under the API (SIGKILL of its postmaster, as the OOM killer or an
 * operator would), exactly as `npm start` runs it (no database configured). The API must restart it
 * by itself (PostgreSQL's crash recovery runs on that start), each step logged, and serve again with
 * nothing acknowledged lost; meanwhile every request is answered (2xx, or 503 problem+json) and
 * /healthz stays 200. When the server cannot be restarted (its control file is gone), /healthz must
 * turn 503 with the reason, so that an orchestrator restarts the process, and SIGTERM must still
 * complete the shutdown and exit 0.
 *
 * Expected duration: 15–30 s on a 2-core machine (initdb, one API start, ~8 s of failing restarts).
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RESTART_FAILURES_FOR_LIVENESS } from '@app/persistence';
import { Answer, ApiProcess, call, killIfRunning, spawnApi, stopApi, whenListening } from '../support/api-process';
import { integrityProblems, sql } from '../support/integrity';
import { Spawned, tempDir } from '../support/processes';

const LIVENESS_MS = 10_000;

/** Clients creating clusters until stopped; every answer is kept, an unanswered request fails the test. */
class Writers {
  readonly answers: Answer[] = [];
  readonly acknowledged: string[] = [];
  private stopped = false;
  private running?: Promise<void[]>;
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  failure?: Error;

  constructor(private readonly api: ApiProcess) {}

  start(workers: number): void {
    this.running = Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Resolves once `test` holds (checked after every answer), or a request went unanswered. */
  until(test: () => boolean): Promise<void> {
    const met = () => this.failure !== undefined || test();
    if (met()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test: met, resolve }));
  }

  private async worker(w: number): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      try {
        const a = await call('POST', `${this.api.base}/clusters`, { kind: 'Cluster', name: `sup-${w}-${i}`, spec: { w, i }, labels: { worker: String(w) } }, {}, LIVENESS_MS);
        this.answers.push(a);
        if (a.status === 201) this.acknowledged.push(a.body.id);
      } catch (err) {
        this.failure ??= err as Error;
        this.stopped = true;
      }
      for (const waiter of [...this.waiters]) {
        if (!waiter.test()) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

const msg = (l: Record<string, unknown>) => String(l.msg ?? '');

describe('embedded PostgreSQL killed under the API', () => {
  const dataDir = tempDir('hf-supervise-');
  const pgControl = join(dataDir, 'postgres', 'global', 'pg_control');
  let spawned: Spawned | undefined;
  afterAll(() => {
    killIfRunning(spawned);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is restarted with crash recovery and loses nothing; when it cannot be, liveness fails and shutdown still completes', async () => {
    const started = Date.now();
    spawned = spawnApi({ HYPERFLEET_DATA_DIR: dataDir });
    const api = await whenListening(spawned);
    const ready = await spawned.waitFor((l) => msg(l).startsWith('embedded PostgreSQL ready'));
    const url = String(ready.url).replace(':***@', ':postgres@');
    const postmaster = () => Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

    const writers = new Writers(api);
    writers.start(4);
    await writers.until(() => writers.acknowledged.length >= 20);

    // ---- the crash: the postmaster is killed; its backends follow it
    const first = postmaster();
    process.kill(first, 'SIGKILL');
    const killedAt = Date.now();
    const exited = await spawned.waitFor((l) => msg(l).includes('exited unexpectedly'));
    expect(exited).toMatchObject({ level: 'error', pid: first, signal: 'SIGKILL' });
    // liveness holds while the restart is under way
    expect((await call('GET', `${api.health}/healthz`, undefined, {}, LIVENESS_MS)).status).toBe(200);
    const restarted = await spawned.waitFor((l) => msg(l).startsWith('embedded PostgreSQL restarted'), 60_000);
    expect(restarted).toMatchObject({ level: 'info', crash_recovery: true, attempt: expect.any(Number) });
    expect(spawned.lines.some((l) => l.level === 'warn' && msg(l).startsWith('restarting the embedded PostgreSQL in'))).toBe(true);
    const second = postmaster();
    expect(second).not.toBe(first);
    const restartedAt = Date.now();
    const ackedBefore = writers.acknowledged.length;
    await writers.until(() => writers.acknowledged.length >= ackedBefore + 20);
    expect((await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS)).body).toEqual({ status: 'ok' });
    await writers.stop();
    expect(writers.failure).toBeUndefined();

    // every answer was a 201 or a 503 problem+json; every acknowledged write is stored, whole
    const others = writers.answers.filter((a) => a.status !== 201 && !(a.status === 503 && a.body?.code === 'HYPERFLEET-SVC-001' && a.headers.get('content-type')?.startsWith('application/problem+json')));
    expect(others.map((a) => [a.status, a.body])).toEqual([]);
    const stored = await sql(url, 'select id from clusters where id = any($1::uuid[]) and deleted_time is null', [writers.acknowledged]);
    expect(stored).toHaveLength(writers.acknowledged.length);
    expect(await integrityProblems(url)).toEqual({});
    const unavailable = writers.answers.filter((a) => a.status === 503);

    // ---- a crash it cannot recover from: the control file is gone when the restarts begin
    // (renamed in the same tick as the kill: the first restart waits at least 250 ms)
    process.kill(second, 'SIGKILL');
    renameSync(pgControl, `${pgControl}.moved`);
    const secondKillAt = Date.now();
    const gaveUp = await spawned.waitFor((l) => msg(l).includes('/healthz answers 503 from now on'), 60_000);
    expect(gaveUp).toMatchObject({ level: 'error', consecutive_failures: expect.any(Number) });
    expect(String(gaveUp.reason)).toContain('pg_control');
    expect(spawned.lines.filter((l) => msg(l).startsWith('embedded PostgreSQL restart attempt')).length).toBeGreaterThanOrEqual(RESTART_FAILURES_FOR_LIVENESS - 1);
    const healthz = await call('GET', `${api.health}/healthz`, undefined, {}, LIVENESS_MS);
    expect({ status: healthz.status, body: healthz.body }).toEqual({ status: 503, body: { status: 'error', reason: expect.stringContaining('could not be restarted') } });
    expect((await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS)).status).toBe(503);
    const during = await call('GET', `${api.base}/clusters`, undefined, {}, LIVENESS_MS);
    expect({ status: during.status, code: during.body?.code }).toEqual({ status: 503, code: 'HYPERFLEET-SVC-001' });

    // ---- shutdown completes with the database dead and a restart pending
    const stopping = Date.now();
    expect(await stopApi(spawned)).toEqual({ code: 0, signal: null });
    const shutdownMs = Date.now() - stopping;
    expect(spawned.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    renameSync(`${pgControl}.moved`, pgControl);

    process.stdout.write(
      `\n[embedded-supervision] ${writers.answers.length} creates (${writers.acknowledged.length} acknowledged, lost: 0; 503 while down: ${unavailable.length}), ` +
        `restarted ${restartedAt - killedAt} ms after the kill (attempt ${String(restarted.attempt)}, logged down time ${String(restarted.down_ms)} ms, crash recovery), ` +
        `liveness failed ${Date.parse(String(gaveUp.time)) - secondKillAt} ms into the second outage after ${String(gaveUp.consecutive_failures)} failed attempts, shutdown ${shutdownMs} ms, total ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
});
