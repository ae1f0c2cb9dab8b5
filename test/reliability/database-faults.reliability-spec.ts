/**
 * The database goes away under load and comes back. The test runs its OWN PostgreSQL (embedded, on a
 * fixed port so that a restart keeps the URL) and the API as a separate process, as in production.
 * While clients keep sending a mix of reads and writes, PostgreSQL is stopped (three times; the first
 * time while every pooled connection is inside a transaction waiting on a row lock): every request must
 * be answered promptly with 503 problem+json (HYPERFLEET-SVC-001/002, never a 500, never a hang — each
 * answer must arrive within a 10 s liveness bound), /readyz must say 503 with a reason, and the process
 * must stay up. PostgreSQL is started again on the same data directory and port: the service must
 * recover by itself (no restart) — the first /readyz after the restart is 200 and writes succeed — and
 * every write acknowledged with a 2xx, before or around the faults, must still be there.
 *
 * Expected duration: 5–15 s on a 2-core machine (PostgreSQL's initdb and four starts, one API start).
 */
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { freePort, startEmbeddedPostgres, EmbeddedDatabase } from '@app/persistence';
import { Answer, ApiProcess, bounded, call, CLUSTER_ADAPTERS, killIfRunning, report, spawnApi, stopApi, whenListening } from '../support/api-process';
import { integrityProblems, sql } from '../support/integrity';
import { Spawned, tempDir } from '../support/processes';

const LIVENESS_MS = 10_000;
const POOL = 5;
/** A prepared transaction holds the row lock the DELETEs wait on across the first stop. */
const HOLD = 'database-faults-hold';
const SETTINGS = { max_prepared_transactions: 2 };

type Op = 'create' | 'list' | 'get' | 'patch' | 'status' | 'nodepool';
interface Sent {
  op: Op;
  sentAt: number;
  answeredAt?: number;
  answer?: Answer;
  /** The request never got an answer (fetch failed or the liveness bound passed). */
  failure?: string;
  cluster?: string;
  spec?: Record<string, unknown>;
}

/**
 * A bounded, continuous mix of requests: each worker owns the clusters it creates (so that its PATCHes
 * and reports on them are sequential and their outcome is known), reads lists and other clusters, and
 * runs until stopped. Progress is observable: `until` resolves as soon as the record satisfies a
 * predicate (checked after every answer) — synchronisation on events, not on time.
 */
