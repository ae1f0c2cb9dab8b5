/**
 * The original service's chart test kinds (its Helm chart's `config.entities`), with Version made to
 * need an adapter and a channel: Cluster and NodePool as built in; Channel; Version, a child of Channel
 * that a Channel with live versions cannot be deleted past (restrict), with the required adapter
 * `validation` and exactly one `channel` reference to a Channel; WifConfig.
 */
export const CHART_KINDS = [
  { kind: 'Cluster', plural: 'clusters', required_adapters: ['validation', 'dns', 'pullsecret', 'hypershift'], name_min_len: 3, name_max_len: 53 },
  { kind: 'NodePool', plural: 'nodepools', parent_kind: 'Cluster', on_parent_delete: 'cascade', required_adapters: ['validation', 'hypershift'], name_min_len: 3, name_max_len: 15 },
  { kind: 'Channel', plural: 'channels', spec_schema_name: 'ChannelSpec' },
  {
    kind: 'Version',
    plural: 'versions',
    parent_kind: 'Channel',
    on_parent_delete: 'restrict',
    spec_schema_name: 'VersionSpec',
    required_adapters: ['validation'],
    references: [{ ref_type: 'channel', target_kind: 'Channel', min: 1, max: 1 }],
  },
  { kind: 'WifConfig', plural: 'wifconfigs', spec_schema_name: 'WifConfigSpec' },
];

/** The environment that starts the suite's app with the chart kinds. */
export const CHART_KINDS_ENV = { HYPERFLEET_ENTITIES: JSON.stringify(CHART_KINDS) };
