import { startTestApp, TestApp } from '../support/test-app';

const BASE = '/api/hyperfleet/v1';

/** The original's chart kinds (CONTRACT D13, docs/operations.md). */
const ENTITIES = [
  { kind: 'Cluster', plural: 'clusters' },
  { kind: 'NodePool', plural: 'nodepools', parent_kind: 'Cluster' },
  { kind: 'Channel', plural: 'channels' },
  {
    kind: 'Version',
    plural: 'versions',
    parent_kind: 'Channel',
    on_parent_delete: 'restrict',
    required_adapters: ['validation'],
    references: [{ ref_type: 'channel', target_kind: 'Channel', min: 1, max: 1 }],
  },
  { kind: 'WifConfig', plural: 'wifconfigs' },
];
const KINDS = ['Cluster', 'NodePool', 'Channel', 'Version', 'WifConfig'];
/** Each kind's collection (where it is created) and item path, parents first. */
const PATHS: Record<string, { create: string; item: string }> = {
  Cluster: { create: '/clusters', item: '/clusters/{cluster_id}' },
  NodePool: { create: '/clusters/{cluster_id}/nodepools', item: '/clusters/{cluster_id}/nodepools/{nodepool_id}' },
  Channel: { create: '/channels', item: '/channels/{channel_id}' },
  Version: { create: '/channels/{channel_id}/versions', item: '/channels/{channel_id}/versions/{version_id}' },
  WifConfig: { create: '/wifconfigs', item: '/wifconfigs/{wifconfig_id}' },
};

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minProperties?: number;
  pattern?: string;
  example?: unknown;
  description?: string;
}
type Content = Record<string, { schema: Schema }>;
interface Operation {
  operationId: string;
  requestBody?: { content: Content };
  responses: Record<string, { content?: Content }>;
}
interface Document {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The served OpenAPI document when the configuration declares kinds besides Cluster and NodePool: every
 * kind's routes and schemas are in it, generated from the registry, its examples are requests the API
 * accepts, the bodies the API sends are what its schemas say, and it still matches the reference contract.
 */
describe('OpenAPI document with configured kinds', () => {
  let t: TestApp;
  let doc: Document;
  beforeAll(async () => {
    t = await startTestApp({ HYPERFLEET_ENTITIES: JSON.stringify(ENTITIES) });
    doc = (await t.http.get(`${BASE}/openapi`).expect(200)).body;
  });
  afterAll(() => t?.close());

  const schemas = () => doc.components.schemas;
  const op = (method: string, path: string): Operation | undefined => doc.paths[`${BASE}${path}`]?.[method];
  const schemaName = (ref: Schema | undefined) => ref?.$ref?.replace('#/components/schemas/', '');

  /** A schema with its $ref followed and an allOf merged into one object schema. */
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    let cur = schema;
    while (cur?.$ref) cur = schemas()[schemaName(cur)!];
    if (!cur?.allOf) return cur;
    const parts = cur.allOf.map(resolve);
    return parts.reduce<Schema>((m, p) => ({ ...m, ...p, properties: { ...m.properties, ...p?.properties }, required: [...(m.required ?? []), ...(p?.required ?? [])] }), {});
  };

  /** Where `value` breaks `schema`; a member the schema does not list counts unless it allows others. */
  const violations = (schema: Schema | undefined, value: unknown, at: string): string[] => {
    const s = resolve(schema);
    if (!s) return [`${at}: no schema`];
    const out: string[] = [];
    if (s.enum && !s.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    if (s.type === 'object') {
      if (!isObject(value)) return [...out, `${at}: not an object`];
      for (const key of s.required ?? []) if (!(key in value)) out.push(`${at}.${key}: required, missing`);
      if (s.minProperties !== undefined && Object.keys(value).length < s.minProperties) out.push(`${at}: fewer than ${s.minProperties} members`);
      for (const [key, member] of Object.entries(value)) {
        if (s.properties?.[key]) out.push(...violations(s.properties[key], member, `${at}.${key}`));
        else if (isObject(s.additionalProperties)) out.push(...violations(s.additionalProperties, member, `${at}.${key}`));
        else if (s.additionalProperties !== true && s.properties) out.push(`${at}.${key}: not in the schema`);
      }
    } else if (s.type === 'array') {
      if (!Array.isArray(value)) return [...out, `${at}: not an array`];
      if (s.minItems !== undefined && value.length < s.minItems) out.push(`${at}: fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && value.length > s.maxItems) out.push(`${at}: more than ${s.maxItems} items`);
      value.forEach((item, i) => out.push(...violations(s.items, item, `${at}[${i}]`)));
    } else if (s.type === 'string') {
      if (typeof value !== 'string') return [...out, `${at}: not a string`];
      if (s.minLength !== undefined && value.length < s.minLength) out.push(`${at}: shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && value.length > s.maxLength) out.push(`${at}: longer than ${s.maxLength}`);
      if (s.pattern !== undefined && !new RegExp(s.pattern).test(value)) out.push(`${at}: does not match ${s.pattern}`);
      if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) out.push(`${at}: not a date-time`);
    } else if (s.type === 'integer') {
      if (!Number.isInteger(value)) return [...out, `${at}: not an integer`];
      if (s.minimum !== undefined && (value as number) < s.minimum) out.push(`${at}: below ${s.minimum}`);
    }
    return out;
  };

  it('describes the configured kinds and the /resources API', () => {
    expect(doc.info.description).toContain('Channel (`/channels`), Version (`/versions`, under its Channel), WifConfig (`/wifconfigs`)');
    expect(doc.info.description).toContain('`/resources`');
  });

  it.each([
    ['get', '/channels', 'getChannels'],
    ['post', '/channels', 'postChannel'],
    ['get', '/channels/{channel_id}', 'getChannelById'],
    ['patch', '/channels/{channel_id}', 'patchChannelById'],
    ['delete', '/channels/{channel_id}', 'deleteChannelById'],
    ['post', '/channels/{channel_id}/force-delete', 'forceDeleteChannel'],
    ['put', '/channels/{channel_id}/statuses', 'putChannelStatuses'],
    ['post', '/channels/{channel_id}/statuses', 'postChannelStatuses'],
    ['get', '/channels/{channel_id}/statuses', 'getChannelStatuses'],
    ['get', '/channels/{channel_id}/versions', 'getVersionsByChannelId'],
    ['post', '/channels/{channel_id}/versions', 'postVersion'],
    ['get', '/channels/{channel_id}/versions/{version_id}', 'getVersionById'],
    ['patch', '/channels/{channel_id}/versions/{version_id}', 'patchVersionById'],
    ['delete', '/channels/{channel_id}/versions/{version_id}', 'deleteVersionById'],
    ['post', '/channels/{channel_id}/versions/{version_id}/force-delete', 'forceDeleteVersion'],
    ['put', '/channels/{channel_id}/versions/{version_id}/statuses', 'putVersionStatuses'],
    ['post', '/channels/{channel_id}/versions/{version_id}/statuses', 'postVersionStatuses'],
    ['get', '/channels/{channel_id}/versions/{version_id}/statuses', 'getVersionStatuses'],
    ['get', '/versions', 'getVersions'],
    ['get', '/versions/{version_id}', 'getVersionByIdFlat'],
    ['patch', '/versions/{version_id}', 'patchVersionByIdFlat'],
    ['delete', '/versions/{version_id}', 'deleteVersionByIdFlat'],
    ['post', '/versions/{version_id}/force-delete', 'forceDeleteVersionFlat'],
    ['put', '/versions/{version_id}/statuses', 'putVersionStatusesFlat'],
    ['post', '/versions/{version_id}/statuses', 'postVersionStatusesFlat'],
    ['get', '/versions/{version_id}/statuses', 'getVersionStatusesFlat'],
    ['get', '/wifconfigs', 'getWifConfigs'],
    ['post', '/wifconfigs', 'postWifConfig'],
    ['get', '/wifconfigs/{wifconfig_id}', 'getWifConfigById'],
    ['patch', '/wifconfigs/{wifconfig_id}', 'patchWifConfigById'],
    ['delete', '/wifconfigs/{wifconfig_id}', 'deleteWifConfigById'],
    ['post', '/wifconfigs/{wifconfig_id}/force-delete', 'forceDeleteWifConfig'],
    ['put', '/wifconfigs/{wifconfig_id}/statuses', 'putWifConfigStatuses'],
    ['get', '/wifconfigs/{wifconfig_id}/statuses', 'getWifConfigStatuses'],
    ['get', '/clusters', 'getClusters'],
    ['post', '/clusters/{cluster_id}/nodepools', 'createNodePool'],
    ['get', '/nodepools', 'getNodePools'],
    ['get', '/resources', 'getResources'],
    ['post', '/resources', 'postResource'],
    ['get', '/resources/{resource_id}', 'getResourceById'],
    ['patch', '/resources/{resource_id}', 'patchResourceById'],
    ['delete', '/resources/{resource_id}', 'deleteResourceById'],
    ['post', '/resources/{resource_id}/force-delete', 'forceDeleteResource'],
    ['get', '/resources/{resource_id}/statuses', 'getResourceStatuses'],
    ['put', '/resources/{resource_id}/statuses', 'putResourceStatuses'],
  ])('has %s %s (%s)', (method, path, operationId) => {
    expect(op(method, path)).toMatchObject({ operationId });
  });

  it('has no create on the flat collection of a child kind (422 there), and unique operation ids', () => {
    expect(op('post', '/versions')).toBeUndefined();
    expect(op('post', '/nodepools')).toBeUndefined();
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.operationId));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it.each(KINDS)('names the schemas of %s as the reference names them, and its routes use them', (kind) => {
    const s = schemas();
    for (const suffix of ['', 'CreateRequest', 'PatchRequest', 'List', 'Spec', 'Status']) expect(s[`${kind}${suffix}`]).toMatchObject({ type: 'object' });
    const spec = { $ref: `#/components/schemas/${kind}Spec` };
    expect([s[kind].properties!.spec, s[`${kind}CreateRequest`].properties!.spec, s[`${kind}PatchRequest`].properties!.spec]).toEqual([spec, spec, spec]);
    expect(s[`${kind}Spec`]).toMatchObject({ additionalProperties: true });
    expect(s[`${kind}List`].properties!.items.items).toEqual({ $ref: `#/components/schemas/${kind}` });
    expect(s[`${kind}List`].properties!.kind.enum).toEqual([`${kind}List`]);
    expect(s[kind].properties!.status).toEqual({ $ref: `#/components/schemas/${kind}Status` });
    expect(s[kind].properties!.kind.enum).toEqual([kind]);
    expect(s[`${kind}CreateRequest`].properties!.kind.enum).toEqual([kind]);
    expect(s[`${kind}PatchRequest`]).toMatchObject({ additionalProperties: false, minProperties: 1 });

    const { create, item } = PATHS[kind];
    const json = (content: Content | undefined) => content?.['application/json']?.schema;
    expect(schemaName(json(op('get', create)!.responses['200'].content))).toBe(`${kind}List`);
    expect(schemaName(json(op('post', create)!.requestBody!.content))).toBe(`${kind}CreateRequest`);
    expect(schemaName(json(op('post', create)!.responses['201'].content))).toBe(kind);
    expect(schemaName(json(op('get', item)!.responses['200'].content))).toBe(kind);
    expect(schemaName(json(op('patch', item)!.requestBody!.content))).toBe(`${kind}PatchRequest`);
    expect(schemaName(json(op('delete', item)!.responses['202'].content))).toBe(kind);
  });

  it("documents each kind's parent, name limits, references and conditions", () => {
    const s = schemas();
    expect(s.Version.required).toContain('owner_references');
    expect(resolve(s.Version.properties!.owner_references)!.required).toEqual(['id', 'kind']);
    expect(s.Version.properties!.owner_references.description).toContain('Channel');
    expect(s.NodePool.required).toContain('owner_references');
    for (const kind of ['Cluster', 'Channel', 'WifConfig']) expect(Object.keys(s[kind].properties!)).not.toContain('owner_references');

    // the channel reference: exactly one Channel, required on create
    const created = s.VersionCreateRequest;
    expect(created.required).toEqual(['kind', 'name', 'spec', 'references']);
    expect(created.properties!.references).toMatchObject({ required: ['channel'], additionalProperties: false });
    const channel = created.properties!.references.properties!.channel;
    expect(channel).toMatchObject({ type: 'array', minItems: 1, maxItems: 1 });
    expect(channel.items).toMatchObject({ required: ['id', 'kind'], properties: { kind: { enum: ['Channel'] } } });
    expect(s.Version.properties!.references.properties!.channel).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/ObjectReference' } });
    expect(s.Version.properties!.references.properties!.channel.description).toMatch(/Channel .*exactly 1/);
    expect(Object.keys(s.VersionPatchRequest.properties!)).toEqual(['spec', 'labels', 'references']);
    for (const kind of ['Cluster', 'NodePool', 'Channel', 'WifConfig']) {
      expect(Object.keys(s[kind].properties!)).not.toContain('references');
      expect(Object.keys(s[`${kind}PatchRequest`].properties!)).toEqual(['spec', 'labels']);
    }

    expect(s.ChannelCreateRequest.properties!.name).toMatchObject({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
    expect(s.NodePoolCreateRequest.properties!.name).toMatchObject({ minLength: 3, maxLength: 15 });
    // kinds with required adapters always have Reconciled and LastKnownReconciled; the others none until a report
    expect(s.VersionStatus.properties!.conditions.minItems).toBe(2);
    expect(s.ChannelStatus.properties!.conditions.minItems).toBeUndefined();
  });

  it('describes /resources over every kind', () => {
    const s = schemas();
    expect(s.Resource.properties!.kind.enum).toEqual(KINDS);
    expect(s.ResourceCreateRequest.properties!.kind.enum).toEqual(['Cluster', 'Channel', 'WifConfig']);
    expect(s.ResourceCreateRequest.properties!.name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(Object.keys(s.ResourcePatchRequest.properties!)).toEqual(['spec', 'labels', 'references']);
    expect(s.ResourceList.properties!.items.items).toEqual({ $ref: '#/components/schemas/Resource' });
  });

  it('resolves every $ref and uses every component schema', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node))
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') refs.add(value as string);
          else walk(value);
        }
    };
    walk(doc);
    const prefix = '#/components/schemas/';
    expect([...refs].filter((ref) => !ref.startsWith(prefix) || !schemas()[ref.slice(prefix.length)])).toEqual([]);
    const used = new Set([...refs].map((ref) => ref.slice(prefix.length)));
    expect(Object.keys(schemas()).filter((name) => !used.has(name))).toEqual([]);
  });

  it('gives every schema with an example an example that fits it', () => {
    const withExamples = Object.entries(schemas()).filter(([, schema]) => schema.example !== undefined);
    expect(withExamples.map(([name]) => name)).toEqual(expect.arrayContaining(KINDS.flatMap((k) => [k, `${k}CreateRequest`, `${k}PatchRequest`]).concat('Resource', 'ResourceCreateRequest', 'ResourcePatchRequest')));
    expect(withExamples.flatMap(([name, schema]) => violations(schema, schema.example, name))).toEqual([]);
  });

  describe('examples and bodies', () => {
    interface Exchange {
      method: 'get' | 'post' | 'patch' | 'put' | 'delete';
      path: string;
      expected: number;
      status: number;
      body: unknown;
    }
    const exchanges: Exchange[] = [];
    /** Ids by path parameter name (`channel_id`, …), filled in as resources are created. */
    const ids: Record<string, string> = {};

    /** Calls a documented path (its parameters filled from `ids`) and keeps the answer. */
    const call = async (method: Exchange['method'], path: string, expected: number, body?: unknown): Promise<Record<string, any>> => {
      const url = BASE + path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? `no-${name}`);
      const req = t.http[method](url);
      const res = body === undefined ? await req : await req.send(body as object);
      exchanges.push({ method, path, expected, status: res.status, body: res.body });
      return res.body;
    };
    const example = (name: string) => structuredClone(schemas()[name].example) as Record<string, any>;

    beforeAll(async () => {
      // the generic API's examples, on a resource removed at the end (its kind has no required adapters)
      ids.resource_id = (await call('post', '/resources', 201, example('ResourceCreateRequest'))).id;
      await call('patch', '/resources/{resource_id}', 200, example('ResourcePatchRequest'));
      await call('get', '/resources/{resource_id}', 200);
      await call('delete', '/resources/{resource_id}', 202);

      // each kind's examples, parents first; an example's reference ids stand for resources created here
      for (const kind of KINDS) {
        const body = example(`${kind}CreateRequest`);
        for (const entries of Object.values<{ id: string; kind: string }[]>(body.references ?? {})) for (const entry of entries) entry.id = ids[`${entry.kind.toLowerCase()}_id`];
        ids[`${kind.toLowerCase()}_id`] = (await call('post', PATHS[kind].create, 201, body)).id;
        await call('patch', PATHS[kind].item, 200, example(`${kind}PatchRequest`));
        await call('get', PATHS[kind].item, 200);
        await call('get', PATHS[kind].create, 200);
      }
      await call('get', '/nodepools', 200);
      await call('get', '/versions', 200);
      await call('get', '/versions/{version_id}', 200);

      const report = {
        adapter: 'validation',
        observed_generation: 2,
        observed_time: new Date().toISOString(),
        conditions: ['Available', 'Applied', 'Health'].map((type) => ({ type, status: 'True', reason: 'Checked', message: 'all good' })),
      };
      await call('put', '/channels/{channel_id}/versions/{version_id}/statuses', 201, report);
      await call('get', '/versions/{version_id}/statuses', 200);
      await call('get', '/channels/{channel_id}/versions/{version_id}', 200);
      await call('delete', '/channels/{channel_id}/versions/{version_id}', 202);
      await call('get', '/resources', 200);
      await call('get', '/resources/{resource_id}', 404);
    });

    it('accepts the create and PATCH examples of every kind and of /resources', () => {
      const unexpected = exchanges.filter((x) => x.status !== x.expected).map((x) => `${x.method} ${x.path}: ${x.status} ${JSON.stringify(x.body)}`);
      expect(unexpected).toEqual([]);
      expect(exchanges.filter((x) => x.method === 'post' && x.expected === 201).map((x) => (x.body as { kind: string }).kind)).toEqual(['Channel', ...KINDS]);
    });

    it('answers GET by id with the search parameter the reference lists there, which filters nothing', async () => {
      const plain = await t.http.get(`${BASE}/clusters/${ids.cluster_id}`).expect(200);
      const searched = await t.http.get(`${BASE}/clusters/${ids.cluster_id}`).query({ search: "name='nothing-like-it'" }).expect(200);
      expect(searched.body).toEqual(plain.body);
    });

    it('sends bodies that fit the schemas the document gives for them', () => {
      const answered = exchanges.filter((x) => x.status === x.expected && x.expected < 300);
      expect(answered.length).toBeGreaterThan(25);
      const found = answered.flatMap((x) => violations(op(x.method, x.path)!.responses[String(x.status)].content!['application/json'].schema, x.body, `${x.method} ${x.path} ${x.status}`));
      expect(found).toEqual([]);
      // the reported Version carries its adapter's condition, its owner and its reference
      const version = answered.filter((x) => x.method === 'get' && x.path === '/channels/{channel_id}/versions/{version_id}').at(-1)!.body as Record<string, any>;
      expect(version.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Reconciled', 'LastKnownReconciled', 'ValidationSuccessful']);
      expect(version.owner_references).toMatchObject({ id: ids.channel_id, kind: 'Channel' });
      expect(version.references).toEqual({ channel: [{ id: ids.channel_id, kind: 'Channel', href: `${BASE}/channels/${ids.channel_id}` }] });
    });
  });
});
