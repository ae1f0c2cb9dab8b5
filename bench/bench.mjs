#!/usr/bin/env node
// `npm run bench`: benchmark a running HyperFleet API (this one or any other implementation).
//
//   npm run bench -- --url http://127.0.0.1:8000 [--seed 10000] [--ops mix,get,put-status,list-search,list-nodepools]
//                    [--duration 20] [--warmup 5] [--concurrency 32] [--server-pid PID] [--out bench/results/run-X]
//
// 1. optional seeding through the API (seed.mjs: clusters with labels, node pools, adapter statuses; to seed
//    and nothing else: `npm run bench:seed -- --url … --clusters 10000 --seed 42`),
// 2. the mixed workload and each operation alone (load.mjs; progress on stderr, one line per run); `create`
//    (the lifecycle) only when named in --ops, since every run adds clusters to the data set,
// 3. a summary table (markdown) on stdout and in <out>/summary.md; raw results in <out>/results.jsonl.
// For a ratio against the framework-free ceiling in one session, use bench/compare.sh (docs/performance.md).
// first, so an older Node stops with a message naming the one needed (not a TypeError in a dependency)
import '../scripts/require-node.cjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = { url: 'http://127.0.0.1:8000', seed: 0, ops: 'mix,get,put-status,list-search,list-nodepools', duration: 20, warmup: 5, concurrency: 32, serverPid: '', out: '', seedConcurrency: 32 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(key in args)) {
    console.error(`unknown option ${process.argv[i]}`);
    process.exit(2);
  }
  args[key] = typeof args[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const out = args.out || path.join(HERE, 'results', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
fs.mkdirSync(out, { recursive: true });
const results = path.join(out, 'results.jsonl');
const node = process.execPath;
const say = (m) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

if (args.seed > 0) {
  say(`seeding ${args.seed} clusters through ${args.url}`);
  const r = spawnSync(node, [path.join(HERE, 'seed.mjs'), '--url', args.url, '--clusters', String(args.seed), '--concurrency', String(args.seedConcurrency), '--seed', '42'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

for (const op of args.ops.split(',').filter(Boolean)) {
  say(`${op}: ${args.duration}s at concurrency ${args.concurrency} (after ${args.warmup}s warm-up)`);
  const loadArgs = [path.join(HERE, 'load.mjs'), '--url', args.url, '--discover-size', '100', '--duration', String(args.duration), '--warmup', String(args.warmup), '--concurrency', String(args.concurrency), '--label', op, '--json-out', results];
  if (op !== 'mix') loadArgs.push('--only', op);
  if (args.serverPid) loadArgs.push('--server-pid', args.serverPid);
  const r = spawnSync(node, loadArgs, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stderr.write(r.stdout.split('\n').filter((l) => l && !l.startsWith('{')).map((l) => `  ${l}\n`).join(''));
  if (r.status !== 0) say(`${op} failed (exit ${r.status})`);
}

const runs = fs.existsSync(results) ? fs.readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const lines = ['| run | operation | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU µs/req | postgres CPU µs/req |', '|---|---|---|---|---|---|---|---|---|'];
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
for (const run of runs) {
  for (const [op, s] of Object.entries(run.ops ?? {})) {
    const cpu = run.cpu;
    const rps = run.label === 'mix' ? run.total_rps : s.rps;
    lines.push(`| ${run.label} | ${op} | ${f(s.rps)} | ${f(s.p50_ms, 2)} | ${f(s.p95_ms, 2)} | ${f(s.p99_ms, 2)} | ${s.errors} | ${cpu?.server_cores != null ? f((cpu.server_cores / rps) * 1e6, 0) : '–'} | ${cpu ? f((cpu.postgres_cores / rps) * 1e6, 0) : '–'} |`);
  }
  if (run.label === 'mix') lines.push(`| mix | **total** | **${f(run.total_rps)}** | | | | ${run.total_errors} | | |`);
}
const table = `# ${args.url} — c=${args.concurrency}, ${args.duration}s per run\n\n${lines.join('\n')}\n`;
fs.writeFileSync(path.join(out, 'summary.md'), table);
console.log(table);
say(`results in ${out}`);
