import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildCluster } from '../factories/cluster.factory';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Swagger UI in a real headless Chromium (Debian's `chromium` package, never a downloaded browser):
 * the page served at /api/hyperfleet/v1/openapi.html renders the operations, and "Try it out" on
 * GET /clusters reaches the API and shows its answer. Runs with `npm run test:browser`, not `npm test`.
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
});
