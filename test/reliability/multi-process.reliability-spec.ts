/**
 * Several API processes on one database (how it runs in production: replicas behind a load balancer).
 * Three processes, started together on an EMPTY database with migrate-on-boot, race for the migration
 * lock; then clients spread round-robin over the three create the same names, PATCH the same cluster
 * with and without If-Match, report statuses while the cluster is deleted, and create node pools while
 * their cluster is deleted. The answers must be the ones a single process would give, and the stored
 * rows must show no lost update, no duplicate, nothing half-written.
 *
 * Expected duration: 3–10 s on a 2-core machine (about 560 requests; the three processes start in a second or two).
 */
import { MIGRATIONS } from '@app/persistence';
import { Answer, ApiProcess, bounded, call, CLUSTER_ADAPTERS, killIfRunning, report, spawnApi, stopApi, whenListening } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { integrityProblems, sql } from '../support/integrity';
import type { Spawned } from '../support/processes';

const CONCURRENCY = 12;
const PATCHES_PER_WRITER = 10;
const PARENTS = 6;

describe('three API processes on one database', () => {
  let db: TestDatabase;
  const spawned: Spawned[] = [];
  let apis: ApiProcess[] = [];
  const answers: Answer[] = [];
  const stats = { preconditionFailed: 0, nodePoolsMade: 0, nodePoolsRefused: 0 };
  const started = Date.now();

  /** Every request goes through here: counted, and answered within the liveness bound. */
  const send = async (p: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> => {
    const a = await call(method, `${apis[p % apis.length].base}${path}`, body, headers);
    answers.push(a);
    return a;
  };

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    for (const p of spawned) killIfRunning(p);
    await db?.drop();
  });

  it('migrates exactly once when three processes start together on an empty database', async () => {
    const env = { HYPERFLEET_DATABASE_URL: db.url, HYPERFLEET_DB_MIGRATE_ON_BOOT: 'true', HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '8' };
    for (let i = 0; i < 3; i++) spawned.push(spawnApi(env));
    apis = await Promise.all(spawned.map((p) => whenListening(p)));

    const rows = await sql(db.url, 'select name, count(*)::int as n from mikro_orm_migrations group by name order by name');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: 1 })));
    const migrationLines = apis.map((p) => p.lines.filter((l) => /^applied \d+ migration|^database schema is up to date$/.test(String(l.msg))));
    expect(migrationLines.map((l) => l.length)).toEqual([1, 1, 1]);
    const appliers = migrationLines.filter(([l]) => (l.applied as string[]).length > 0);
    expect(appliers).toHaveLength(1);
    expect(appliers[0][0].applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(migrationLines.filter(([l]) => l.msg === 'database schema is up to date')).toHaveLength(2);
  });

  it('creates each name exactly once when clients on every process race for it', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `race-${i}`);
    // six attempts per name, one or two on each process, in random order
    const attempts = shuffled(names.flatMap((name, i) => Array.from({ length: 6 }, (_, j) => ({ name, p: i + j }))));
    const results = await bounded(CONCURRENCY, attempts.map(({ name, p }) => () => send(p, 'POST', '/clusters', { kind: 'Cluster', name, spec: { by: p % 3 }, labels: { race: 'yes' } })));
    for (const name of names) {
      const codes = results.filter((_, i) => attempts[i].name === name).map((r) => r.status);
      expect({ name, codes: codes.sort() }).toEqual({ name, codes: [201, 409, 409, 409, 409, 409] });
    }
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('HYPERFLEET-CNF-001');
    const stored = await sql(db.url, `select name, count(*)::int as n from clusters where name like 'race-%' group by name order by name`);
    expect(stored).toEqual(names.map((name) => ({ name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
    const ids = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
    const labelled = await sql(db.url, `select count(*)::int as n from labels where owner_type = 'Cluster' and owner_id = any($1::uuid[]) and key = 'race' and deleted_at is null`, [ids]);
    expect(labelled[0].n).toBe(names.length);
  });

  it('loses no update when PATCHes with and without If-Match race across processes', async () => {
    const created = await send(0, 'POST', '/clusters', { kind: 'Cluster', name: 'patched', spec: { writer: -1 }, labels: { team: 'red' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    type Patch = { answer: Answer; kind: 'spec' | 'labels'; ifMatch?: string };
    const patches: Patch[] = [];
    const writer = (w: number) => async () => {
      for (let n = 0; n < PATCHES_PER_WRITER; n++) {
        const body = { spec: { writer: w, n } };
        if (w < 3) {
          // optimistic writers: read, then write only over what they read; retry on 412. Each 412 needs a
          // change committed since that attempt's read, and the attempts read one after another, so a
          // writer meets at most as many 412s as there are other changes: the 6 × 10 spec writes and the
          // one label change. The bound is that, not a guess at how unlucky a writer can be.
          for (let attempt = 0; attempt <= 6 * PATCHES_PER_WRITER + 1; attempt++) {
            const read = await send(w + attempt, 'GET', `/clusters/${id}`);
            expect(read.status).toBe(200);
            const ifMatch = read.headers.get('etag')!;
            const answer = await send(w + attempt + 1, 'PATCH', `/clusters/${id}`, body, { 'If-Match': ifMatch });
            patches.push({ answer, kind: 'spec', ifMatch });
            if (answer.status !== 412) break;
          }
        } else {
          patches.push({ answer: await send(w + n, 'PATCH', `/clusters/${id}`, body), kind: 'spec' });
        }
      }
    };
    const labeller = async () => {
      for (let n = 0; n < PATCHES_PER_WRITER; n++) patches.push({ answer: await send(n, 'PATCH', `/clusters/${id}`, { labels: { team: 'blue' } }), kind: 'labels' });
    };
    await Promise.all([...Array.from({ length: 6 }, (_, w) => writer(w)()), labeller()]);

    expect(patches.filter((p) => p.answer.status !== 200 && !(p.answer.status === 412 && p.ifMatch)).map((p) => [p.answer.status, p.answer.body])).toEqual([]);
    for (const p of patches.filter((x) => x.answer.status === 412)) expect(p.answer.body.code).toBe('HYPERFLEET-CNF-004');
    const ok = patches.filter((p) => p.answer.status === 200);
    const specOk = ok.filter((p) => p.kind === 'spec');
    expect(specOk).toHaveLength(6 * PATCHES_PER_WRITER); // every writer got all its writes in, one way or the other
    // every spec PATCH changed something; the labels changed once (red → blue), the others were no-ops
    const [row] = await sql(db.url, 'select generation, version, spec from clusters where id = $1', [id]);
    expect(row.generation).toBe(1 + specOk.length + 1);
    const specGenerations = specOk.map((p) => p.answer.body.generation as number);
    expect(new Set(specGenerations).size).toBe(specOk.length); // no two changes saw the same starting point
    const allGenerations = new Set(ok.map((p) => p.answer.body.generation as number));
    expect([...allGenerations].sort((a, b) => a - b)).toEqual(Array.from({ length: row.generation - 1 }, (_, i) => i + 2));
    // the stored spec is the one of the last change
    const last = specOk.reduce((a, b) => ((a.answer.body.generation as number) > (b.answer.body.generation as number) ? a : b));
    expect(row.spec).toEqual(last.answer.body.spec);
    // each If-Match success carried the then-current ETag: it moved the version by exactly one, from its own starting point
    const conditional = specOk.filter((p) => p.ifMatch);
    expect(conditional).toHaveLength(3 * PATCHES_PER_WRITER);
    stats.preconditionFailed = patches.filter((p) => p.answer.status === 412).length;
    for (const p of conditional) expect(p.answer.headers.get('etag')).toBe(`"${Number(JSON.parse(p.ifMatch!)) + 1}"`);
    expect(new Set(conditional.map((p) => p.ifMatch)).size).toBe(conditional.length);
    const labels = await sql(db.url, `select key, value from labels where owner_type = 'Cluster' and owner_id = $1 and deleted_at is null`, [id]);
    expect(labels).toEqual([{ key: 'team', value: 'blue' }]);
  });

  it('finalizes exactly once when adapters on every process report while another client deletes the cluster', async () => {
    const created = await send(1, 'POST', '/clusters', { kind: 'Cluster', name: 'reported', spec: { a: 1 } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const reports: { adapter: string; generation: number; finalized: boolean; answer: Answer }[] = [];
    let answered = 0;
    let letDeleteGo!: () => void;
    const deleteMayGo = new Promise<void>((resolve) => (letDeleteGo = resolve));
    const adapter = (name: string, a: number) => async () => {
      let sawFinalStored = false;
      for (let i = 0; i < 60; i++) {
        const read = await send(a + i, 'GET', `/clusters/${id}`);
        if (read.status === 404) return;
        expect(read.status).toBe(200);
        const generation = read.body.generation as number;
        const finalized = !!read.body.deleted_time;
        const answer = await send(a + i + 1, 'PUT', `/clusters/${id}/statuses`, report(name, generation, finalized ? [{ type: 'Finalized', status: 'True' }] : []));
        reports.push({ adapter: name, generation, finalized, answer });
        if (++answered === 8) letDeleteGo();
        // one more report after its Finalized=True was stored: by then the resource may be gone (404)
        if (sawFinalStored) return;
        if (finalized && answer.status === 201) sawFinalStored = true;
      }
      throw new Error(`adapter ${name} never saw the deletion`);
    };
    const deleter = async () => {
      await deleteMayGo;
      return send(2, 'DELETE', `/clusters/${id}`);
    };
    const [deleted] = await Promise.all([deleter(), ...CLUSTER_ADAPTERS.map((name, a) => adapter(name, a)())]);
    expect(deleted.status).toBe(202);
    expect(deleted.body.generation).toBe(2);

    expect(reports.filter((r) => ![201, 204, 404].includes(r.answer.status)).map((r) => [r.answer.status, r.answer.body])).toEqual([]);
    // each adapter's Finalized=True report at generation 2 was stored (the last one removed the cluster)
    for (const name of CLUSTER_ADAPTERS) expect(reports.some((r) => r.adapter === name && r.finalized && r.generation === 2 && r.answer.status === 201)).toBe(true);
    expect((await send(0, 'GET', `/clusters/${id}`)).status).toBe(404);
    const [row] = await sql(db.url, 'select generation, deleted_time, deleted_at from clusters where id = $1', [id]);
    expect(row.generation).toBe(2);
    expect(row.deleted_time).not.toBeNull();
    expect(row.deleted_at).not.toBeNull();
    const statuses = await sql(db.url, `select adapter, observed_generation, deleted_at, conditions from adapter_statuses where owner_type = 'Cluster' and owner_id = $1 order by adapter`, [id]);
    expect(statuses.map((s) => s.adapter)).toEqual([...CLUSTER_ADAPTERS].sort());
    for (const s of statuses) {
      expect(s.observed_generation).toBe(2);
      expect(s.deleted_at).not.toBeNull();
      expect(s.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Finalized', status: 'True' })]));
    }
  });

  it('never leaves a live node pool under a cluster whose deletion raced its creation', async () => {
    const clusters: string[] = [];
    for (let c = 0; c < PARENTS; c++) {
      const created = await send(c, 'POST', '/clusters', { kind: 'Cluster', name: `parent-${c}`, spec: {} });
      expect(created.status).toBe(201);
      clusters.push(created.body.id);
    }
    type Try = { cluster: string; name: string; sentAt: number; answer: Answer };
    const tries: Try[] = [];
    const deletes: { cluster: string; answeredAt: number; answer: Answer }[] = [];
    await Promise.all(
      clusters.map(async (cluster, c) => {
        let answered = 0;
        let letDeleteGo!: () => void;
        const deleteMayGo = new Promise<void>((resolve) => (letDeleteGo = resolve));
        const attempts = shuffled(Array.from({ length: 12 }, (_, k) => ({ name: `np-${k % 6}`, p: c + k })));
        const creating = bounded(4, attempts.map(({ name, p }) => async () => {
          const sentAt = Date.now();
          const answer = await send(p, 'POST', `/clusters/${cluster}/nodepools`, { kind: 'NodePool', name, spec: { replicas: 1 } });
          tries.push({ cluster, name, sentAt, answer });
          if (++answered === 4) letDeleteGo();
        }));
        const deleting = deleteMayGo.then(async () => {
          const answer = await send(c + 1, 'DELETE', `/clusters/${cluster}`);
          deletes.push({ cluster, answeredAt: Date.now(), answer });
        });
        await Promise.all([creating, deleting]);
      }),
    );
    expect(deletes.map((d) => d.answer.status)).toEqual(Array(PARENTS).fill(202));
    expect(tries.filter((t) => ![201, 409].includes(t.answer.status)).map((t) => [t.answer.status, t.answer.body])).toEqual([]);
    for (const t of tries.filter((x) => x.answer.status === 409)) expect(['HYPERFLEET-CNF-001', 'HYPERFLEET-CNF-003']).toContain(t.answer.body.code);
    // a create sent after the DELETE was answered finds the cluster marked
    for (const d of deletes) for (const t of tries.filter((x) => x.cluster === d.cluster && x.sentAt > d.answeredAt)) expect(t.answer.body.code).toBe('HYPERFLEET-CNF-003');
    const made = tries.filter((t) => t.answer.status === 201);
    expect(made.length).toBeGreaterThan(0);
    stats.nodePoolsMade = made.length;
    stats.nodePoolsRefused = tries.filter((t) => t.answer.body?.code === 'HYPERFLEET-CNF-003').length;
    const perName = new Map<string, number>();
    for (const t of made) perName.set(`${t.cluster}/${t.name}`, (perName.get(`${t.cluster}/${t.name}`) ?? 0) + 1);
    expect([...perName.values()].filter((n) => n > 1)).toEqual([]);
    // every acknowledged node pool is stored, under its cluster, and marked with it
    const stored = await sql(db.url, 'select id, owner_id, deleted_time from node_pools where id = any($1::uuid[])', [made.map((t) => t.answer.body.id)]);
    expect(stored).toHaveLength(made.length);
    for (const s of stored) expect(s.deleted_time).not.toBeNull();
    const live = await sql(db.url, 'select count(*)::int as n from node_pools where owner_id = any($1::uuid[]) and deleted_time is null', [clusters]);
    expect(live[0].n).toBe(0);
  });

  it('a poll whose pages land on the three processes in turn sees every cluster alive for it exactly once, under churn', async () => {
    // a fleet of its own (label `fleet=poll`), and a sentinel-style poll over it: page 1, 2, … round-robin
    const fleet: string[] = [];
    await bounded(CONCURRENCY, Array.from({ length: 90 }, (_, i) => async () => {
      const made = await send(i, 'POST', '/clusters', { kind: 'Cluster', name: `poll-${i}`, spec: {}, labels: { fleet: 'poll' } });
      expect(made.status).toBe(201);
      fleet.push(made.body.id);
    }));
    for (const size of [1, 7, 20]) {
      const alive = new Set(fleet);
      const removed = new Set<string>();
      const seen: string[] = [];
      let created = 0;
      for (let page = 1; page <= 200; page++) {
        const res = await send(page, 'GET', `/clusters?page=${page}&size=${size}&search=${encodeURIComponent("labels.fleet='poll'")}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        if (seen.length >= res.body.total || res.body.items.length === 0) break;
        // between pages, on the other processes: one cluster removed, one created
        const victim = [...alive][(page * 7) % alive.size];
        expect((await send(page + 1, 'DELETE', `/clusters/${victim}`)).status).toBe(202);
        expect((await send(page + 2, 'POST', `/clusters/${victim}/force-delete`, { reason: 'churn' })).status).toBe(204);
        alive.delete(victim);
        removed.add(victim);
        const made = await send(page + 2, 'POST', '/clusters', { kind: 'Cluster', name: `poll-${size}-new-${++created}`, spec: {}, labels: { fleet: 'poll' } });
        expect(made.status).toBe(201);
        fleet.push(made.body.id);
      }
      const counts = new Map<string, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      // alive for the whole poll: in the fleet when it started and not removed during it
      const missed = [...alive].filter((id) => !counts.has(id));
      const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      expect({ size, missed, repeated, removedDuringPoll: removed.size > 0 }).toEqual({ size, missed: [], repeated: [], removedDuringPoll: true });
      for (const id of removed) fleet.splice(fleet.indexOf(id), 1);
    }
  });

  it('stops all three on SIGTERM with exit 0, and nothing stored is lost or half-written', async () => {
    expect(answers.filter((a) => a.status >= 500).map((a) => [a.method, a.url, a.status, a.body])).toEqual([]);
    // every acknowledged creation is stored
    const acknowledged = answers.filter((a) => a.method === 'POST' && a.status === 201).map((a) => a.body.id as string);
    const found = await sql(db.url, 'select (select count(*) from clusters where id = any($1::uuid[])) + (select count(*) from node_pools where id = any($1::uuid[])) as n', [acknowledged]);
    expect(Number(found[0].n)).toBe(acknowledged.length);
    expect(await integrityProblems(db.url)).toEqual({});

    const exits = await Promise.all(apis.map((p) => stopApi(p)));
    expect(exits).toEqual([0, 1, 2].map(() => ({ code: 0, signal: null })));
    for (const p of apis) expect(p.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
    process.stdout.write(
      `\n[multi-process] requests: ${answers.length}, 5xx: ${answers.filter((a) => a.status >= 500).length}, acknowledged creations: ${acknowledged.length} (lost: 0), If-Match 412s: ${stats.preconditionFailed}, node pools created/refused by the racing DELETE: ${stats.nodePoolsMade}/${stats.nodePoolsRefused}, duration: ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });
});

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
