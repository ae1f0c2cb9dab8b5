#!/usr/bin/env node
// `npm run demo [-- URL] [--token JWT]`: fills a running HyperFleet API (default http://127.0.0.1:8000) with a small
// example fleet, through its public HTTP API only (clusters, node pools, adapter statuses), so Swagger UI and
// other clients have something to show: resources reconciled, still reconciling, with one adapter failing, and
// marked for deletion. Run it again and it finds what it made (by name) and reports again, creating nothing twice.
//
// The required adapters are read from a new resource's Reconciled condition (it names them), else taken from
// HYPERFLEET_CLUSTER_ADAPTERS / HYPERFLEET_NODEPOOL_ADAPTERS (the API's own variables), else the API's defaults.
// Exits 0 when every resource is in the state the table says, 1 otherwise (or when no API answers), 2 on bad usage.
// first, so an older Node stops with a message naming the one needed (not a TypeError in a dependency)
import './require-node.cjs';

const USAGE = 'usage: npm run demo [-- [URL] [--token JWT]]   (URL default http://127.0.0.1:8000)';
const PREFIX = '/api/hyperfleet/v1';

/** The example fleet: names, labels and specs a fleet manager might hold, and the state each is left in. */
const FLEET = [
  {
    name: 'demo-prod-eu-1', state: 'reconciled',
    labels: { env: 'prod', region: 'eu-west-1', team: 'platform', tier: 'gold' },
    spec: { region: 'eu-west-1', version: '4.18.3', network: { type: 'OVNKubernetes', cidr: '10.0.0.0/16' } },
    nodePools: [
      { name: 'workers', state: 'reconciled', labels: { pool: 'worker' }, spec: { replicas: 6, instance_type: 'm6i.2xlarge' } },
      { name: 'gpu', state: 'reconciling', labels: { pool: 'gpu', accelerator: 'nvidia-a10g' }, spec: { replicas: 2, instance_type: 'g5.2xlarge' } },
    ],
  },
  {
    name: 'demo-prod-us-1', state: 'reconciled',
    labels: { env: 'prod', region: 'us-east-1', team: 'platform', tier: 'gold' },
    spec: { region: 'us-east-1', version: '4.18.3', network: { type: 'OVNKubernetes', cidr: '10.1.0.0/16' } },
    nodePools: [
      { name: 'workers', state: 'reconciled', labels: { pool: 'worker' }, spec: { replicas: 9, instance_type: 'm6i.2xlarge' } },
      { name: 'infra', state: 'failing', labels: { pool: 'infra' }, spec: { replicas: 3, instance_type: 'r6i.xlarge' } },
    ],
  },
  {
    name: 'demo-staging-eu-1', state: 'reconciling',
    labels: { env: 'staging', region: 'eu-west-1', team: 'payments' },
    spec: { region: 'eu-west-1', version: '4.19.0', network: { type: 'OVNKubernetes', cidr: '10.2.0.0/16' } },
    nodePools: [{ name: 'workers', state: 'reconciling', labels: { pool: 'worker' }, spec: { replicas: 3, instance_type: 'm6i.xlarge' } }],
  },
  {
    name: 'demo-dev-ap-1', state: 'failing',
    labels: { env: 'dev', region: 'ap-southeast-1', team: 'search' },
    spec: { region: 'ap-southeast-1', version: '4.19.0', network: { type: 'OVNKubernetes', cidr: '10.3.0.0/16' } },
    nodePools: [{ name: 'workers', state: 'reconciled', labels: { pool: 'worker' }, spec: { replicas: 2, instance_type: 'm6i.large' } }],
  },
  {
    name: 'demo-retired-1', state: 'deleting',
    labels: { env: 'dev', region: 'us-west-2', team: 'search', lifecycle: 'retiring' },
    spec: { region: 'us-west-2', version: '4.17.9', network: { type: 'OVNKubernetes', cidr: '10.4.0.0/16' } },
    nodePools: [{ name: 'workers', state: 'deleting', labels: { pool: 'worker' }, spec: { replicas: 2, instance_type: 'm5.large' } }],
  },
];

const DEFAULT_ADAPTERS = { Cluster: ['validation', 'dns', 'pullsecret', 'hypershift'], NodePool: ['validation', 'hypershift'] };
const ENV_ADAPTERS = { Cluster: process.env.HYPERFLEET_CLUSTER_ADAPTERS, NodePool: process.env.HYPERFLEET_NODEPOOL_ADAPTERS };

