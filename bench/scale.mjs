#!/usr/bin/env node
// Latency at a fixed, modest load for the scale comparison (docs/performance.md): GET by id, two selective
// label searches (a team: 0.5% of the fleet; a cohort: 500 clusters at any size) and an unselective one, each as N requests at concurrency C; prints p50/p95/p99 (ms).
//   node bench/scale.mjs --url http://127.0.0.1:3000 [--n 400] [--c 4]
// first, so an older Node stops with a message naming the one needed (not a TypeError in a dependency)
import '../scripts/require-node.cjs';
import { Pool } from 'undici';
const args = { url: 'http://127.0.0.1:3000', n: 400, c: 4 };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = /^\d+$/.test(process.argv[i + 1]) ? Number(process.argv[i + 1]) : process.argv[i + 1];
const pool = new Pool(args.url, { connections: args.c });
const base = '/api/hyperfleet/v1';
const get = async (path) => {
  const t = performance.now();
  const res = await pool.request({ method: 'GET', path: base + path });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  return { ms: performance.now() - t, body: text };
};
const ids = JSON.parse((await get('/clusters?size=100&page=7')).body).items.map((c) => c.id);
async function measure(name, pathOf) {
  const lat = [];
  let i = 0;
  let total;
  await Promise.all(Array.from({ length: args.c }, async () => {
    while (i < args.n) {
      const k = i++;
      const r = await get(pathOf(k));
      lat.push(r.ms);
      if (total === undefined && r.body.startsWith('{"kind"')) total = JSON.parse(r.body).total;
    }
  }));
  lat.sort((a, b) => a - b);
  const p = (q) => lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)].toFixed(2);
  console.log(JSON.stringify({ op: name, n: lat.length, p50_ms: +p(0.5), p95_ms: +p(0.95), p99_ms: +p(0.99), matches: total }));
}
await measure('get', (k) => `/clusters/${ids[k % ids.length]}`);
await measure('search-selective labels.team', (k) => `/clusters?size=100&search=${encodeURIComponent(`labels.team='team-${String(k % 200).padStart(3, '0')}'`)}`);
// 500 matches at every size (bulk-load.mjs): cohorts 1 … 19 exist from 10k clusters on
await measure('search-selective labels.cohort (500 matches)', (k) => `/clusters?size=100&search=${encodeURIComponent(`labels.cohort='cohort-${1 + (k % 19)}'`)}`);
await measure('search-unselective labels.env=prod page 1', () => `/clusters?size=100&search=${encodeURIComponent("labels.env='prod'")}`);
await pool.close();
