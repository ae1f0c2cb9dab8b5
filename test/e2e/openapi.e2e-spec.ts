import { startTestApp, TestApp } from '../support/test-app';

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: string[]; allOf?: Schema[] };

/**
 * The published document describes what clients generated from the HyperFleet contract need:
 * the operations, their parameters and the field names and required fields of the bodies.
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { description?: string; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Record<string, Schema> } };
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/api/hyperfleet/v1/openapi').expect(200)).body;
  });
  afterAll(() => t?.close());

  const resolve = (s: Schema | undefined): Schema => {
    let cur = s ?? {};
    while (cur.$ref) cur = doc.components.schemas[cur.$ref.split('/').pop()!];
    if (cur.allOf) return cur.allOf.map(resolve).reduce<Schema>((m, p) => ({ ...m, ...p, properties: { ...m.properties, ...p.properties }, required: [...(m.required ?? []), ...(p.required ?? [])] }), {});
    return cur;
  };
  const op = (method: string, path: string) => doc.paths[`/api/hyperfleet/v1${path}`]?.[method];
  const responseSchema = (method: string, path: string, code: string) => resolve(Object.values(op(method, path)!.responses[code].content ?? {})[0]?.schema);
  const requestSchema = (method: string, path: string) => resolve(Object.values(op(method, path)!.requestBody!.content)[0].schema);

  it.each([
    ['get', '/clusters', 'getClusters'],
    ['post', '/clusters', 'postCluster'],
    ['get', '/clusters/{cluster_id}', 'getClusterById'],
    ['patch', '/clusters/{cluster_id}', 'patchClusterById'],
    ['delete', '/clusters/{cluster_id}', 'deleteClusterById'],
    ['post', '/clusters/{cluster_id}/force-delete', 'forceDeleteCluster'],
    ['get', '/clusters/{cluster_id}/nodepools', 'getNodePoolsByClusterId'],
    ['post', '/clusters/{cluster_id}/nodepools', 'createNodePool'],
    ['get', '/clusters/{cluster_id}/nodepools/{nodepool_id}', 'getNodePoolById'],
    ['patch', '/clusters/{cluster_id}/nodepools/{nodepool_id}', 'patchNodePoolById'],
    ['delete', '/clusters/{cluster_id}/nodepools/{nodepool_id}', 'deleteNodePoolById'],
    ['post', '/clusters/{cluster_id}/nodepools/{nodepool_id}/force-delete', 'forceDeleteNodePool'],
    ['get', '/nodepools', 'getNodePools'],
    ['put', '/clusters/{cluster_id}/statuses', 'putClusterStatuses'],
    ['get', '/clusters/{cluster_id}/statuses', 'getClusterStatuses'],
    ['put', '/clusters/{cluster_id}/nodepools/{nodepool_id}/statuses', 'putNodePoolStatuses'],
    ['get', '/clusters/{cluster_id}/nodepools/{nodepool_id}/statuses', 'getNodePoolsStatuses'],
    ['post', '/clusters/{cluster_id}/statuses', 'postClusterStatuses'],
  ])('has %s %s (%s)', (method, path, operationId) => {
    expect(op(method, path)).toMatchObject({ operationId });
  });

  it('lists take search, page, size and order', () => {
    for (const path of ['/clusters', '/nodepools', '/clusters/{cluster_id}/nodepools']) {
      const names = op('get', path)!.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['search', 'page', 'size', 'order']));
    }
  });

  it('documents the status codes of each operation', () => {
    expect(Object.keys(op('post', '/clusters')!.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409', 'default']));
    expect(Object.keys(op('delete', '/clusters/{cluster_id}')!.responses)).toEqual(expect.arrayContaining(['202', '404', '412']));
    expect(Object.keys(op('post', '/clusters/{cluster_id}/force-delete')!.responses)).toEqual(expect.arrayContaining(['204', '400', '404', '409']));
    expect(Object.keys(op('patch', '/clusters/{cluster_id}/nodepools/{nodepool_id}')!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '412']));
  });

  it('describes the cluster and node pool bodies with the contract field names', () => {
    const cluster = responseSchema('get', '/clusters/{cluster_id}', '200');
    expect(Object.keys(cluster.properties!)).toEqual(expect.arrayContaining(['id', 'kind', 'href', 'name', 'spec', 'labels', 'generation', 'status', 'created_time', 'updated_time', 'created_by', 'updated_by', 'deleted_time', 'deleted_by']));
    expect(cluster.required).toEqual(expect.arrayContaining(['kind', 'name', 'spec', 'created_time', 'updated_time', 'created_by', 'updated_by', 'generation', 'status']));
    const condition = resolve(resolve(cluster.properties!.status).properties!.conditions.items);
    expect(condition.required).toEqual(expect.arrayContaining(['type', 'status', 'observed_generation', 'created_time', 'last_updated_time', 'last_transition_time']));
    // Unknown: a mapped condition whose rule failed (CONTRACT D15)
    expect(resolve(condition.properties!.status).enum).toEqual(['True', 'False', 'Unknown']);
    const pool = responseSchema('post', '/clusters/{cluster_id}/nodepools', '201');
    expect(pool.required).toEqual(expect.arrayContaining(['owner_references', 'status', 'generation']));
    expect(resolve(pool.properties!.owner_references).required).toEqual(['id', 'kind']);
    const list = responseSchema('get', '/clusters', '200');
    expect(list.required).toEqual(expect.arrayContaining(['page', 'size', 'total', 'items']));
  });

  it('describes adapter status reports and statuses', () => {
    const report = requestSchema('put', '/clusters/{cluster_id}/statuses');
    expect(report.required).toEqual(expect.arrayContaining(['adapter', 'observed_generation', 'observed_time', 'conditions']));
    expect(Object.keys(report.properties!)).toEqual(expect.arrayContaining(['adapter', 'observed_generation', 'observed_time', 'conditions', 'data', 'metadata']));
    expect(resolve(resolve(report.properties!.conditions.items).properties!.status).enum).toEqual(['True', 'False', 'Unknown']);
    const status = responseSchema('put', '/clusters/{cluster_id}/statuses', '201');
    expect(status.required).toEqual(expect.arrayContaining(['adapter', 'observed_generation', 'conditions', 'created_time', 'last_report_time']));
    expect(Object.keys(op('put', '/clusters/{cluster_id}/nodepools/{nodepool_id}/statuses')!.responses)).toEqual(expect.arrayContaining(['201', '204', '400', '404']));
    // POST (older adapters, CONTRACT D16): a discarded report is 200 with a body, never 204
    for (const path of ['/clusters/{cluster_id}/statuses', '/resources/{resource_id}/statuses']) {
      const post = op('post', path)!;
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '404']));
      expect(post.responses['204']).toBeUndefined();
      expect((post.responses['200'] as { headers: Record<string, unknown> }).headers).toHaveProperty('X-HyperFleet-Discarded');
      expect(post.description).toContain('200 (not 204)');
    }
    const list = responseSchema('get', '/clusters/{cluster_id}/statuses', '200');
    expect(list.required).toEqual(expect.arrayContaining(['page', 'size', 'total', 'items']));
  });

  it('describes the request bodies', () => {
    const create = requestSchema('post', '/clusters');
    expect(create.required).toEqual(expect.arrayContaining(['kind', 'name', 'spec']));
    expect(Object.keys(create.properties!)).toEqual(expect.arrayContaining(['id', 'kind', 'href', 'name', 'spec', 'labels']));
    expect(create.properties!.name).toMatchObject({ minLength: 3, maxLength: 53 });
    expect(requestSchema('post', '/clusters/{cluster_id}/nodepools').properties!.name).toMatchObject({ minLength: 3, maxLength: 15 });
    expect(Object.keys(requestSchema('patch', '/clusters/{cluster_id}').properties!).sort()).toEqual(['labels', 'spec']);
    const force = requestSchema('post', '/clusters/{cluster_id}/force-delete');
    expect(force.required).toEqual(['reason']);
  });

  it.each([
    ['get', '/clusters', '200', 'ClusterList'],
    ['post', '/clusters', 'request', 'ClusterCreateRequest'],
    ['post', '/clusters', '201', 'Cluster'],
    ['get', '/clusters/{cluster_id}', '200', 'Cluster'],
    ['patch', '/clusters/{cluster_id}', 'request', 'ClusterPatchRequest'],
    ['delete', '/clusters/{cluster_id}', '202', 'Cluster'],
    ['post', '/clusters/{cluster_id}/force-delete', 'request', 'ForceDeleteRequest'],
    ['get', '/clusters/{cluster_id}/nodepools', '200', 'NodePoolList'],
    ['post', '/clusters/{cluster_id}/nodepools', 'request', 'NodePoolCreateRequest'],
    ['post', '/clusters/{cluster_id}/nodepools', '201', 'NodePool'],
    ['patch', '/clusters/{cluster_id}/nodepools/{nodepool_id}', 'request', 'NodePoolPatchRequest'],
    ['get', '/nodepools', '200', 'NodePoolList'],
    ['put', '/clusters/{cluster_id}/statuses', 'request', 'AdapterStatusCreateRequest'],
    ['put', '/clusters/{cluster_id}/statuses', '201', 'AdapterStatus'],
    ['get', '/clusters/{cluster_id}/statuses', '200', 'AdapterStatusList'],
    ['get', '/clusters/{cluster_id}', '404', 'ProblemDetails'],
    ['get', '/resources', '200', 'ResourceList'],
    ['post', '/resources', 'request', 'ResourceCreateRequest'],
    ['post', '/resources', '201', 'Resource'],
    ['patch', '/resources/{resource_id}', 'request', 'ResourcePatchRequest'],
  ])('%s %s names its %s schema %s, as the reference does', (method, path, where, name) => {
    const operation = op(method, path)!;
    const content = where === 'request' ? operation.requestBody!.content : operation.responses[where].content!;
    expect(Object.values(content)[0].schema).toEqual({ $ref: `#/components/schemas/${name}` });
  });

  it('names the shared schemas as the reference does', () => {
    const schemas = doc.components.schemas;
    expect(schemas.Cluster.properties!.spec).toEqual({ $ref: '#/components/schemas/ClusterSpec' });
    expect(schemas.ClusterCreateRequest.properties!.spec).toEqual({ $ref: '#/components/schemas/ClusterSpec' });
    expect(schemas.Cluster.properties!.status).toEqual({ $ref: '#/components/schemas/ClusterStatus' });
    expect(schemas.ClusterStatus.properties!.conditions.items).toEqual({ $ref: '#/components/schemas/ResourceCondition' });
    expect(schemas.ResourceCondition.properties!.status).toEqual({ $ref: '#/components/schemas/ResourceConditionStatus' });
    expect(schemas.ProblemDetails.properties!.errors.items).toEqual({ $ref: '#/components/schemas/ValidationError' });
    expect(schemas.AdapterStatusCreateRequest.properties!.conditions.items).toEqual({ $ref: '#/components/schemas/ConditionRequest' });
    expect(schemas.AdapterStatus.properties!.conditions.items).toEqual({ $ref: '#/components/schemas/AdapterCondition' });
    expect(resolve(schemas.AdapterCondition.properties!.status)).toEqual(resolve(schemas.ConditionRequest.properties!.status));
    expect(resolve(schemas.AdapterCondition.properties!.status).enum).toEqual(['True', 'False', 'Unknown']);
  });

  it('describes the kinds with their limits, kind names and list envelope', () => {
    const schemas = doc.components.schemas;
    expect(schemas.Cluster.properties!.kind.enum).toEqual(['Cluster']);
    expect(schemas.NodePoolCreateRequest.properties!.kind.enum).toEqual(['NodePool']);
    expect(schemas.ClusterCreateRequest.properties!.name).toMatchObject({ minLength: 3, maxLength: 53, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
    expect(schemas.ClusterPatchRequest).toMatchObject({ additionalProperties: false, minProperties: 1 });
    expect(schemas.ClusterList.required).toEqual(['kind', 'page', 'size', 'total', 'items']);
    expect(schemas.ClusterList.properties!.kind.enum).toEqual(['ClusterList']);
    expect(schemas.ClusterStatus.properties!.conditions).toMatchObject({ minItems: 2 });
    expect(schemas.ClusterSpec).toMatchObject({ type: 'object', additionalProperties: true });
    // no reference types here: neither the bodies nor their PATCH have references
    expect(Object.keys(schemas.Cluster.properties!)).not.toContain('references');
    expect(Object.keys(schemas.NodePoolPatchRequest.properties!)).not.toContain('references');
    expect(Object.keys(schemas.Cluster.properties!)).not.toContain('owner_references');
    expect(schemas.Resource.properties!.kind.enum).toEqual(['Cluster', 'NodePool']);
    expect(schemas.ResourceCreateRequest.properties!.kind.enum).toEqual(['Cluster']);
  });

  it('resolves every $ref and uses every component schema', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object')
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') refs.add(value as string);
          else walk(value);
        }
    };
    walk(doc);
    const missing = [...refs].filter((ref) => !ref.startsWith('#/components/schemas/') || !doc.components.schemas[ref.slice('#/components/schemas/'.length)]);
    expect(missing).toEqual([]);
    const used = new Set([...refs].map((ref) => ref.slice('#/components/schemas/'.length)));
    expect(Object.keys(doc.components.schemas).filter((name) => !used.has(name))).toEqual([]);
  });
  it('gives Swagger UI what it needs (issue 22.5): tag descriptions, no security while authentication is off, examples that are valid requests, codes as code', async () => {
    const full = (await t.http.get('/api/hyperfleet/v1/openapi').expect(200)).body;
    expect(full.tags.map((tag: { name: string }) => tag.name).sort()).toEqual(['clusters', 'metadata', 'nodepools', 'resources', 'statuses']);
    for (const tag of full.tags) expect(tag.description.length).toBeGreaterThan(20);
    expect(full.components.securitySchemes).toBeUndefined();
    expect(full.security).toBeUndefined();

    // the prefilled bodies, sent as they are: a create of each kind, a report, a force-delete
    const example = (name: string) => (full.components.schemas[name] as { example: Record<string, unknown> }).example;
    const created = (await t.http.post('/api/hyperfleet/v1/clusters').send(example('ClusterCreateRequest')).expect(201)).body;
    await t.http.post(`/api/hyperfleet/v1/clusters/${created.id}/nodepools`).send(example('NodePoolCreateRequest')).expect(201);
    await t.http.post('/api/hyperfleet/v1/resources').send(example('ResourceCreateRequest')).expect(201);
    await t.http.patch(`/api/hyperfleet/v1/clusters/${created.id}`).send(example('ClusterPatchRequest')).expect(200);
    const body = (method: string, path: string) => {
      const content = full.paths[`/api/hyperfleet/v1${path}`][method].requestBody.content['application/json'];
      return (Object.values(content.examples)[0] as { value: Record<string, unknown> }).value;
    };
    const report = body('put', '/clusters/{cluster_id}/statuses');
    expect((report.conditions as { type: string }[]).map((c) => c.type)).toEqual(['Available', 'Applied', 'Health']);
    for (const path of ['/clusters/{cluster_id}/statuses', '/clusters/{cluster_id}/nodepools/{nodepool_id}/statuses', '/nodepools/{nodepool_id}/statuses', '/resources/{resource_id}/statuses'])
      for (const method of ['put', 'post']) expect(body(method, path)).toEqual(report);
    await t.http.put(`/api/hyperfleet/v1/clusters/${created.id}/statuses`).send(report).expect(201);
    await t.http.delete(`/api/hyperfleet/v1/clusters/${created.id}`).expect(202);
    await t.http.post(`/api/hyperfleet/v1/clusters/${created.id}/force-delete`).send(body('post', '/clusters/{cluster_id}/force-delete')).expect(204);

    // Markdown: a `*` outside code would start italics
    const descriptions: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === 'description' && typeof v === 'string' ? descriptions.push(v) : walk(v);
    };
    walk(full);
    expect(descriptions.filter((d) => /HYPERFLEET-[A-Z]+-\*/.test(d.replace(/`[^`]*`/g, '')))).toEqual([]);
    const kindParam = full.paths['/api/hyperfleet/v1/resources'].get.parameters.find((p: { name: string }) => p.name === 'kind');
    expect(kindParam.schema.enum).toEqual(['Cluster', 'NodePool']);
  });
});