function parseArgs(argv) {
  const args = { url: 'http://127.0.0.1:8000', token: '' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return { help: true };
    if (argv[i] === '--token') args.token = argv[++i] ?? '';
    else if (/^https?:\/\//.test(argv[i])) args.url = argv[i];
    else return { problem: `unknown argument '${argv[i]}'` };
  }
  // the API's address with or without its prefix
  args.url = args.url.replace(/\/+$/, '').replace(/\/api\/hyperfleet\/v1$/, '');
  return args;
}

class ApiError extends Error {}

function client(base, token) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return async function call(method, path, body, expected = [200, 201, 202, 204]) {
    let res;
    try {
      res = await fetch(`${base}${PREFIX}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new ApiError(`no HyperFleet API answers at ${base} (${err.cause?.code ?? err.cause?.message ?? err.message}): start it with \`npm start\` in another shell, or pass its URL: npm run demo -- http://host:port`);
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!expected.includes(res.status)) throw new ApiError(`${method} ${PREFIX}${path}: ${res.status} ${parsed?.detail ?? text.slice(0, 300)}`);
    return { status: res.status, body: parsed };
  };
}

const quote = (s) => `'${s.replace(/'/g, "''")}'`;
const condition = (resource, type) => resource.status?.conditions?.find((c) => c.type === type);

/** The adapters named in a new resource's Reconciled message: `… Available=True: [a, b]. …`. */
function adaptersFromMessage(resource) {
  const m = /Available=True: \[([^\]]*)\]/.exec(condition(resource, 'Reconciled')?.message ?? '');
  const names = m?.[1].split(',').map((s) => s.trim()).filter(Boolean);
  return names?.length ? names : undefined;
}

/** The required adapters of a kind, in the defaults' order first (the message lists them sorted), so every run picks the same ones. */
function adapterList(kind, learned) {
  const env = ENV_ADAPTERS[kind];
  const names = learned[kind] ?? (env ? (env.trim().startsWith('[') ? JSON.parse(env) : env.split(',').map((s) => s.trim()).filter(Boolean)) : DEFAULT_ADAPTERS[kind]);
  const known = DEFAULT_ADAPTERS[kind].filter((a) => names.includes(a));
  return [...known, ...names.filter((a) => !known.includes(a)).sort()];
}

function report(adapter, generation, { available = 'True', finalized = false } = {}) {
  const conditions = [
    available === 'True'
      ? { type: 'Available', status: 'True', reason: 'Ready', message: `${adapter} is done` }
      : { type: 'Available', status: 'False', reason: 'ProvisioningFailed', message: `${adapter} cannot finish: quota exceeded for the requested instance type` },
    { type: 'Applied', status: 'True', reason: 'Applied' },
    { type: 'Health', status: available === 'True' ? 'True' : 'False', reason: available === 'True' ? 'Healthy' : 'Degraded' },
  ];
  if (finalized) conditions.push({ type: 'Finalized', status: 'True', reason: 'CleanedUp', message: `${adapter} removed what it created` });
  return { adapter, observed_generation: generation, conditions, data: { demo: true, checks: { passed: available === 'True' ? 12 : 9, failed: available === 'True' ? 0 : 3 } } };
}

/** Finds the resource by name in a list, or creates it; one marked for deletion is reused only when `marked` is wanted. */
async function findOrCreate(call, listPath, body, marked) {
  const found = await call('GET', `${listPath}?size=100&search=${encodeURIComponent(`name=${quote(body.name)}`)}`);
  const items = found.body.items ?? [];
  const existing = items.find((r) => !r.deleted_time) ?? (marked ? items[0] : undefined);
  if (existing) return { resource: existing, created: false };
  return { resource: (await call('POST', listPath, body)).body, created: true };
}

