/**
 * The database stops answering without going away: every PostgreSQL process is SIGSTOPped (a hung
 * server, a VM paused, a network that drops packets), so connections stay open and nothing comes back.
 * The test runs its OWN embedded PostgreSQL and the API as a separate process, with a request deadline
 * (database.request_timeout) of 6 s, longer than the pool's 5 s wait for a connection, so that both
 * bounds show. Every request must be answered by its deadline, counted from its arrival: a request whose
 * statement is in flight gets 503 HYPERFLEET-SVC-002 at the deadline, one that waits for a connection 503
 * HYPERFLEET-SVC-001 after 5 s; a PATCH whose body took 3 s to arrive is answered 6 s after it began
 * (the deadline used to start after the body). /readyz says so within its ping timeout, /healthz stays
 * 200. Thawed, the service recovers by itself and nothing acknowledged is lost. The log holds the first
 * 503's cause and counts the rest.
 *
 * Expected duration: ~25 s on a 2-core machine.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { EmbeddedDatabase, freePort, startEmbeddedPostgres } from '@app/persistence';
import { Answer, ApiProcess, call, killIfRunning, spawnApi, stopApi, whenListening } from '../support/api-process';
import { integrityProblems, sql } from '../support/integrity';
import { Spawned, tempDir } from '../support/processes';

const REQUEST_TIMEOUT_MS = 6_000;
/** The pool's wait for a connection (mikro-orm.options: connectTimeoutMs). */
const CONNECT_TIMEOUT_MS = 5_000;
/** How late past its bound an answer may come on a busy 2-core machine. */
const SLACK_MS = 1_000;
const LIVENESS_MS = REQUEST_TIMEOUT_MS + 4_000;
const POOL = 4;

type Op = 'create' | 'get' | 'patch';
interface Sent {
  op: Op;
  sentAt: number;
  answer?: Answer;
  failure?: string;
  cluster?: string;
  name?: string;
  spec?: Record<string, unknown>;
}