class Load {
  readonly sent: Sent[] = [];
  private stopped = false;
  private readonly waiters: { test: (s: Sent[]) => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  private running?: Promise<void[]>;
  private broken?: Error;

  constructor(private readonly api: () => ApiProcess) {}

  start(workers: number): void {
    this.running = Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Resolves when `test` holds; rejects as soon as a request goes unanswered (the load stops then). */
  until(test: (s: Sent[]) => boolean, what: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (test(this.sent)) return Promise.resolve();
    // bounded by work, not time: a condition not met within 3000 more requests will not be met
    const limit = this.sent.length + 3000;
    const bounded = (s: Sent[]) => {
      if (s.length > limit) throw new Error(`not reached within 3000 requests: ${what}; last answers: ${JSON.stringify(s.slice(-3).map((x) => [x.op, x.answer?.status, x.answer?.body]))}`);
      return test(s);
    };
    return new Promise((resolve, reject) => this.waiters.push({ test: bounded, resolve, reject }));
  }

  private async worker(w: number): Promise<void> {
    const mine: { id: string; generation: number }[] = [];
    for (let i = 0; !this.stopped; i++) {
      const own = mine.length ? mine[i % mine.length] : undefined;
      const pick = (['create', 'list', 'patch', 'status', 'get', 'nodepool'] as Op[])[i % 6];
      const op: Op = own || pick === 'create' || pick === 'list' ? pick : 'create';
      const entry: Sent = { op, sentAt: Date.now(), cluster: own?.id };
      this.sent.push(entry);
      const base = this.api().base;
      try {
        switch (op) {
          case 'create':
            entry.answer = await call('POST', `${base}/clusters`, { kind: 'Cluster', name: `load-${w}-${i}`, spec: { w, i }, labels: { worker: String(w) } }, {}, LIVENESS_MS);
            if (entry.answer.status === 201) mine.push({ id: entry.answer.body.id, generation: 1 });
            break;
          case 'list':
            entry.answer = await call('GET', `${base}/clusters?size=5&search=${encodeURIComponent(`labels.worker='${w}'`)}`, undefined, {}, LIVENESS_MS);
            break;
          case 'get':
            entry.answer = await call('GET', `${base}/clusters/${own!.id}`, undefined, {}, LIVENESS_MS);
            break;
          case 'patch':
            entry.spec = { w, i, patched: true };
            entry.answer = await call('PATCH', `${base}/clusters/${own!.id}`, { spec: entry.spec }, {}, LIVENESS_MS);
            if (entry.answer.status === 200) own!.generation = entry.answer.body.generation;
            break;
          case 'status':
            entry.answer = await call('PUT', `${base}/clusters/${own!.id}/statuses`, report(CLUSTER_ADAPTERS[i % 4], own!.generation), {}, LIVENESS_MS);
            break;
          case 'nodepool':
            entry.answer = await call('POST', `${base}/clusters/${own!.id}/nodepools`, { kind: 'NodePool', name: `np-${i}`, spec: { i } }, {}, LIVENESS_MS);
            break;
        }
        entry.answeredAt = Date.now();
      } catch (err) {
        entry.failure = `${(err as Error).name}: ${(err as Error).message}`;
        // an unanswered request fails the test: stop the load instead of spinning on a dead server
        this.stopped = true;
        this.broken ??= new Error(`${op} got no answer: ${entry.failure}`);
        for (const waiter of this.waiters.splice(0)) waiter.reject(this.broken);
        return;
      }
      for (const waiter of [...this.waiters]) {
        try {
          if (!waiter.test(this.sent)) continue;
          waiter.resolve();
        } catch (err) {
          waiter.reject(err as Error);
        }
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
      }
    }
  }
}

const ok = (s: Sent) => !!s.answer && s.answer.status < 300;
const unavailable = (s: Sent) => s.answer?.status === 503;

/** A 503 as the contract wants it: problem+json, SVC-001 or SVC-002, Retry-After, trace id. */
function expectUnavailable(a: Answer): void {
  expect({ status: a.status, code: a.body?.code }).toEqual({ status: 503, code: expect.stringMatching(/^HYPERFLEET-SVC-00[12]$/) });
  expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(a.headers.get('retry-after')).toBe('1');
  expect(a.body.trace_id).toBe(a.headers.get('x-request-id'));
}

describe('database stopped and restarted under load', () => {
  const dataDir = tempDir('hf-dbfault-');
  let port: number;
  let pg: EmbeddedDatabase | undefined;
  let url: string;
  let spawned: Spawned | undefined;
  let api: ApiProcess;
  let load: Load | undefined;
  const started = Date.now();

  beforeAll(async () => {
    port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir, persistent: true, port, databaseName: 'hyperfleet', settings: SETTINGS });
    url = pg.url;
  }, 120_000);
  afterAll(async () => {
    killIfRunning(spawned);
    await load?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 (not 500, not a hang) while the database is down, recovers by itself, and loses nothing acknowledged', async () => {
    spawned = spawnApi({ HYPERFLEET_DATABASE_URL: url, HYPERFLEET_DB_MIGRATE_ON_BOOT: 'true', HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: String(POOL) });
    api = await whenListening(spawned);

    // acknowledged before the fault: clusters with labels, a node pool each, a PATCH and a status
    const before = await bounded(4, Array.from({ length: 12 }, (_, i) => async () => {
      const c = await call('POST', `${api.base}/clusters`, { kind: 'Cluster', name: `before-${i}`, spec: { i }, labels: { phase: 'before' } });
      expect(c.status).toBe(201);
      const np = await call('POST', `${api.base}/clusters/${c.body.id}/nodepools`, { kind: 'NodePool', name: 'workers', spec: { replicas: i } });
      expect(np.status).toBe(201);
      const p = await call('PATCH', `${api.base}/clusters/${c.body.id}`, { spec: { i, v: 2 } });
      expect(p.status).toBe(200);
      const s = await call('PUT', `${api.base}/clusters/${c.body.id}/statuses`, report('dns', 2));
      expect(s.status).toBe(201);
      return { cluster: c.body.id as string, nodePool: np.body.id as string };
    }));

    load = new Load(() => api);
    load.start(6);
    await load.until((s) => s.filter(ok).length >= 40, '40 answers 2xx before the first fault');

    const probe = before[0].cluster;
    const outages: { stopping: number; stoppedAt: number; restarting: number; restartedAt: number }[] = [];
    const during: Answer[] = [];
    let blockedDeletes: Answer[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      // first cycle: every pooled connection is inside a transaction, waiting on a row lock, when the
      // database goes away (the transactions die half-way: their COMMIT and ROLLBACK both fail). A
      // cluster's deletion mark is such a transaction (it cascades to the node pools under row locks).
      let blocked: Promise<Answer[]> | undefined;
      let generationBefore = 0;
      if (cycle === 0) {
        // the lock is held by a prepared transaction: it survives the stop, so no waiter can take it while
        // the server terminates the backends one by one (a plain holder dies first and frees it)
        const holder = new Client({ connectionString: url });
        await holder.connect();
        await holder.query('begin');
        [{ generation: generationBefore }] = (await holder.query('select generation from clusters where id = $1 for update', [probe])).rows;
        await holder.query(`prepare transaction '${HOLD}'`);
        await holder.end();
        blocked = Promise.all(Array.from({ length: POOL }, () => call('DELETE', `${api.base}/clusters/${probe}`, undefined, {}, LIVENESS_MS)));
        let settled = false;
        blocked.then(
          () => (settled = true),
          () => (settled = true),
        );
        // asked outside the holder's transaction: a transaction sees one snapshot of pg_stat_activity
        const observer = new Client({ connectionString: url });
        observer.on('error', () => undefined);
        await observer.connect();
        const waiting = async () => (await observer.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n as number;
        while ((await waiting()) < POOL) {
          if (settled) throw new Error(`the DELETEs were answered before all ${POOL} waited on the lock: ${JSON.stringify((await blocked).map((a) => [a.status, a.body?.code]))}`);
          await new Promise((r) => setImmediate(r));
        }
        await observer.end();
      }

      // ---- the fault
      const stopping = Date.now();
      await pg!.stop();
      pg = undefined;
      const stoppedAt = Date.now();
      if (blocked) {
        blockedDeletes = await blocked;
        for (const a of blockedDeletes) expectUnavailable(a);
      }
      await load.until((s) => s.filter((x) => x.sentAt > stoppedAt && unavailable(x)).length >= 12, `12 answers 503 in outage ${cycle + 1}`);

      const readyz = await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS);
      expect(readyz.status).toBe(503);
      expect(readyz.body).toEqual({ status: 'not_ready', reason: expect.any(String) });
      expect(readyz.body.reason).not.toBe('');
      expect((await call('GET', `${api.health}/healthz`, undefined, {}, LIVENESS_MS)).status).toBe(200);
      const answers = await Promise.all([
        call('POST', `${api.base}/clusters`, { kind: 'Cluster', name: 'during-outage', spec: {} }, {}, LIVENESS_MS),
        call('GET', `${api.base}/clusters`, undefined, {}, LIVENESS_MS),
        call('GET', `${api.base}/clusters/${probe}`, undefined, {}, LIVENESS_MS),
        call('PATCH', `${api.base}/clusters/${probe}`, { spec: { during: true } }, {}, LIVENESS_MS),
        call('PUT', `${api.base}/clusters/${probe}/statuses`, report('validation', 2), {}, LIVENESS_MS),
        call('POST', `${api.base}/clusters/${probe}/nodepools`, { kind: 'NodePool', name: 'during', spec: {} }, {}, LIVENESS_MS),
        call('DELETE', `${api.base}/clusters/${probe}/nodepools/${before[0].nodePool}`, undefined, {}, LIVENESS_MS),
        call('GET', `${api.base}/nodepools?search=${encodeURIComponent("name='workers'")}`, undefined, {}, LIVENESS_MS),
      ]);
      for (const a of answers) expectUnavailable(a);
      during.push(...answers);
      expect(spawned.child.exitCode).toBeNull();

      // ---- the repair: same data directory, same port, same URL; the API is not touched
      const restarting = Date.now();
      pg = await startEmbeddedPostgres({ dataDir, persistent: true, port, databaseName: 'hyperfleet', settings: SETTINGS });
      expect(pg.url).toBe(url);
      // the row lock outlived the stop; the API's transactions that waited on it are gone, so let it go
      if (cycle === 0) await sql(url, `rollback prepared '${HOLD}'`);
      const restartedAt = Date.now();
      outages.push({ stopping, stoppedAt, restarting, restartedAt });
      // ready at once: no connection was lost to the transactions the fault cut short
      expect((await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS)).body).toEqual({ status: 'ok' });
      if (cycle === 0) {
        // none of the deletion marks cut short was applied, not even partly
        const [row] = await sql(url, 'select generation, deleted_time from clusters where id = $1', [probe]);
        expect(row).toEqual({ generation: generationBefore, deleted_time: null });
        const marked = await sql(url, 'select id from node_pools where owner_id = $1 and deleted_time is not null', [probe]);
        expect(marked).toEqual([]);
      }
      const write = await call('PATCH', `${api.base}/clusters/${probe}`, { spec: { after: cycle } }, {}, LIVENESS_MS);
      expect(write.status).toBe(200);
      await load.until((s) => s.filter((x) => x.sentAt > restartedAt && ok(x)).length >= 30, `30 answers 2xx after restart ${cycle + 1}`);
    }
    await load.stop();

    // ---- what the clients saw
    const sent = load.sent;
    expect(sent.filter((s) => s.failure).map((s) => [s.op, s.failure])).toEqual([]);
    expect(sent.filter((s) => s.answer!.status >= 500 && s.answer!.status !== 503).map((s) => [s.op, s.answer!.status, s.answer!.body])).toEqual([]);
    for (const s of sent.filter(unavailable)) expectUnavailable(s.answer!);
    // everything else is what the operation answers when it works (404/409 only from races with itself: none expected)
    const expected: Record<Op, number[]> = { create: [201], list: [200], get: [200], patch: [200], status: [201, 204], nodepool: [201] };
    expect(sent.filter((s) => !unavailable(s) && !expected[s.op].includes(s.answer!.status)).map((s) => [s.op, s.answer!.status, s.answer!.body])).toEqual([]);
    // nothing succeeds while the database is down; nothing fails once it is back
    const inOutage = (s: Sent) => outages.some((o) => s.sentAt > o.stoppedAt && s.sentAt < o.restarting);
    const afterRestart = (s: Sent) => outages.some((o, i) => s.sentAt > o.restartedAt && s.answeredAt! < (outages[i + 1]?.stopping ?? Infinity));
    expect(sent.filter((s) => inOutage(s) && ok(s)).map((s) => [s.op, s.answer!.status])).toEqual([]);
    expect(sent.filter((s) => afterRestart(s) && unavailable(s)).map((s) => [s.op, s.answer!.body])).toEqual([]);

    // ---- what is stored: every acknowledged write
    const clusters = [...before.map((b) => b.cluster), ...sent.filter((s) => s.op === 'create' && ok(s)).map((s) => s.answer!.body.id as string)];
    const nodePools = [...before.map((b) => b.nodePool), ...sent.filter((s) => s.op === 'nodepool' && ok(s)).map((s) => s.answer!.body.id as string)];
    const storedClusters = await sql(url, 'select id from clusters where id = any($1::uuid[]) and deleted_time is null', [clusters]);
    expect(storedClusters).toHaveLength(clusters.length);
    const storedPools = await sql(url, 'select id from node_pools where id = any($1::uuid[]) and deleted_time is null', [nodePools]);
    expect(storedPools).toHaveLength(nodePools.length);
    const labelled = await sql(url, `select count(distinct owner_id)::int as n from labels where owner_type = 'Cluster' and owner_id = any($1::uuid[]) and deleted_at is null`, [clusters]);
    expect(labelled[0].n).toBe(clusters.length);
    // a PATCH acknowledged is there (or a later one, which may be one whose answer was lost in the fault)
    const patched = sent.filter((s) => s.op === 'patch' && ok(s));
    const rows = new Map((await sql(url, 'select id, generation, spec from clusters where id = any($1::uuid[])', [clusters])).map((r) => [r.id as string, r]));
    for (const p of patched) {
      const row = rows.get(p.cluster!)!;
      expect(row.generation).toBeGreaterThanOrEqual(p.answer!.body.generation);
    }
    for (const [id, row] of rows) {
      const last = patched.filter((p) => p.cluster === id).at(-1);
      if (last && row.generation === last.answer!.body.generation) expect(row.spec).toEqual(last.spec);
    }
    const reported = sent.filter((s) => s.op === 'status' && s.answer?.status === 201);
    const statuses = await sql(url, `select owner_id, adapter, observed_generation from adapter_statuses where owner_type = 'Cluster' and owner_id = any($1::uuid[])`, [clusters]);
    for (const r of reported) {
      const s = statuses.find((x) => x.owner_id === r.cluster && x.adapter === r.answer!.body.adapter);
      expect(s).toBeDefined();
      expect(s!.observed_generation).toBeGreaterThanOrEqual(r.answer!.body.observed_generation);
    }
    expect(await integrityProblems(url)).toEqual({});

    // ---- what the log says: each outage's first 503 with its cause, the others counted, not one stack each
    const answered503 = sent.filter(unavailable).length + during.length + blockedDeletes.length;
    const isFirst = (l: Record<string, unknown>) => /^request failed: HYPERFLEET-SVC-00[12] \(first of an outage/.test(String(l.msg));
    const isOver = (l: Record<string, unknown>) => String(l.msg).startsWith('outage over:');
    const firsts = spawned.lines.filter(isFirst);
    expect(firsts.length).toBeGreaterThanOrEqual(1);
    expect(firsts.length).toBeLessThanOrEqual(3);
    for (const first of firsts) expect(first.err).toMatchObject({ stack: expect.any(String) });
    const lines = spawned.lines;
    await spawned.waitFor((l) => isOver(l) && lines.filter(isOver).length >= firsts.length);
    const over = spawned.lines.filter(isOver);
    expect(over.reduce((n, l) => n + Number(l.answered_503), 0)).toBe(answered503);
    const withCause = spawned.lines.filter((l) => l.err !== undefined);
    expect(withCause.length).toBe(firsts.length);
    const outageLines = spawned.lines.filter((l) => isFirst(l) || isOver(l) || String(l.msg).startsWith('outage goes on:')).length;

    expect(await stopApi(spawned)).toEqual({ code: 0, signal: null });
    const outage = [...sent.filter(inOutage).map((s) => s.answer!), ...during, ...blockedDeletes];
    process.stdout.write(
      `\n[database-faults] requests: ${sent.length + during.length + blockedDeletes.length + 3 * 4} over 3 outages (answered during an outage: ${outage.length}, all 503 problem+json, slowest ${Math.max(...outage.map((a) => a.ms))} ms), 5xx other than 503: 0, acknowledged writes: ${clusters.length} clusters, ${nodePools.length} node pools, ${patched.length} patches, ${reported.length} statuses (lost: 0), log: ${outageLines} outage lines (${firsts.length} with a cause) for ${answered503} 503s, duration: ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
});
