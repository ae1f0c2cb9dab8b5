import { ConfigError } from '../config-error';
import { adapterConditionType, buildKindRegistry } from './kind-registry';
import { EntityConfig, ResourceKind } from './resource-kind';

/** The original's shipped chart list (charts/values.yaml). */
const SHIPPED: EntityConfig[] = [
  { kind: 'Cluster', plural: 'clusters', spec_schema_name: 'ClusterSpec', required_adapters: ['validation', 'dns', 'pullsecret', 'hypershift'], name_min_len: 3, name_max_len: 53, require_spec_schema: true },
  { kind: 'NodePool', plural: 'nodepools', parent_kind: 'Cluster', on_parent_delete: 'cascade', spec_schema_name: 'NodePoolSpec', required_adapters: ['validation', 'hypershift'], name_min_len: 3, name_max_len: 15, require_spec_schema: true },
  { kind: 'Channel', plural: 'channels', spec_schema_name: 'ChannelSpec' },
  { kind: 'Version', plural: 'versions', parent_kind: 'Channel', on_parent_delete: 'restrict', spec_schema_name: 'VersionSpec' },
  { kind: 'WifConfig', plural: 'wifconfigs', spec_schema_name: 'WifConfigSpec' },
];

const CHANNEL = { kind: 'Channel', plural: 'channels' };
const rule = (type: string) => ({ type, when: { expression: 'true' }, output: { status: { expression: '"True"' }, reason: { expression: '"Mapped"' }, message: { expression: '"ok"' } } });