/** Every process whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Workers that each create clusters and then read and PATCH their own; `until` waits on what was answered. */
class Load {
  readonly sent: Sent[] = [];
  private stopped = false;
  private running?: Promise<void[]>;
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly api: ApiProcess) {}

  start(workers: number): void {
    this.running = Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  until(test: (sent: Sent[]) => boolean): Promise<void> {
    const met = () => this.stopped || test(this.sent);
    if (met()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test: met, resolve }));
  }

  private async worker(w: number): Promise<void> {
    const mine: string[] = [];
    for (let i = 0; !this.stopped; i++) {
      const own = mine[i % Math.max(1, mine.length)];
      const op: Op = !own || i % 3 === 0 ? 'create' : i % 3 === 1 ? 'get' : 'patch';
      const entry: Sent = { op, sentAt: Date.now(), cluster: op === 'create' ? undefined : own };
      this.sent.push(entry);
      try {
        if (op === 'create') {
          entry.name = `frozen-${w}-${i}`;
          entry.answer = await call('POST', `${this.api.base}/clusters`, { kind: 'Cluster', name: entry.name, spec: { w, i } }, {}, LIVENESS_MS);
          if (entry.answer.status === 201) mine.push(entry.answer.body.id);
        } else if (op === 'get') {
          entry.answer = await call('GET', `${this.api.base}/clusters/${own}`, undefined, {}, LIVENESS_MS);
        } else {
          entry.spec = { w, i, patched: true };
          entry.answer = await call('PATCH', `${this.api.base}/clusters/${own}`, { spec: entry.spec }, {}, LIVENESS_MS);
        }
      } catch (err) {
        entry.failure = `${(err as Error).name}: ${(err as Error).message}`;
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

/** A PATCH whose body arrives in two parts `gapMs` apart; resolves with the answer and its time from the first byte. */
function slowPatch(api: ApiProcess, id: string, gapMs: number): Promise<{ status: number; code?: string; ms: number }> {
  const url = new URL(`${api.base}/clusters/${id}`);
  const body = Buffer.from(JSON.stringify({ spec: { slow: true } }));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let raw = '';
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`PATCH ${url.pathname} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      socket.write(body.subarray(0, 5));
      setTimeout(() => socket.write(body.subarray(5)), gapMs);
    });
    const timer = setTimeout(() => reject(new Error(`no answer within ${LIVENESS_MS + gapMs} ms`)), LIVENESS_MS + gapMs);
    socket.on('data', (d) => (raw += d.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      const json = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(raw.slice(9, 12)), code: json.startsWith('{') ? JSON.parse(json).code : undefined, ms: Date.now() - started });
    });
    socket.on('error', reject);
  });
}

const ok = (s: Sent) => !!s.answer && s.answer.status < 300;
const code = (s: Sent) => (s.answer?.status === 503 ? String(s.answer.body?.code) : undefined);
const range = (xs: number[]) => (xs.length ? `${Math.min(...xs)}–${Math.max(...xs)} ms` : 'none');

describe('database frozen under load', () => {
  const dataDir = tempDir('hf-frozen-');
  let pg: EmbeddedDatabase | undefined;
  let spawned: Spawned | undefined;
  let frozen: number[] = [];
  afterAll(async () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    killIfRunning(spawned);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request by its deadline (503 SVC-002 in flight, SVC-001 waiting for a connection), recovers when thawed, and loses nothing acknowledged', async () => {
    const started = Date.now();
    pg = await startEmbeddedPostgres({ dataDir, persistent: true, port: await freePort(), databaseName: 'hyperfleet' });
    spawned = spawnApi({ HYPERFLEET_DATABASE_URL: pg.url, HYPERFLEET_DB_MIGRATE_ON_BOOT: 'true', HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: String(POOL), HYPERFLEET_DATABASE_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms` });
    const api = await whenListening(spawned);
    const probe = await call('POST', `${api.base}/clusters`, { kind: 'Cluster', name: 'probe', spec: {} });
    expect(probe.status).toBe(201);

    const load = new Load(api);
    load.start(6);
    await load.until((s) => s.filter(ok).length >= 40);

    // ---- the freeze: the postmaster and every backend and helper process stop where they are
    frozen = [pg.pid!, ...childrenOf(pg.pid!)];
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    const inFlight = load.sent.filter((s) => !s.answer && !s.failure);
    const slow = slowPatch(api, probe.body.id, 3_000);
    const readyz = await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS);
    expect({ status: readyz.status, body: readyz.body }).toEqual({ status: 503, body: { status: 'not_ready', reason: 'database ping timeout' } });
    expect(readyz.ms).toBeLessThan(2_000 + SLACK_MS);
    expect((await call('GET', `${api.health}/healthz`, undefined, {}, LIVENESS_MS)).status).toBe(200);
    const slowAnswer = await slow;
    // everything in flight at the freeze is answered, and requests sent during it have been answered both ways
    await load.until((s) => inFlight.every((x) => x.answer || x.failure) && s.filter((x) => x.sentAt > frozenAt && code(x) === 'HYPERFLEET-SVC-001').length >= 6);
    const readyzLate = await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS);
    expect(readyzLate.status).toBe(503);

    // ---- the thaw
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    const thawedAt = Date.now();
    frozen = [];
    await load.until((s) => s.filter((x) => x.sentAt > thawedAt && ok(x)).length >= 30);
    await load.stop();
    expect((await call('GET', `${api.health}/readyz`, undefined, {}, LIVENESS_MS)).body).toEqual({ status: 'ok' });

    // ---- what the clients saw
    const sent = load.sent;
    expect(sent.filter((s) => s.failure).map((s) => [s.op, s.failure])).toEqual([]);
    expect(sent.filter((s) => s.answer!.status >= 500 && s.answer!.status !== 503).map((s) => [s.op, s.answer!.status, s.answer!.body])).toEqual([]);
    for (const s of sent.filter((x) => x.answer!.status === 503)) {
      expect(s.answer!.body).toMatchObject({ code: expect.stringMatching(/^HYPERFLEET-SVC-00[12]$/), trace_id: s.answer!.headers.get('x-request-id') });
      expect(s.answer!.headers.get('retry-after')).toBe('1');
    }
    const expected: Record<Op, number[]> = { create: [201], get: [200], patch: [200] };
    expect(sent.filter((s) => s.answer!.status !== 503 && !expected[s.op].includes(s.answer!.status)).map((s) => [s.op, s.answer!.status, s.answer!.body])).toEqual([]);
    // bounded by the deadline from arrival: in flight 503 SVC-002 at the deadline, waiting for a connection SVC-001 at 5 s
    const during = sent.filter((s) => s.sentAt + s.answer!.ms > frozenAt && s.sentAt < thawedAt);
    expect(during.filter((s) => s.answer!.ms > REQUEST_TIMEOUT_MS + SLACK_MS).map((s) => [s.op, s.answer!.status, s.answer!.ms])).toEqual([]);
    const svc1 = during.filter((s) => code(s) === 'HYPERFLEET-SVC-001').map((s) => s.answer!.ms);
    const svc2 = during.filter((s) => code(s) === 'HYPERFLEET-SVC-002').map((s) => s.answer!.ms);
    for (const ms of svc1) expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    for (const ms of svc2) expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 1_000);
    expect(svc2.length).toBeGreaterThanOrEqual(1);
    // the slow body's time counts against the deadline
    expect({ status: slowAnswer.status, code: slowAnswer.code }).toEqual({ status: 503, code: 'HYPERFLEET-SVC-002' });
    expect(slowAnswer.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    const firstAfterThaw = Math.min(...sent.filter((s) => s.sentAt > thawedAt && ok(s)).map((s) => s.sentAt + s.answer!.ms)) - thawedAt;

    // ---- what is stored: every acknowledged write
    const url = pg.url;
    const created = sent.filter((s) => s.op === 'create' && ok(s)).map((s) => s.answer!.body.id as string);
    expect(await sql(url, 'select id from clusters where id = any($1::uuid[])', [created])).toHaveLength(created.length);
    const rows = new Map((await sql(url, 'select id, generation, spec from clusters')).map((r) => [r.id as string, r]));
    const patched = sent.filter((s) => s.op === 'patch' && ok(s));
    for (const p of patched) expect(rows.get(p.cluster!)!.generation).toBeGreaterThanOrEqual(p.answer!.body.generation);
    expect(await integrityProblems(url)).toEqual({});
    // writes answered 503 whose effect is stored anyway: only a statement already on its way at the deadline can have done that
    const names = new Set((await sql(url, 'select name from clusters')).map((r) => r.name as string));
    const createdAnyway = sent.filter((s) => s.op === 'create' && s.answer!.status === 503 && names.has(s.name!)).length;
    const patchedAnyway = sent.filter((s) => s.op === 'patch' && s.answer!.status === 503 && JSON.stringify(rows.get(s.cluster!)?.spec) === JSON.stringify(s.spec)).length;

    // ---- the log: the first 503 with its cause, the rest counted
    // the load's, and the slow PATCH's
    const answered503 = sent.filter((s) => s.answer!.status === 503).length + 1;
    const isOver = (l: Record<string, unknown>) => String(l.msg).startsWith('outage over:');
    const firsts = spawned.lines.filter((l) => /^request failed: HYPERFLEET-SVC-00[12] \(first of an outage/.test(String(l.msg)));
    expect(firsts.length).toBeGreaterThanOrEqual(1);
    const lines = spawned.lines;
    await spawned.waitFor((l) => isOver(l) && lines.filter(isOver).length >= firsts.length);
    expect(lines.filter(isOver).reduce((n, l) => n + Number(l.answered_503), 0)).toBe(answered503);
    expect(lines.filter((l) => l.err !== undefined)).toHaveLength(firsts.length);

    expect(await stopApi(spawned)).toEqual({ code: 0, signal: null });
    process.stdout.write(
      `\n[frozen-database] ${sent.length + 1} requests, ${during.length} answered during the ${thawedAt - frozenAt} ms freeze: ${svc2.length} × 503 SVC-002 after ${range(svc2)}, ` +
        `${svc1.length} × 503 SVC-001 after ${range(svc1)}; slow-body PATCH 503 SVC-002 ${slowAnswer.ms} ms after its first byte; /readyz 503 in ${readyz.ms} ms; ` +
        `first 2xx ${firstAfterThaw} ms after the thaw; acknowledged: ${created.length} creates, ${patched.length} patches (lost: 0); answered 503 but applied: ${createdAnyway} creates, ${patchedAnyway} patches; ` +
        `log: ${firsts.length} line(s) with a cause for ${answered503} 503s; ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
});
