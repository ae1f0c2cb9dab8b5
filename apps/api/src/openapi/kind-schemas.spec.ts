import { buildKindRegistry, ConfigError, EntityConfig } from '@app/config';
import { NAME_PATTERN } from '../kinds/dto/validators';
import { exampleName, kindSchemas } from './kind-schemas';

/** The problems kindSchemas reports for a registry of `entities`; fails the test when it reports none. */
function problemsOf(entities: EntityConfig[], taken: string[] = []): string[] {
  const registry = buildKindRegistry(entities);
  try {
    kindSchemas(registry, taken);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('kindSchemas accepted schema names it should refuse');
}

describe(kindSchemas.name, () => {
  it('names the schemas of every kind and of /resources', () => {
    const schemas = kindSchemas(buildKindRegistry([{ kind: 'WifConfig', plural: 'wifconfigs' }]));
    expect(Object.keys(schemas).sort()).toEqual(
      [
        ...['Cluster', 'NodePool', 'WifConfig'].flatMap((k) => [k, `${k}CreateRequest`, `${k}PatchRequest`, `${k}List`, `${k}Status`, `${k}Spec`]),
        ...['Resource', 'ResourceCreateRequest', 'ResourcePatchRequest', 'ResourceList', 'ResourceStatus', 'ResourceCondition', 'ResourceConditionStatus', 'ObjectReference'],
      ].sort(),
    );
  });

  it('gives kinds that share a spec_schema_name one spec schema naming both', () => {
    const schemas = kindSchemas(
      buildKindRegistry([
        { kind: 'Channel', plural: 'channels', spec_schema_name: 'StreamSpec' },
        { kind: 'Stream', plural: 'streams' },
      ]),
    );
    expect(schemas.Channel.properties!.spec).toEqual({ $ref: '#/components/schemas/StreamSpec' });
    expect(schemas.Stream.properties!.spec).toEqual({ $ref: '#/components/schemas/StreamSpec' });
    expect(schemas.StreamSpec.description).toContain('Channel and Stream');
    expect(schemas.ChannelSpec).toBeUndefined();
  });

  it.each([
    ["another kind's list", [{ kind: 'Foo', plural: 'foos' }, { kind: 'FooList', plural: 'foo-lists' }], [], ["entities: kind FooList: OpenAPI schema name 'FooList' (kind Foo) already taken; rename the kind"]],
    [
      'the generic API',
      [{ kind: 'Resource', plural: 'things' }],
      [],
      [
        "entities: kind Resource: OpenAPI schema names 'Resource' (the generic /resources API), 'ResourceCreateRequest' (the generic /resources API), 'ResourcePatchRequest' (the generic /resources API), 'ResourceList' (the generic /resources API), 'ResourceStatus' (the generic /resources API) already taken; rename the kind",
      ],
    ],
    ["the API's own schemas", [{ kind: 'Adapter', plural: 'adapters' }], ['AdapterStatus'], ["entities: kind Adapter: OpenAPI schema name 'AdapterStatus' (a schema of the API itself) already taken; rename the kind"]],
    ['a kind, for a spec schema', [{ kind: 'Channel', plural: 'channels', spec_schema_name: 'Cluster' }], [], ["entities: the spec schema of Channel: OpenAPI schema name 'Cluster' (kind Cluster) already taken; choose another spec_schema_name"]],
  ])('refuses a schema name taken by %s', (_case, entities, taken, expected) => {
    expect(problemsOf(entities as EntityConfig[], taken)).toEqual(expected);
  });
});

describe(exampleName.name, () => {
  it.each([
    ['Channel', 1, 100, 'channel-1'],
    ['NodePool', 3, 15, 'nodepool-1'],
    ['NodePool', 3, 6, 'node-1'],
    ['Channel', 3, 3, 'c-1'],
    ['Channel', 1, 2, 'ch'],
    ['Channel', 1, 1, 'c'],
    ['Channel', 20, 30, 'channel-100000000000'],
  ])('names a %s (%i–%i characters) %s', (kind, nameMin, nameMax, expected) => {
    const [descriptor] = buildKindRegistry([{ kind, plural: kind === 'NodePool' ? 'nodepools' : 'things', name_min_len: nameMin, name_max_len: nameMax }]).all().filter((k) => k.kind === kind);
    const name = exampleName(descriptor);
    expect(name).toBe(expected);
    expect(name.length).toBeGreaterThanOrEqual(nameMin);
    expect(name.length).toBeLessThanOrEqual(nameMax);
    expect(name).toMatch(NAME_PATTERN);
  });
});