/** The problems buildKindRegistry reports for `entities`; fails the test when it accepts them. */
function problemsOf(entities: unknown, overrides?: { Cluster?: string[]; NodePool?: string[] }): string[] {
  try {
    buildKindRegistry(entities as EntityConfig[], overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the registry accepted entities it should refuse');
}

const kindNames = (kinds: readonly ResourceKind[]) => kinds.map((k) => k.kind);

describe(buildKindRegistry.name, () => {
  it('declares Cluster and NodePool with their defaults when no entity is configured', () => {
    const registry = buildKindRegistry([]);
    const cluster = registry.get('Cluster')!;
    const nodePool = registry.get('NodePool')!;
    expect(kindNames(registry.all())).toEqual(['Cluster', 'NodePool']);
    expect(cluster).toMatchObject({
      kind: 'Cluster',
      plural: 'clusters',
      listKind: 'ClusterList',
      idParam: 'cluster_id',
      onParentDelete: 'cascade',
      requiredAdapters: ['validation', 'dns', 'pullsecret', 'hypershift'],
      nameMin: 3,
      nameMax: 53,
      references: [],
      referencedBy: [],
      specSchemaName: 'ClusterSpec',
      requireSpecSchema: false,
      conditions: [],
      storage: { table: 'clusters', shared: false },
      builtIn: true,
    });
    expect(cluster.parent).toBeUndefined();
    expect(cluster.children).toEqual([nodePool]);
    expect(nodePool).toMatchObject({
      plural: 'nodepools',
      listKind: 'NodePoolList',
      idParam: 'nodepool_id',
      onParentDelete: 'cascade',
      requiredAdapters: ['validation', 'hypershift'],
      nameMin: 3,
      nameMax: 15,
      specSchemaName: 'NodePoolSpec',
      storage: { table: 'node_pools', shared: false },
      builtIn: true,
      children: [],
    });
    expect(nodePool.parent).toBe(cluster);
    expect(registry.roots()).toEqual([cluster]);
    expect(registry.byPlural('nodepools')).toBe(nodePool);
    expect(registry.get('Nodepool')).toBeUndefined();
    expect(registry.byPlural('NodePools')).toBeUndefined();
  });

  it("loads the original's shipped list: Channel, Version (child of Channel, restrict) and WifConfig in the shared table", () => {
    const registry = buildKindRegistry(SHIPPED);
    expect(kindNames(registry.all())).toEqual(['Cluster', 'NodePool', 'Channel', 'Version', 'WifConfig']);
    const [cluster, nodePool, channel, version, wifConfig] = registry.all();
    expect(cluster).toMatchObject({ plural: 'clusters', nameMin: 3, nameMax: 53, requireSpecSchema: true, storage: { table: 'clusters', shared: false } });
    expect(nodePool).toMatchObject({ plural: 'nodepools', parent: cluster, onParentDelete: 'cascade', storage: { table: 'node_pools' } });
    expect(version).toMatchObject({ plural: 'versions', listKind: 'VersionList', idParam: 'version_id', onParentDelete: 'restrict', specSchemaName: 'VersionSpec', builtIn: false });
    expect(version.parent).toBe(channel);
    expect(channel.children).toEqual([version]);
    expect(wifConfig).toMatchObject({ plural: 'wifconfigs', idParam: 'wifconfig_id', listKind: 'WifConfigList', requiredAdapters: [], requireSpecSchema: false });
    for (const kind of [channel, version, wifConfig]) {
      expect(kind.storage).toEqual({ table: 'resources', shared: true });
      expect([kind.nameMin, kind.nameMax]).toEqual([1, 100]);
    }
    expect(kindNames(registry.roots())).toEqual(['Cluster', 'Channel', 'WifConfig']);
    expect(registry.byPlural('wifconfigs')).toBe(wifConfig);
  });

  it('gives a Version its required adapters and a required channel reference, which Channel lists as a referrer', () => {
    const entities = SHIPPED.map((e) => (e.kind === 'Version' ? { ...e, required_adapters: ['validation'], references: [{ ref_type: 'channel', target_kind: 'Channel', min: 1, max: 1 }] } : e));
    const registry = buildKindRegistry(entities);
    const version = registry.get('Version')!;
    const channel = registry.get('Channel')!;
    expect(version.requiredAdapters).toEqual(['validation']);
    expect(version.references).toEqual([{ refType: 'channel', targetKind: 'Channel', min: 1, max: 1 }]);
    expect(channel.referencedBy).toHaveLength(1);
    expect(channel.referencedBy[0].kind).toBe(version);
    expect(channel.referencedBy[0].ref).toBe(version.references[0]);
    expect(version.referencedBy).toEqual([]);
  });

  it('defaults a reference to optional and unlimited, and allows max equal to min', () => {
    const registry = buildKindRegistry([CHANNEL, { kind: 'Stream', plural: 'streams', references: [{ ref_type: 'channel', target_kind: 'Channel' }, { ref_type: 'backup_channel', target_kind: 'Channel', min: 2, max: 2 }] }]);
    expect(registry.get('Stream')!.references).toEqual([
      { refType: 'channel', targetKind: 'Channel', min: 0 },
      { refType: 'backup_channel', targetKind: 'Channel', min: 2, max: 2 },
    ]);
    expect(registry.get('Channel')!.referencedBy.map((r) => r.ref.refType)).toEqual(['channel', 'backup_channel']);
  });

  it('lets an entry for a built-in kind override its settings but keep its plural, parent and table', () => {
    const registry = buildKindRegistry([
      { kind: 'WifConfig', plural: 'wifconfigs' },
      {
        kind: 'NodePool',
        on_parent_delete: 'restrict',
        required_adapters: ['validation'],
        name_min_len: 2,
        name_max_len: 20,
        spec_schema_name: 'PoolSpec',
        require_spec_schema: true,
        references: [{ ref_type: 'wif_config', target_kind: 'WifConfig', max: 1 }],
        conditions: [rule('QuotaValid')],
      },
    ]);
    expect(kindNames(registry.all())).toEqual(['Cluster', 'NodePool', 'WifConfig']);
    expect(registry.get('NodePool')).toMatchObject({
      plural: 'nodepools',
      parent: registry.get('Cluster'),
      onParentDelete: 'restrict',
      requiredAdapters: ['validation'],
      nameMin: 2,
      nameMax: 20,
      specSchemaName: 'PoolSpec',
      requireSpecSchema: true,
      references: [{ refType: 'wif_config', targetKind: 'WifConfig', min: 0, max: 1 }],
      conditions: [{ type: 'QuotaValid', when: 'true', status: '"True"', reason: '"Mapped"', message: '"ok"' }],
      storage: { table: 'node_pools', shared: false },
      builtIn: true,
    });
    expect(registry.get('WifConfig')!.referencedBy.map((r) => r.kind.kind)).toEqual(['NodePool']);
  });

  it('lets the adapter overrides win over the defaults and over an entry', () => {
    const overridden = buildKindRegistry(SHIPPED, { Cluster: ['validation', 'gcp-provisioner'], NodePool: ['hypershift'] });
    expect(overridden.get('Cluster')!.requiredAdapters).toEqual(['validation', 'gcp-provisioner']);
    expect(overridden.get('NodePool')!.requiredAdapters).toEqual(['hypershift']);
    expect(buildKindRegistry([], { NodePool: [] }).get('NodePool')!.requiredAdapters).toEqual([]);
    expect(buildKindRegistry([{ kind: 'Cluster', required_adapters: ['dns'] }]).get('Cluster')!.requiredAdapters).toEqual(['dns']);
  });

  it('accepts the boundary values of every limit', () => {
    const kind = `K${'a'.repeat(62)}`;
    const registry = buildKindRegistry([{ kind, plural: `p${'-'.repeat(61)}x`, name_min_len: 1, name_max_len: 253, spec_schema_name: 'v1.Channel_spec-x', conditions: [rule('T'.repeat(100))] }]);
    expect(registry.get(kind)).toMatchObject({ nameMin: 1, nameMax: 253, specSchemaName: 'v1.Channel_spec-x', idParam: `${kind.toLowerCase()}_id` });
    expect(registry.get(kind)!.conditions[0].type).toHaveLength(100);
  });

  it('builds deeply frozen descriptors and a frozen registry', () => {
    const entities = [...SHIPPED, { kind: 'Stream', plural: 'streams', required_adapters: ['validation'], references: [{ ref_type: 'channel', target_kind: 'Channel' }], conditions: [rule('Ready')] }] as EntityConfig[];
    const registry = buildKindRegistry(entities);
    const stream = registry.get('Stream')!;
    const channel = registry.get('Channel')!;
    const frozen = [registry, registry.all(), registry.roots(), stream, stream.requiredAdapters, stream.references, stream.references[0], stream.conditions, stream.conditions[0], stream.storage, channel.children, channel.referencedBy, channel.referencedBy[0]];
    for (const value of frozen) expect(Object.isFrozen(value)).toBe(true);
    expect(() => {
      (stream as { plural: string }).plural = 'rivers';
    }).toThrow(TypeError);
    expect(() => (channel.children as ResourceKind[]).push(stream)).toThrow(TypeError);
    // the registry keeps no link to the caller's list
    (entities[2] as { plural: string }).plural = 'changed';
    expect(channel.plural).toBe('channels');
  });

  describe('refuses', () => {
    it.each<[string, unknown, string[]]>([
      ['a non-list', { kind: 'Channel' }, ['entities: must be a list of entity objects (got {"kind":"Channel"})']],
      ['an entry that is not an object', ['Channel', [CHANNEL]], ['entities[0]: must be an object with kind, plural, … (got a string)', 'entities[1]: must be an object with kind, plural, … (got a list)']],
      ['an unknown key', [{ ...CHANNEL, colour: 'red' }], ["entities[0] (Channel): unknown key 'colour' (known: kind, plural, parent_kind, on_parent_delete, spec_schema_name, require_spec_schema, required_adapters, references, conditions, name_min_len, name_max_len)"]],
      ['a missing kind', [{ plural: 'channels' }], ['entities[0]: kind is required']],
      ['a kind that is not a string', [{ kind: 7, plural: 'sevens' }], ['entities[0]: kind must be a string (got a number)']],
      ['a kind that is not PascalCase', [{ kind: 'channel', plural: 'channels' }], ["entities[0]: kind 'channel' must be PascalCase: a capital letter, then letters and digits"]],
      ['a kind with other characters', [{ kind: 'Wif_Config', plural: 'wifconfigs' }], ["entities[0]: kind 'Wif_Config' must be PascalCase: a capital letter, then letters and digits"]],
      ['a kind longer than 63 characters', [{ kind: `K${'a'.repeat(63)}`, plural: 'ks' }], ['entities[0]: kind must be at most 63 characters (got 64)']],
      ['a duplicate kind', [CHANNEL, { kind: 'Channel', plural: 'channels2' }], ["entities[1] (Channel): kind 'Channel' is already declared by entities[0] (Channel)"]],
      ['a built-in kind declared twice', [{ kind: 'Cluster' }, { kind: 'Cluster' }], ["entities[1] (Cluster): kind 'Cluster' is already declared by entities[0] (Cluster)"]],
      ['kinds that differ only in case', [CHANNEL, { kind: 'CHANNEL', plural: 'channels2' }, { kind: 'Nodepool', plural: 'pools' }], ["entities[1] (CHANNEL): kind 'CHANNEL' differs from 'Channel' (entities[0] (Channel)) only in case", "entities[2] (Nodepool): kind 'Nodepool' differs from 'NodePool' (NodePool (built-in)) only in case"]],
      ['a missing plural', [{ kind: 'Channel' }], ['entities[0] (Channel): plural is required']],
      ['a plural that is not a string', [{ kind: 'Channel', plural: ['channels'] }], ['entities[0] (Channel): plural must be a string (got a list)']],
      ['a plural with capitals', [{ kind: 'Channel', plural: 'Channels' }], ["entities[0] (Channel): plural 'Channels' must be lowercase letters, digits and hyphens, starting with a letter"]],
      ['a plural with an underscore', [{ kind: 'Channel', plural: 'chan_nels' }], ["entities[0] (Channel): plural 'chan_nels' must be lowercase letters, digits and hyphens, starting with a letter"]],
      ['a plural starting with a digit', [{ kind: 'Channel', plural: '2channels' }], ["entities[0] (Channel): plural '2channels' must be lowercase letters, digits and hyphens, starting with a letter"]],
      ['a plural longer than 63 characters', [{ kind: 'Channel', plural: 'c'.repeat(64) }], ['entities[0] (Channel): plural must be at most 63 characters (got 64)']],
      ['a duplicate plural', [CHANNEL, { kind: 'Stream', plural: 'channels' }], ["entities[1] (Stream): plural 'channels' is already used by Channel (entities[0] (Channel))"]],
      ["a built-in kind's plural", [{ kind: 'Fleet', plural: 'clusters' }], ["entities[0] (Fleet): plural 'clusters' is already used by Cluster (Cluster (built-in))"]],
      ['the reserved plural resources', [{ kind: 'Thing', plural: 'resources' }], ["entities[0] (Thing): plural 'resources' is reserved (the generic /resources API)"]],
      ['the reserved plural openapi', [{ kind: 'Doc', plural: 'openapi' }], ["entities[0] (Doc): plural 'openapi' is reserved (the OpenAPI document)"]],
      ['the reserved plural openapi.html', [{ kind: 'Doc', plural: 'openapi.html' }], ["entities[0] (Doc): plural 'openapi.html' is reserved (Swagger UI)"]],
      ['the reserved plural statuses', [{ kind: 'Status', plural: 'statuses', parent_kind: 'Cluster' }], ["entities[0] (Status): plural 'statuses' is reserved (every item's adapter status routes)"]],
      ['another plural for Cluster', [{ kind: 'Cluster', plural: 'cluster' }], ["entities[0] (Cluster): plural 'cluster' must be 'clusters': Cluster lives in its own table, which fixes its plural"]],
      ['a parent for Cluster', [CHANNEL, { kind: 'Cluster', parent_kind: 'Channel' }], ['entities[1] (Cluster): parent_kind must not be given: Cluster lives in its own table and has no parent']],
      ['another parent for NodePool', [CHANNEL, { kind: 'NodePool', parent_kind: 'Channel' }], ["entities[1] (NodePool): parent_kind 'Channel' must be 'Cluster': NodePool lives in its own table, which fixes its parent"]],
      ['an undeclared parent', SHIPPED.map((e) => (e.kind === 'Version' ? { ...e, parent_kind: 'Chanel' } : e)), ["entities[3] (Version): parent_kind 'Chanel' is not a declared kind"]],
      ['an empty parent', [{ kind: 'Version', plural: 'versions', parent_kind: '' }], ['entities[0] (Version): parent_kind must not be empty (leave it out for a kind without parent)']],
      [
        'an ownership cycle, once',
        [
          { kind: 'Alpha', plural: 'alphas', parent_kind: 'Beta' },
          { kind: 'Beta', plural: 'betas', parent_kind: 'Gamma' },
          { kind: 'Gamma', plural: 'gammas', parent_kind: 'Alpha' },
          { kind: 'Delta', plural: 'deltas', parent_kind: 'Alpha' },
        ],
        ["entities[0] (Alpha): parent_kind 'Beta' makes an ownership cycle Alpha → Beta → Gamma → Alpha (a kind cannot be its own ancestor)"],
      ],
      ['a kind that is its own parent', [{ kind: 'Alpha', plural: 'alphas', parent_kind: 'Alpha' }], ["entities[0] (Alpha): parent_kind 'Alpha' makes an ownership cycle Alpha → Alpha (a kind cannot be its own ancestor)"]],
      ['an unknown delete policy', [CHANNEL, { kind: 'Version', plural: 'versions', parent_kind: 'Channel', on_parent_delete: 'orphan' }], ["entities[1] (Version): on_parent_delete 'orphan' must be restrict or cascade"]],
      ['a delete policy without parent', [{ ...CHANNEL, on_parent_delete: 'restrict' }, { kind: 'Cluster', on_parent_delete: 'cascade' }], ['entities[0] (Channel): on_parent_delete must not be given without parent_kind', 'entities[1] (Cluster): on_parent_delete must not be given without parent_kind']],
      ['references that are not a list', [{ ...CHANNEL, references: { ref_type: 'x' } }], ['entities[0] (Channel): references must be a list of {ref_type, target_kind, min, max} (got an object)']],
      ['a reference that is not an object', [{ ...CHANNEL, references: ['Cluster'] }], ['entities[0] (Channel): references[0] must be an object with ref_type, target_kind, min and max (got a string)']],
      ['an unknown reference key', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', required: true }] }], ["entities[0] (Channel): references[0]: unknown key 'required' (known: ref_type, target_kind, min, max)"]],
      ['a reference without ref_type', [{ ...CHANNEL, references: [{ target_kind: 'Cluster' }] }], ['entities[0] (Channel): references[0].ref_type is required']],
      ['a ref_type that is not snake_case', [{ ...CHANNEL, references: [{ ref_type: 'Cluster', target_kind: 'Cluster' }] }], ["entities[0] (Channel): references[0].ref_type 'Cluster' must be lowercase letters, digits and '_', starting with a letter"]],
      ['a duplicate ref_type', [{ ...CHANNEL, references: [{ ref_type: 'owner', target_kind: 'Cluster' }, { ref_type: 'owner', target_kind: 'NodePool' }] }], ["entities[0] (Channel): references[1].ref_type 'owner' is declared twice"]],
      ['a reference without target_kind', [{ ...CHANNEL, references: [{ ref_type: 'cluster' }] }], ['entities[0] (Channel): references[0].target_kind is required']],
      ['an undeclared target kind', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Clustr' }] }], ["entities[0] (Channel): references[0].target_kind 'Clustr' is not a declared kind"]],
      ['a negative min', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', min: -1 }] }], ['entities[0] (Channel): references[0].min must be an integer ≥ 0 (got -1)']],
      ['a fractional min', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', min: 0.5 }] }], ['entities[0] (Channel): references[0].min must be an integer ≥ 0 (got 0.5)']],
      ['a max of 0', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', max: 0 }] }], ['entities[0] (Channel): references[0].max must be an integer ≥ 1, or left out for no limit (got 0)']],
      ['a max that is text', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', max: '2' }] }], ["entities[0] (Channel): references[0].max must be an integer ≥ 1, or left out for no limit (got '2')"]],
      ['a max below min', [{ ...CHANNEL, references: [{ ref_type: 'cluster', target_kind: 'Cluster', min: 2, max: 1 }] }], ['entities[0] (Channel): references[0].max (1) must be at least min (2)']],
      [
        'circular required references',
        [
          { kind: 'Alpha', plural: 'alphas', references: [{ ref_type: 'beta', target_kind: 'Beta', min: 1 }] },
          { kind: 'Beta', plural: 'betas', references: [{ ref_type: 'alpha', target_kind: 'Alpha', min: 1 }] },
        ],
        ['entities[0] (Alpha): circular required references Alpha → Beta → Alpha (min > 0 on each: none of them could be created first)'],
      ],
      ['a kind that requires a reference to its own kind', [{ kind: 'Alpha', plural: 'alphas', references: [{ ref_type: 'peer', target_kind: 'Alpha', min: 1 }] }], ['entities[0] (Alpha): circular required references Alpha → Alpha (min > 0 on each: none of them could be created first)']],
      ['name_min_len 0', [{ ...CHANNEL, name_min_len: 0 }], ['entities[0] (Channel): name_min_len must be an integer from 1 to 253 (got 0)']],
      ['name_max_len above 253', [{ ...CHANNEL, name_max_len: 254 }], ['entities[0] (Channel): name_max_len must be an integer from 1 to 253 (got 254)']],
      ['a name length that is text', [{ ...CHANNEL, name_max_len: '20' }], ["entities[0] (Channel): name_max_len must be an integer from 1 to 253 (got '20')"]],
      ['name_min_len above name_max_len', [{ ...CHANNEL, name_min_len: 20, name_max_len: 10 }], ['entities[0] (Channel): name_min_len (20) must not exceed name_max_len (10)']],
      ['name_min_len above the default maximum', [{ ...CHANNEL, name_min_len: 150 }, { kind: 'Cluster', name_min_len: 60 }], ['entities[0] (Channel): name_min_len (150) must not exceed name_max_len (100, the default)', 'entities[1] (Cluster): name_min_len (60) must not exceed name_max_len (53, the default)']],
      ['required_adapters that are not a list', [{ ...CHANNEL, required_adapters: 'validation' }], ['entities[0] (Channel): required_adapters must be a list of adapter names (got a string)']],
      ['a bad adapter name', [{ ...CHANNEL, required_adapters: ['validation', 'Bad Name', 3] }], ["entities[0] (Channel): required_adapters[1] 'Bad Name' is not an adapter name (lowercase letters, digits and inner hyphens)", 'entities[0] (Channel): required_adapters[2] 3 is not an adapter name (lowercase letters, digits and inner hyphens)']],
      ['a duplicate adapter', [{ ...CHANNEL, required_adapters: ['dns', 'validation', 'dns'] }], ["entities[0] (Channel): required_adapters[2] 'dns' is listed twice"]],
      ['a spec_schema_name with a space', [{ ...CHANNEL, spec_schema_name: 'Channel Spec' }], ["entities[0] (Channel): spec_schema_name 'Channel Spec' must be letters, digits, '_', '.' and '-', starting with a letter"]],
      ['a spec_schema_name starting with a digit', [{ ...CHANNEL, spec_schema_name: '1Spec' }], ["entities[0] (Channel): spec_schema_name '1Spec' must be letters, digits, '_', '.' and '-', starting with a letter"]],
      ['a require_spec_schema that is not a boolean', [{ ...CHANNEL, require_spec_schema: 'yes' }], ["entities[0] (Channel): require_spec_schema must be true or false (got 'yes')"]],
      ['conditions that are not a list', [{ ...CHANNEL, conditions: rule('Ready') }], ['entities[0] (Channel): conditions must be a list of {type, when, output} rules (got an object)']],
      ['a condition that is not an object', [{ ...CHANNEL, conditions: ['Ready'] }], ['entities[0] (Channel): conditions[0] must be an object with type, when and output (got a string)']],
      ['an unknown condition key', [{ ...CHANNEL, conditions: [{ ...rule('Ready'), priority: 1 }] }], ["entities[0] (Channel): conditions[0]: unknown key 'priority' (known: type, when, output)"]],
      ['a condition without type', [{ ...CHANNEL, conditions: [{ ...rule('Ready'), type: undefined }] }], ['entities[0] (Channel): conditions[0].type is required (a non-empty condition type)']],
      ['an empty condition type', [{ ...CHANNEL, conditions: [rule(' ')] }], ['entities[0] (Channel): conditions[0].type is required (a non-empty condition type)']],
      ['a condition type longer than 100 characters', [{ ...CHANNEL, conditions: [rule('T'.repeat(101))] }], ['entities[0] (Channel): conditions[0].type must be at most 100 characters (got 101)']],
      ['a duplicate condition type', [{ ...CHANNEL, conditions: [rule('Ready'), rule('Ready')] }], ["entities[0] (Channel): conditions[1].type 'Ready' is declared twice"]],
      ['the condition type Reconciled', [{ ...CHANNEL, conditions: [rule('Reconciled')] }], ["entities[0] (Channel): conditions[0].type 'Reconciled' is reserved (computed by the service)"]],
      ['the condition type LastKnownReconciled', [{ kind: 'Cluster', conditions: [rule('LastKnownReconciled')] }], ["entities[0] (Cluster): conditions[0].type 'LastKnownReconciled' is reserved (computed by the service)"]],
      ["another kind's adapter condition", [{ ...CHANNEL, conditions: [rule('DnsSuccessful')] }], ["entities[0] (Channel): conditions[0].type 'DnsSuccessful' is reserved (the condition of required adapter 'dns' of Cluster)"]],
      [
        "a configured kind's adapter condition",
        [{ ...CHANNEL, conditions: [rule('GcpProvisionerSuccessful')] }, { kind: 'Stream', plural: 'streams', required_adapters: ['gcp-provisioner'] }],
        ["entities[0] (Channel): conditions[0].type 'GcpProvisionerSuccessful' is reserved (the condition of required adapter 'gcp-provisioner' of Stream)"],
      ],
      ['a condition without when', [{ ...CHANNEL, conditions: [{ ...rule('Ready'), when: undefined }] }], ['entities[0] (Channel): conditions[0].when.expression is required (a non-empty CEL expression)']],
      ['a when that is text', [{ ...CHANNEL, conditions: [{ ...rule('Ready'), when: 'true' }] }], ['entities[0] (Channel): conditions[0].when must be an object with expression (got a string)']],
      ['an empty when expression', [{ ...CHANNEL, conditions: [{ ...rule('Ready'), when: { expression: '' } }] }], ['entities[0] (Channel): conditions[0].when.expression is required (a non-empty CEL expression)']],
      ['a condition without output', [{ ...CHANNEL, conditions: [{ type: 'Ready', when: { expression: 'true' } }] }], ['entities[0] (Channel): conditions[0].output is required (status, reason and message expressions)']],
      [
        'output expressions that are missing, not text or of an unknown key',
        [{ ...CHANNEL, conditions: [{ type: 'Ready', when: { expression: 'true', lang: 'cel' }, output: { reason: { expression: 5 }, message: { expression: '"m"' }, severity: {} } }] }],
        [
          "entities[0] (Channel): conditions[0].when: unknown key 'lang' (known: expression)",
          "entities[0] (Channel): conditions[0].output: unknown key 'severity' (known: status, reason, message)",
          'entities[0] (Channel): conditions[0].output.status.expression is required (a non-empty CEL expression)',
          'entities[0] (Channel): conditions[0].output.reason.expression must be a string (got a number)',
        ],
      ],
    ])('%s', (_name, entities, expected) => {
      expect(problemsOf(entities)).toEqual(expected);
    });

    it('every problem of every entry at once', () => {
      const problems = problemsOf([{ kind: 'channel' }, { kind: 'Version', plural: 'Versions', parent_kind: 'Chanel', name_min_len: 0 }, 42, { kind: 'Cluster', name_max_len: 2 }]);
      // in config order, whichever check found them
      expect(problems).toEqual([
        "entities[0]: kind 'channel' must be PascalCase: a capital letter, then letters and digits",
        "entities[1] (Version): plural 'Versions' must be lowercase letters, digits and hyphens, starting with a letter",
        'entities[1] (Version): name_min_len must be an integer from 1 to 253 (got 0)',
        "entities[1] (Version): parent_kind 'Chanel' is not a declared kind",
        'entities[2]: must be an object with kind, plural, … (got a number)',
        'entities[3] (Cluster): name_min_len (3) must not exceed name_max_len (2)',
      ]);
    });

    it('a mapping rule for the condition of an adapter given only by an override', () => {
      expect(problemsOf([{ kind: 'Cluster', conditions: [rule('AcmSuccessful')] }], { NodePool: ['acm'] })).toEqual(["entities[0] (Cluster): conditions[0].type 'AcmSuccessful' is reserved (the condition of required adapter 'acm' of NodePool)"]);
      expect(buildKindRegistry([{ kind: 'Cluster', conditions: [rule('AcmSuccessful')] }]).get('Cluster')!.conditions.map((c) => c.type)).toEqual(['AcmSuccessful']);
    });
  });

  it('accepts a required reference one way and an optional one back', () => {
    const registry = buildKindRegistry([
      { kind: 'Alpha', plural: 'alphas', references: [{ ref_type: 'beta', target_kind: 'Beta', min: 1 }] },
      { kind: 'Beta', plural: 'betas', references: [{ ref_type: 'alpha', target_kind: 'Alpha' }, { ref_type: 'peer', target_kind: 'Beta' }] },
    ]);
    expect(registry.get('Beta')!.referencedBy.map((r) => `${r.kind.kind}.${r.ref.refType}`)).toEqual(['Alpha.beta', 'Beta.peer']);
  });
});

describe(adapterConditionType.name, () => {
  it.each([
    ['validation', 'ValidationSuccessful'],
    ['gcp-provisioner', 'GcpProvisionerSuccessful'],
    ['dns', 'DnsSuccessful'],
    ['a1-b2-c3', 'A1B2C3Successful'],
  ])('names the condition of %s %s', (adapter, type) => expect(adapterConditionType(adapter)).toBe(type));
});
