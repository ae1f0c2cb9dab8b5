import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Swagger UI in a real headless Chromium (Debian's `chromium` package, never a downloaded browser):
 * the page served at /api/hyperfleet/v1/openapi.html renders the operations with their tags'
 * descriptions, no Authorize button while authentication is off, error codes as code (not italics), and
 * "Try it out" of every operation succeeds with the example Swagger UI fills in (issue 22.5); the test
 * types in only the ids of resources it created for the operation. Runs with `npm run test:browser`,
 * not `npm test`.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT = join(__dirname, '..', '..', 'test-output');
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let base: string;
  let cluster: Record<string, any>;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium, install it with \`apt-get install chromium\``);
    }
    mkdirSync(OUTPUT, { recursive: true });
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;

    const res = await fetch(`${base}/api/hyperfleet/v1/clusters`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(buildCluster()),
    });
    expect(res.status).toBe(201);
    cluster = (await res.json()) as Record<string, any>;

    // launch() starts Chromium with a new, empty --user-data-dir of its own (removed on close);
    // Playwright refuses the flag in args.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (req) => requests.push(req.url()));
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // Every request of the page stays on this machine (Swagger UI comes from swagger-ui-dist, no CDN,
    // no validator badge), and the page threw nothing.
    const remote = requests.filter((url) => {
      const u = new URL(url);
      return (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ws:' || u.protocol === 'wss:') && !LOCAL_HOSTS.has(u.hostname);
    });
    expect(remote).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  const getClusters = () => page.locator('#operations-clusters-getClusters');

  it('renders the tags and the operations', async () => {
    const res = await page.goto(`${base}/api/hyperfleet/v1/openapi.html`);
    expect(res?.status()).toBe(200);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'HyperFleet API' }).waitFor();

    for (const tag of ['clusters', 'nodepools', 'statuses']) {
      await page.locator(`.opblock-tag[data-tag="${tag}"]`).waitFor();
    }
    const op = getClusters();
    await op.waitFor();
    expect((await op.locator('.opblock-summary-method').textContent())?.trim()).toBe('GET');
    expect(await op.locator('.opblock-summary-path').getAttribute('data-path')).toBe('/api/hyperfleet/v1/clusters');
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(18);
    expect(requests).toContain(`${base}/api/hyperfleet/v1/openapi.html/swagger-ui-init.js`);

    await page.screenshot({ path: join(OUTPUT, 'swagger-ui.png'), fullPage: true });
  });

  it('runs GET /clusters with "Try it out" and shows the list', async () => {
    const op = getClusters();
    await op.locator('.opblock-summary-control').click();
    await op.locator('.opblock-body').waitFor();

    await op.getByRole('button', { name: 'Try it out' }).click();
    const execute = op.getByRole('button', { name: 'Execute' });
    await execute.click();

    const live = op.locator('.live-responses-table');
    await live.locator('.response-col_status').filter({ hasText: /^\s*200\s*$/ }).waitFor();
    const body = live.locator('.response-col_description .highlight-code');
    await body.filter({ hasText: cluster.name }).waitFor();
    const text = (await body.textContent()) ?? '';
    expect(text).toContain('"kind": "ClusterList"');
    expect(text).toContain(`"name": "${cluster.name}"`);
    expect(text).toContain(`"id": "${cluster.id}"`);
    expect(await op.locator('.request-url').textContent()).toContain(`${base}/api/hyperfleet/v1/clusters`);
    // The browser itself sent the request (with the parameters' defaults filled in).
    expect(requests.some((url) => url.startsWith(`${base}/api/hyperfleet/v1/clusters?`))).toBe(true);

    await op.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUTPUT, 'swagger-ui-try-it-out.png'), fullPage: true });
  });

  it('describes every tag, shows no Authorize button while authentication is off, and writes error codes as code, not italics', async () => {
    for (const [tag, words] of [
      ['clusters', 'Cluster resources under'],
      ['nodepools', 'NodePool resources under their Cluster'],
      ['statuses', 'Adapter status reports'],
      ['resources', 'Resources of every kind'],
      ['metadata', 'metadata document'],
    ]) {
      expect(await page.locator(`.opblock-tag[data-tag="${tag}"]`).textContent()).toContain(words);
    }
    expect(await page.locator('.btn.authorize').count()).toBe(0);

    const op = page.locator('#operations-clusters-getClusterById');
    await op.locator('.opblock-summary-control').click();
    const fallback = op.locator('.responses-table tr.response[data-code="default"] .response-col_description');
    await fallback.waitFor();
    expect(await fallback.locator('code').allTextContents()).toEqual(expect.arrayContaining(['HYPERFLEET-INT-*', 'HYPERFLEET-SVC-*']));
    expect(await op.locator('.responses-table em').count()).toBe(0);
    await op.locator('.opblock-summary-control').click();
  });

  it('"Try it out" of every operation succeeds with its prefilled example', async () => {
    const api = `${base}/api/hyperfleet/v1`;
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api}${path}`, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? undefined : ((await res.json()) as Record<string, any>);
    };
    let n = 0;
    /** Fresh resources for one operation: the ids its path needs, marked for deletion first for a force-delete. */
    const idsFor = async (path: string, operationId: string): Promise<Record<string, string>> => {
      const params = [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
      if (params.length === 0) return {};
      const cluster = await send('POST', '/clusters', { kind: 'Cluster', name: `try-${++n}`, spec: {} });
      const ids: Record<string, string> = { cluster_id: cluster!.id, resource_id: cluster!.id };
      if (params.includes('nodepool_id')) ids.nodepool_id = (await send('POST', `/clusters/${cluster!.id}/nodepools`, { kind: 'NodePool', name: `np-${n}`, spec: {} }))!.id;
      if (operationId.startsWith('forceDelete')) await send('DELETE', params.includes('nodepool_id') ? `/nodepools/${ids.nodepool_id}` : `/clusters/${cluster!.id}`);
      return ids;
    };

    const doc = (await (await fetch(`${api}/openapi`)).json()) as { paths: Record<string, Record<string, { operationId: string; tags: string[]; responses: Record<string, unknown> }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), ...op })));
    /** The answer an operation's example must get: 201 where a report or a create is stored, else its one documented success. */
    const expected = (responses: Record<string, unknown>): number => {
      const ok = Object.keys(responses).filter((c) => /^2\d\d$/.test(c));
      return ok.includes('201') ? 201 : Number(ok[0]);
    };
    expect(operations.length).toBeGreaterThanOrEqual(35);
    // a fresh page: every operation collapsed, none in "Try it out" mode
    await page.goto(`${api}/openapi.html`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'HyperFleet API' }).waitFor();
    const answers: string[] = [];
    for (const { path, method, operationId, tags, responses } of operations) {
      const ids = await idsFor(path, operationId);
      const op = page.locator(`#operations-${tags[0]}-${operationId}`);
      await op.locator('.opblock-summary-control').click();
      await op.getByRole('button', { name: 'Try it out' }).click();
      for (const [name, id] of Object.entries(ids)) {
        const input = op.locator(`tr[data-param-name="${name}"][data-param-in="path"] input`);
        if ((await input.count()) > 0) await input.fill(id);
      }
      await op.getByRole('button', { name: 'Execute' }).click();
      const status = op.locator('.live-responses-table .response-col_status').filter({ hasText: /^\s*\d{3}\s*$/ }).first();
      await status.waitFor();
      const code = Number((await status.textContent())!.trim());
      const want = expected(responses);
      const body = code === want ? '' : ` ${(await op.locator('.live-responses-table .response-col_description').first().textContent())?.slice(0, 300)}`;
      answers.push(`${method} ${path}: ${code}${code === want ? '' : ` (want ${want})${body}`}`);
      if (operationId === 'putClusterStatuses') await op.screenshot({ path: join(OUTPUT, 'swagger-ui-report.png') });
      await op.locator('.opblock-summary-control').click();
    }
    expect(answers.filter((a) => a.includes('(want'))).toEqual([]);
    expect(answers).toHaveLength(operations.length);
    // the browser sent them: the API saw a report for the nested node pool with the example's adapter
    expect(requests.some((url) => /\/clusters\/[0-9a-f-]{36}\/nodepools\/[0-9a-f-]{36}\/statuses$/.test(url))).toBe(true);
  }, 300_000);
});
