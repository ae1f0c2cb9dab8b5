import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../config-error';
import { buildKindRegistry } from '../kinds/kind-registry';
import { EntityConfig } from '../kinds/resource-kind';
import { loadSpecSchemas, MAX_SPEC_PROBLEMS } from './spec-schemas';

const dir = mkdtempSync(join(tmpdir(), 'spec-schemas-'));
let n = 0;
/** Writes `document` (YAML, or JSON text as given) to a file of its own; returns its path. */
function file(document: unknown, json = false): string {
  const path = join(dir, `doc-${++n}.${json ? 'json' : 'yaml'}`);
  writeFileSync(path, typeof document === 'string' ? document : json ? JSON.stringify(document) : stringify(document));
  return path;
}
const doc = (version: string, schemas: Record<string, unknown>) => ({ openapi: version, info: { title: 't', version: '1' }, paths: {}, components: { schemas } });
const SETTING = 'HYPERFLEET_SERVER_OPENAPI_SCHEMA_PATH (server.openapi_schema_path)';
const load = (path: string | undefined, entities: EntityConfig[] = []) => {
  const kinds = buildKindRegistry(entities);
  return { kinds, schemas: loadSpecSchemas(path, kinds, SETTING) };
};
function problemsOf(path: string | undefined, entities: EntityConfig[] = []): string[] {
  try {
    load(path, entities);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('loadSpecSchemas accepted a document it should refuse');
}

const CLUSTER_SPEC = {
  type: 'object',
  required: ['platform', 'release'],
  additionalProperties: false,
  properties: {
    platform: { $ref: '#/components/schemas/Platform' },
    release: { type: 'object', required: ['version'], properties: { version: { type: 'string', pattern: '^4\\.\\d+\\.\\d+$' } } },
    replicas: { type: 'integer', format: 'int32', minimum: 1, maximum: 10 },
    weight: { type: 'number', minimum: 0, exclusiveMinimum: true },
    note: { type: 'string', nullable: true, maxLength: 5 },
    tier: { type: 'string', enum: ['ga', 'eus'], nullable: true },
    owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/Owner' }] },
    tags: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, maxItems: 3 },
  },
  'x-go-type': 'ClusterSpec',
  example: { platform: { type: 'gcp' } },
};
const PLATFORM = { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['gcp', 'aws'] }, projectID: { type: 'string', format: 'uuid' } }, discriminator: { propertyName: 'type' } };
const OWNER = { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } };
const VALID = { platform: { type: 'gcp' }, release: { version: '4.18.1' } };

