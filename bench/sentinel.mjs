#!/usr/bin/env node
// The sentinel's read pattern (openshift-hyperfleet/hyperfleet-sentinel, fetchPaginated): each poll reads
// GET /{plural}?page=1,2,…&size=S[&search=…] until it holds `total` items or a page comes back empty, one
// page after the other. Replays polls against a seeded server and reports, per poll: wall time, pages,
// items seen, ids seen twice, and the page latency of the first and the last tenth of the poll's pages.
//
//   npm run bench:sentinel -- --url http://127.0.0.1:3000 [--plural clusters] [--size 20] [--polls 3]
//        [--search "labels.shard='1'"] [--shards 0] [--json-out FILE]
//
// --shards N: N+1 sentinels poll at once, as a deployment of label shards does: N with `labels.shard='<i>'`
// (the bulk loader's clusters carry shard labels 0..N-1 when asked) and one without a search; each poll's
// figures are reported on its own line, tagged with its search.
// first, so an older Node stops with a message naming the one needed (not a TypeError in a dependency)
import '../scripts/require-node.cjs';
import fs from 'node:fs';
import { Pool } from 'undici';
import { parseArgs, r2 } from './lib.mjs';

const args = parseArgs(process.argv.slice(2), { url: 'http://127.0.0.1:8000', base: '/api/hyperfleet/v1', plural: 'clusters', size: 20, polls: 3, search: '', shards: 0, jsonOut: '', token: '' });
const origin = new URL(args.url).origin;
const pool = new Pool(origin, { connections: Number(args.shards) + 2, pipelining: 1, keepAliveTimeout: 60_000 });
const headers = { 'user-agent': 'hyperfleet-sentinel-replay/1', ...(args.token ? { authorization: `Bearer ${args.token}` } : {}) };

/** One page: its latency, items and total. */
async function page(n, search) {
  const t = performance.now();
  const path = `${args.base}/${args.plural}?page=${n}&size=${args.size}${search ? `&search=${encodeURIComponent(search)}` : ''}`;
  const res = await pool.request({ method: 'GET', path, headers });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
  const body = JSON.parse(text);
  return { ms: performance.now() - t, ids: body.items.map((i) => i.id), total: body.total };
}

/** One poll, as the sentinel runs it. */
async function poll(search) {
  const t0 = performance.now();
  const seen = new Set();
  const latency = [];
  let dups = 0, total = 0, n = 1, read = 0;
  for (;; n++) {
    const p = await page(n, search);
    latency.push(p.ms);
    total = p.total;
    for (const id of p.ids) (seen.has(id) ? dups++ : seen.add(id));
    read += p.ids.length;
    if (read >= total || p.ids.length === 0) break;
  }
  const tenth = Math.max(1, Math.floor(latency.length / 10));
  const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { search: search || '(none)', size: Number(args.size), wall_s: r2((performance.now() - t0) / 1000), pages: n, total, unique: seen.size, dups, first_tenth_p50_ms: r2(p50(latency.slice(0, tenth))), last_tenth_p50_ms: r2(p50(latency.slice(-tenth))) };
}

const searches = Number(args.shards) > 0 ? [...Array.from({ length: Number(args.shards) }, (_, i) => `labels.shard='${i}'`), ''] : [args.search];
const results = [];
for (let p = 0; p < Number(args.polls); p++) {
  const polls = await Promise.all(searches.map((s) => poll(s)));
  for (const r of polls) {
    const line = { poll: p + 1, ...r, last_over_first: r2(r.last_tenth_p50_ms / r.first_tenth_p50_ms) };
    results.push(line);
    console.log(JSON.stringify(line));
  }
}
await pool.close();
if (args.jsonOut) fs.appendFileSync(args.jsonOut, `${results.map((r) => JSON.stringify(r)).join('\n')}\n`);