/** Sends the adapter reports that leave the resource in `state`. */
async function settle(call, path, resource, state, adapters) {
  const generation = resource.generation;
  if (state === 'deleting') {
    if (!resource.deleted_time) {
      for (const a of adapters) await call('PUT', `${path}/statuses`, report(a, generation));
      const marked = (await call('DELETE', path, undefined, [202])).body;
      // one adapter has cleaned up already; the others have not, so the resource stays, marked (with one
      // required adapter, its Finalized report would remove it)
      if (adapters.length > 1) await call('PUT', `${path}/statuses`, report(adapters[0], marked.generation, { finalized: true }));
    }
    return;
  }
  const reporting = state === 'reconciling' ? adapters.slice(0, Math.floor(adapters.length / 2)) : adapters;
  const failing = state === 'failing' ? adapters[Math.min(1, adapters.length - 1)] : undefined;
  for (const a of reporting) await call('PUT', `${path}/statuses`, report(a, generation, { available: a === failing ? 'False' : 'True' }));
}

function verdict(resource, state) {
  const reconciled = condition(resource, 'Reconciled');
  const ok = state === 'deleting' ? Boolean(resource.deleted_time) && reconciled?.status === 'False' : reconciled?.status === (state === 'reconciled' ? 'True' : 'False');
  const what = resource.deleted_time ? `marked for deletion; ${reconciled?.message ?? ''}` : reconciled?.status === 'True' ? 'reconciled' : (reconciled?.message ?? '');
  return { ok, line: `${`Reconciled=${reconciled?.status ?? '?'}`.padEnd(16)} ${what}` };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.problem) {
    process.stderr.write(`demo: ${args.problem}\n${USAGE}\n`);
    return 2;
  }
  const call = client(args.url, args.token);
  const learned = {};
  const rows = [];
  let wrong = 0;
  for (const c of FLEET) {
    const { resource: cluster0, created: isNew } = await findOrCreate(call, '/clusters', { kind: 'Cluster', name: c.name, labels: c.labels, spec: c.spec }, c.state === 'deleting');
    if (isNew) learned.Cluster ??= adaptersFromMessage(cluster0);
    const clusterPath = `/clusters/${cluster0.id}`;
    const pools = [];
    // node pools first: a cluster marked for deletion takes no new ones
    for (const p of cluster0.deleted_time ? [] : c.nodePools) {
      const { resource, created: poolIsNew } = await findOrCreate(call, `${clusterPath}/nodepools`, { kind: 'NodePool', name: p.name, labels: p.labels, spec: p.spec }, p.state === 'deleting');
      if (poolIsNew) learned.NodePool ??= adaptersFromMessage(resource);
      if (p.state !== 'deleting') await settle(call, `${clusterPath}/nodepools/${resource.id}`, resource, p.state, adapterList('NodePool', learned));
      pools.push({ p, id: resource.id });
    }
    await settle(call, clusterPath, cluster0, c.state, adapterList('Cluster', learned));
    const cluster = (await call('GET', clusterPath)).body;
    const d = verdict(cluster, c.state);
    wrong += d.ok ? 0 : 1;
    rows.push(`  cluster   ${c.name.padEnd(18)} ${c.state.padEnd(11)} ${d.line}${d.ok ? '' : '   <- not as intended'}`);
    const listed = (await call('GET', `${clusterPath}/nodepools?size=100`)).body.items ?? [];
    for (const p of c.nodePools) {
      const pool = listed.find((r) => r.name === p.name);
      if (!pool) continue;
      const pd = verdict(pool, p.state);
      wrong += pd.ok ? 0 : 1;
      rows.push(`    pool    ${p.name.padEnd(18)} ${p.state.padEnd(11)} ${pd.line}${pd.ok ? '' : '   <- not as intended'}`);
    }
  }
  process.stdout.write(
    `Demo fleet on ${args.url}${PREFIX} (required adapters: clusters ${adapterList('Cluster', learned).join(', ')}; node pools ${adapterList('NodePool', learned).join(', ')})\n` +
      `${rows.join('\n')}\n` +
      `Look at it in Swagger UI: ${args.url}${PREFIX}/openapi.html, or: curl -s '${args.url}${PREFIX}/clusters?search=labels.env%3D%27prod%27'\n`,
  );
  if (wrong) {
    process.stderr.write(`demo: ${wrong} resource(s) are not in the intended state; if the API requires other adapters, set HYPERFLEET_CLUSTER_ADAPTERS / HYPERFLEET_NODEPOOL_ADAPTERS as for the API\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo: ${err instanceof ApiError ? err.message : (err?.stack ?? String(err))}\n`);
    process.exit(1);
  },
);