describe('spec schemas', () => {
  describe('of an OpenAPI 3.0 document', () => {
    const { kinds, schemas } = load(file(doc('3.0.3', { ClusterSpec: CLUSTER_SPEC, Platform: PLATFORM, Owner: OWNER, Unused: { type: 'bogus' } })));
    const cluster = kinds.get('Cluster')!;
    const check = (spec: unknown) => schemas.check(cluster, spec);

    it('accepts a valid spec, with nullable fields null', () => {
      expect(check(VALID)).toEqual([]);
      expect(check({ ...VALID, note: null, tier: null, owner: null, weight: 0.5, replicas: 10, tags: ['a'] })).toEqual([]);
    });

    it('names each failing field with its path and says what is wrong', () => {
      expect(check({ platform: { type: 'azure', projectID: 'x' }, release: { version: '5' }, extra: 1, replicas: 0, weight: 0, note: 'toolong', tier: 'beta', owner: {}, tags: ['a', 'a', ''] })).toEqual([
        { field: 'spec.extra', message: 'is not an allowed property', keyword: 'additionalProperties' },
        { field: 'spec.platform.type', message: 'must be one of "gcp", "aws"', keyword: 'enum' },
        { field: 'spec.platform.projectID', message: 'must be a valid uuid', keyword: 'format' },
        { field: 'spec.release.version', message: 'must match the pattern ^4\\.\\d+\\.\\d+$', keyword: 'pattern' },
        { field: 'spec.replicas', message: 'must be at least 1', keyword: 'minimum' },
        { field: 'spec.weight', message: 'must be greater than 0', keyword: 'exclusiveMinimum' },
        { field: 'spec.note', message: 'must be at most 5 characters long', keyword: 'maxLength' },
        { field: 'spec.tier', message: 'must be one of "ga", "eus", null', keyword: 'enum' },
        { field: 'spec.owner.email', message: 'is required', keyword: 'required' },
        { field: 'spec.tags.2', message: 'must be at least 1 characters long', keyword: 'minLength' },
        { field: 'spec.tags', message: 'must not hold the same item twice (items 0 and 1 are equal)', keyword: 'uniqueItems' },
      ]);
    });

    it('reports missing required fields under their own path, and wrong types', () => {
      expect(check({})).toEqual([
        { field: 'spec.platform', message: 'is required', keyword: 'required' },
        { field: 'spec.release', message: 'is required', keyword: 'required' },
      ]);
      expect(check({ ...VALID, release: {}, replicas: 1.5, tags: 'a' })).toEqual([
        { field: 'spec.release.version', message: 'is required', keyword: 'required' },
        { field: 'spec.replicas', message: 'must be an integer', keyword: 'type' },
        { field: 'spec.tags', message: 'must be an array', keyword: 'type' },
      ]);
      expect(check({ ...VALID, replicas: 2 ** 31 })).toEqual([{ field: 'spec.replicas', message: 'must be at most 10; must be a valid int32', keyword: 'maximum' }]);
    });

    it('lists at most MAX_SPEC_PROBLEMS fields', () => {
      const many = { ...VALID, ...Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`x${i}`, i])) };
      expect(check(many)).toHaveLength(MAX_SPEC_PROBLEMS);
    });

    it('leaves kinds without a component unchecked, with a warning', () => {
      expect(schemas.check(kinds.get('NodePool')!, 'anything')).toEqual([]);
      expect(schemas.has(kinds.get('NodePool')!)).toBe(false);
      expect(schemas.warnings).toEqual([expect.stringContaining("has no component 'NodePoolSpec': the spec of NodePool is not checked")]);
    });

    it('serves the components as written, with the ones they refer to (renamed when the name is taken)', () => {
      const served = schemas.servedSchemas(new Set(['Cluster', 'Owner']));
      expect(Object.keys(served).sort()).toEqual(['ClusterSpec', 'Owner_2', 'Platform']);
      expect(served.ClusterSpec).toMatchObject({ required: ['platform', 'release'], 'x-go-type': 'ClusterSpec', properties: { platform: { $ref: '#/components/schemas/Platform' }, owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/Owner_2' }] } } });
      expect(served.Owner_2).toEqual(OWNER);
    });
  });

  it('reads OpenAPI 3.1 (JSON Schema 2020-12: type lists, numeric exclusiveMinimum, const) from JSON', () => {
    const path = file(doc('3.1.0', { WifConfigSpec: { type: 'object', required: ['pool'], properties: { pool: { type: ['string', 'null'] }, size: { type: 'integer', exclusiveMinimum: 0 }, mode: { const: 'strict' } } } }), true);
    const { kinds, schemas } = load(path, [{ kind: 'WifConfig', plural: 'wifconfigs', require_spec_schema: true }]);
    const wif = kinds.get('WifConfig')!;
    expect(schemas.check(wif, { pool: null, size: 1, mode: 'strict' })).toEqual([]);
    expect(schemas.check(wif, { pool: 3, size: 0, mode: 'lax' })).toEqual([
      { field: 'spec.pool', message: 'must be a string or null', keyword: 'type' },
      { field: 'spec.size', message: 'must be greater than 0', keyword: 'exclusiveMinimum' },
      { field: 'spec.mode', message: 'must be "strict"', keyword: 'const' },
    ]);
  });

  it('uses the bundled document when no path is given: Cluster and NodePool accept any object', () => {
    const { kinds, schemas } = load(undefined, [{ kind: 'Channel', plural: 'channels' }]);
    expect(schemas.source).toBe('the bundled default document');
    expect(schemas.check(kinds.get('Cluster')!, { anything: [1, 'x'] })).toEqual([]);
    expect(schemas.check(kinds.get('Cluster')!, 'text')).toEqual([{ field: 'spec', message: 'must be an object', keyword: 'type' }]);
    expect(schemas.has(kinds.get('Channel')!)).toBe(false);
  });

  it('lets kinds share a component through spec_schema_name', () => {
    const { kinds, schemas } = load(file(doc('3.0.0', { StreamSpec: { type: 'object', required: ['name'] } })), [
      { kind: 'Channel', plural: 'channels', spec_schema_name: 'StreamSpec' },
      { kind: 'Stream', plural: 'streams', spec_schema_name: 'StreamSpec' },
    ]);
    expect(schemas.check(kinds.get('Channel')!, {})).toEqual([{ field: 'spec.name', message: 'is required', keyword: 'required' }]);
    expect(schemas.check(kinds.get('Stream')!, { name: 'x' })).toEqual([]);
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.yaml'), [], [`${SETTING}: ${join(dir, 'nope.yaml')}: no such file`]],
    ['a directory', () => dir, [], [`${SETTING}: ${dir}: is a directory, not a file`]],
    ['text that is not YAML', () => file('a: [1\n'), [], [expect.stringMatching(/: cannot be read as YAML or JSON \(/)]],
    ['a document that is not OpenAPI', () => file({ swagger: '2.0' }), [], [expect.stringMatching(/: not an OpenAPI document \(no 'openapi' version at the top\)$/)]],
    ['OpenAPI 2', () => file({ openapi: '2.0' }), [], [expect.stringMatching(/: OpenAPI 2\.0 is not supported \(3\.0\.x or 3\.1\.x\)$/)]],
    [
      'a required component that is missing',
      () => file(doc('3.0.3', {})),
      [{ kind: 'Version', plural: 'versions', spec_schema_name: 'VersionSpec', require_spec_schema: true }],
      [expect.stringMatching(/: has no component 'VersionSpec' \(components\.schemas\), which Version requires \(require_spec_schema: true\)$/)],
    ],
    [
      'a reference outside components.schemas',
      () => file(doc('3.0.3', { ClusterSpec: { type: 'object', properties: { a: { $ref: 'other.yaml#/X' } } } })),
      [],
      [expect.stringMatching(/: components\.schemas\.ClusterSpec\.properties\.a\.\$ref 'other\.yaml#\/X' is not supported: only references to this document's components\.schemas/)],
    ],
    [
      'a reference to a missing component',
      () => file(doc('3.0.3', { ClusterSpec: { allOf: [{ $ref: '#/components/schemas/Gone' }] } })),
      [],
      [expect.stringMatching(/: components\.schemas\.ClusterSpec\.allOf\.0\.\$ref '#\/components\/schemas\/Gone' refers to a component that components\.schemas does not have$/)],
    ],
    [
      'a schema that is not valid',
      () => file(doc('3.0.3', { ClusterSpec: { type: 'obj' } })),
      [],
      [expect.stringMatching(/: components\.schemas\.ClusterSpec\.type must be equal to one of the allowed values \(array, boolean, integer, null, number, object, string\)$/)],
    ],
    ['an unknown keyword (a typo)', () => file(doc('3.0.3', { ClusterSpec: { type: 'object', requried: ['a'] } })), [], [expect.stringMatching(/: components\.schemas\.ClusterSpec \(or a component it refers to\) cannot be compiled: strict mode: unknown keyword: "requried"/)]],
  ])('stops the start-up on %s, naming the document and the component', (_what, path, entities, expected) => {
    expect(problemsOf(path(), entities as EntityConfig[])).toEqual(expected);
  });

  it('accepts unknown formats unchecked, with a warning', () => {
    const { kinds, schemas } = load(file(doc('3.0.3', { ClusterSpec: { type: 'object', properties: { cidr: { type: 'string', format: 'cidr' } } } })));
    expect(schemas.check(kinds.get('Cluster')!, { cidr: 'anything' })).toEqual([]);
    expect(schemas.warnings).toContainEqual(expect.stringContaining("format 'cidr' is not known to the validator and is not checked"));
  });
});
