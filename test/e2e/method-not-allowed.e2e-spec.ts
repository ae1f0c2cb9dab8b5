import { CHART_KINDS, CHART_KINDS_ENV } from '../support/chart-kinds';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const NOWHERE = '01939a6e-0000-7000-8000-000000000000';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A known path with a method it does not have (CONTRACT §1.3, issue 22.6): 405 problem+json with an
 * `Allow` header listing the methods the path has, for every path of the served OpenAPI document (so every
 * path the kind registry adds, configured kinds and `/resources` included) and the undocumented roots.
 * Each method the header lists is routed (never 405, never "Endpoint Not Found").
 */
describe('wrong method on a known path', () => {
  let t: TestApp;
  /** Every path with the methods it has: the document's operations (HEAD with GET), and the routes the document leaves out. */
  const paths = new Map<string, Set<string>>();

  beforeAll(async () => {
    t = await startTestApp(CHART_KINDS_ENV);
    const doc = (await t.http.get(`${API}/openapi`).expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    for (const [path, operations] of Object.entries(doc.paths)) {
      const methods = new Set(Object.keys(operations).map((m) => m.toUpperCase()));
      if (methods.has('GET')) methods.add('HEAD');
      paths.set(path.replace(/\{[a-z_]+\}/g, NOWHERE), methods);
    }
    // a child kind's flat collection answers POST with 422 (create it under its parent); the document leaves that POST out
    for (const kind of CHART_KINDS.filter((k) => k.parent_kind)) paths.get(`${API}/${kind.plural}`)!.add('POST');
    for (const root of ['/', API, `${API}/openapi`, `${API}/openapi.yaml`, `${API}/openapi.html`]) paths.set(root, new Set(['GET', 'HEAD']));
  });
  afterAll(() => t?.close());

  it('covers the registry: built-in and configured kinds, nested and flat, statuses, force-delete, /resources', () => {
    for (const path of [
      `${API}/clusters`,
      `${API}/clusters/${NOWHERE}/nodepools/${NOWHERE}/statuses`,
      `${API}/nodepools/${NOWHERE}/force-delete`,
      `${API}/channels/${NOWHERE}/versions/${NOWHERE}`,
      `${API}/versions`,
      `${API}/wifconfigs/${NOWHERE}/statuses`,
      `${API}/resources/${NOWHERE}/statuses`,
    ])
      expect(paths.has(path)).toBe(true);
    expect(paths.size).toBeGreaterThan(35);
  });

  it('the issue’s cases: PUT /clusters/{id}, DELETE /clusters, PATCH /nodepools, OPTIONS /clusters', async () => {
    const cases: [string, string, string][] = [
      ['PUT', `${API}/clusters/${NOWHERE}`, 'DELETE, GET, HEAD, PATCH'],
      ['DELETE', `${API}/clusters`, 'GET, HEAD, POST'],
      // POST is routed there: a child kind's flat collection answers it with 422 (create it under its cluster)
      ['PATCH', `${API}/nodepools`, 'GET, HEAD, POST'],
      ['OPTIONS', `${API}/clusters`, 'GET, HEAD, POST'],
      ['POST', `${API}/clusters/${NOWHERE}/nodepools/${NOWHERE}`, 'DELETE, GET, HEAD, PATCH'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await t.http[method.toLowerCase() as 'put'](path);
      const body = expectProblem(res, 405, 'HYPERFLEET-MTH-001');
      expect(res.headers.allow).toBe(allow);
      expect(body).toMatchObject({ title: 'Method Not Allowed', instance: path, detail: `Method ${method} is not allowed on '${path}'; allowed: ${allow}` });
    }
  });

  it('every path: 405 with Allow for each method it lacks; each method it lists is routed', async () => {
    const wrong: string[] = [];
    for (const [path, methods] of paths) {
      const allow = [...methods].sort().join(', ');
      for (const method of METHODS) {
        const res = await t.http[method.toLowerCase() as 'get'](path);
        if (methods.has(method)) {
          if (res.status === 405 || res.body?.code === 'HYPERFLEET-NTF-000') wrong.push(`${method} ${path}: ${res.status} ${res.body?.code}`);
          continue;
        }
        if (res.status !== 405 || res.headers.allow !== allow) wrong.push(`${method} ${path}: ${res.status}, Allow ${res.headers.allow} (want 405, ${allow})`);
        else if (method !== 'HEAD') expectProblem(res, 405, 'HYPERFLEET-MTH-001');
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a trailing slash is the same path; an unknown path stays 404 whatever the method', async () => {
    const res = await t.http.delete(`${API}/clusters/`);
    expectProblem(res, 405, 'HYPERFLEET-MTH-001');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    for (const method of ['get', 'put', 'options'] as const) expectProblem(await t.http[method](`${API}/widgets/${NOWHERE}`), 404, 'HYPERFLEET-NTF-000');
  });
});
