import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';
import { parseDuration } from './duration';

/** The required adapters of the built-in kinds, from the registry. */
const adaptersOf = (config: AppConfig) => ({ cluster: config.kinds.get('Cluster')!.requiredAdapters, nodePool: config.kinds.get('NodePool')!.requiredAdapters });

describe(loadConfig.name, () => {
  it('uses the documented defaults and the embedded database when nothing is configured', () => {
    const config = loadConfig({}, []);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8000, bodyLimit: 1024 * 1024, readTimeoutMs: 5000, writeTimeoutMs: 30000, unsentBytesLimit: 64 * 1024 * 1024, jwt: { enabled: false, issuers: [] } });
    expect(config.health).toMatchObject({ host: '127.0.0.1', port: 8080, dbPingTimeoutMs: 2000, shutdownTimeoutMs: 20000 });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9090, reconciliationStuckThresholdMs: 600000 });
    expect(config.tracing).toEqual({ enabled: false });
    expect(config.database).toMatchObject({ url: undefined, embedded: true, migrateOnBoot: true, requestTimeoutMs: 30000, advisoryLockTimeoutMs: 300000, preparedStatements: true });
    expect(config.database.dataDir).toMatch(/\.data$/);
    expect(adaptersOf(config)).toEqual({ cluster: ['validation', 'dns', 'pullsecret', 'hypershift'], nodePool: ['validation', 'hypershift'] });
    expect(config.kinds.all().map((k) => k.kind)).toEqual(['Cluster', 'NodePool']);
    expect(config.logging).toEqual({ level: 'info', format: 'auto' });
    expect(config.lists).toEqual({ maxSize: 100, batchBytes: 1024 * 1024 });
  });

  it('takes the write timeout, the unsent bytes limit and the list batch size, within their ranges', () => {
    const config = loadConfig({ HYPERFLEET_SERVER_WRITE_TIMEOUT: '2s', HYPERFLEET_SERVER_UNSENT_BYTES_LIMIT: '16777216', HYPERFLEET_LIST_BATCH_BYTES: '65536' }, []);
    expect({ write: config.server.writeTimeoutMs, unsent: config.server.unsentBytesLimit, batch: config.lists.batchBytes }).toEqual({ write: 2000, unsent: 16777216, batch: 65536 });
    expect(() => loadConfig({ HYPERFLEET_LIST_BATCH_BYTES: '1000' }, [])).toThrow(/HYPERFLEET_LIST_BATCH_BYTES \(list.batch_bytes\)/);
    expect(() => loadConfig({ HYPERFLEET_SERVER_WRITE_TIMEOUT: '0s' }, [])).toThrow(/HYPERFLEET_SERVER_WRITE_TIMEOUT/);
  });

  it('takes list.max_size from 1 to 500', () => {
    expect(loadConfig({ HYPERFLEET_LIST_MAX_SIZE: '500' }, []).lists.maxSize).toBe(500);
    expect(() => loadConfig({ HYPERFLEET_LIST_MAX_SIZE: '501' }, [])).toThrow(/HYPERFLEET_LIST_MAX_SIZE \(list.max_size\): "501" is not valid/);
    expect(() => loadConfig({ HYPERFLEET_LIST_MAX_SIZE: '0' }, [])).toThrow(/HYPERFLEET_LIST_MAX_SIZE/);
  });

  it('takes logging.format json, text or auto', () => {
    expect(loadConfig({ HYPERFLEET_LOGGING_FORMAT: 'text' }, []).logging.format).toBe('text');
    expect(loadConfig({ HYPERFLEET_LOGGING_FORMAT: 'json' }, []).logging.format).toBe('json');
    expect(() => loadConfig({ HYPERFLEET_LOGGING_FORMAT: 'pretty' }, [])).toThrow(/HYPERFLEET_LOGGING_FORMAT \(logging.format\): "pretty" is not valid/);
  });

  it('takes HYPERFLEET_DATABASE_URL and then does not migrate at boot unless told to', () => {
    const config = loadConfig({ HYPERFLEET_DATABASE_URL: 'postgres://u:p@db:5432/hf' }, []);
    expect(config.database).toMatchObject({ url: 'postgres://u:p@db:5432/hf', embedded: false, migrateOnBoot: false });
    expect(loadConfig({ HYPERFLEET_DATABASE_URL: 'postgres://u@db/hf', HYPERFLEET_DB_MIGRATE_ON_BOOT: 'true' }, []).database.migrateOnBoot).toBe(true);
  });

  it('builds the URL from the discrete database keys, escaping the password', () => {
    const config = loadConfig({ HYPERFLEET_DATABASE_HOST: 'db.example', HYPERFLEET_DATABASE_PASSWORD: 'p@ss/word', HYPERFLEET_DATABASE_SSLMODE: 'require' }, []);
    expect(config.database.embedded).toBe(false);
    const url = new URL(config.database.url!);
    expect(url.hostname).toBe('db.example');
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/hyperfleet');
    expect(decodeURIComponent(url.password)).toBe('p@ss/word');
    expect(url.searchParams.get('sslmode')).toBe('require');
  });

  it('names every invalid key, with its environment variable, and hides secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ HYPERFLEET_SERVER_PORT: 'eighty', HYPERFLEET_LOGGING_LEVEL: 'loud', HYPERFLEET_HEALTH_SHUTDOWN_TIMEOUT: '500', HYPERFLEET_CLUSTER_ADAPTERS: '["Bad Name"]' }, []);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(4);
    expect(error!.message).toContain('HYPERFLEET_SERVER_PORT (server.port): "eighty" is not valid');
    expect(error!.message).toContain('HYPERFLEET_LOGGING_LEVEL (logging.level)');
    expect(error!.message).toContain('HYPERFLEET_HEALTH_SHUTDOWN_TIMEOUT');
    expect(error!.message).toContain('HYPERFLEET_CLUSTER_ADAPTERS');
    expect(() => loadConfig({ HYPERFLEET_DATABASE_URL: 'mysql://secret@x/y' }, [])).toThrow(/HYPERFLEET_DATABASE_URL/);
  });

  it('reads a YAML file, lets the environment win over it, and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'server:\n  port: 9000\n  host: 0.0.0.0\nadapters:\n  cluster: [validation, dns]\nlogging:\n  level: debug\n');
    const config = loadConfig({ HYPERFLEET_LOGGING_LEVEL: 'warn' }, ['--config', file]);
    expect(config.server).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(adaptersOf(config).cluster).toEqual(['validation', 'dns']);
    expect(config.logging.level).toBe('warn');

    writeFileSync(file, 'server:\n  prot: 9000\n');
    expect(() => loadConfig({ HYPERFLEET_CONFIG: file }, [])).toThrow(/unknown key 'server.prot'/);
  });

  it('accepts adapter lists as JSON arrays or comma-separated names', () => {
    expect(adaptersOf(loadConfig({ HYPERFLEET_NODEPOOL_ADAPTERS: '["validation","gcp-provisioner"]' }, [])).nodePool).toEqual(['validation', 'gcp-provisioner']);
    expect(adaptersOf(loadConfig({ HYPERFLEET_NODEPOOL_ADAPTERS: 'a, b' }, [])).nodePool).toEqual(['a', 'b']);
  });
});

describe(`${loadConfig.name} entities`, () => {
  // the original's shipped chart list, with a Version that requires a channel
  const SHIPPED_YAML = `entities:
  - kind: Cluster
    plural: clusters
    spec_schema_name: ClusterSpec
    required_adapters: [validation, dns, pullsecret, hypershift]
    name_min_len: 3
    name_max_len: 53
    require_spec_schema: true
  - kind: NodePool
    plural: nodepools
    parent_kind: Cluster
    on_parent_delete: cascade
    spec_schema_name: NodePoolSpec
    required_adapters: [validation, hypershift]
    name_min_len: 3
    name_max_len: 15
    require_spec_schema: true
  - kind: Channel
    plural: channels
    spec_schema_name: ChannelSpec
  - kind: Version
    plural: versions
    parent_kind: Channel
    on_parent_delete: restrict
    spec_schema_name: VersionSpec
    required_adapters:
      - validation
    references:
      - ref_type: channel
        target_kind: Channel
        min: 1
        max: 1
  - kind: WifConfig
    plural: wifconfigs
    spec_schema_name: WifConfigSpec
`;
  const configFile = (text: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'hf-config-')), 'config.yaml');
    writeFileSync(file, text);
    return file;
  };
  const problemsOf = (env: NodeJS.ProcessEnv, argv: string[] = []): string[] => {
    try {
      loadConfig(env, argv);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('the configuration was accepted');
  };

  it("reads the kinds from the YAML file's entities list", () => {
    const { kinds } = loadConfig({}, ['--config', configFile(SHIPPED_YAML)]);
    expect(kinds.all().map((k) => k.kind)).toEqual(['Cluster', 'NodePool', 'Channel', 'Version', 'WifConfig']);
    const version = kinds.get('Version')!;
    expect(version).toMatchObject({ parent: kinds.get('Channel'), onParentDelete: 'restrict', requiredAdapters: ['validation'], references: [{ refType: 'channel', targetKind: 'Channel', min: 1, max: 1 }] });
    expect(kinds.get('Cluster')).toMatchObject({ requireSpecSchema: true, nameMin: 3, nameMax: 53 });
  });

  it('reads them from HYPERFLEET_ENTITIES as JSON, which wins over the file', () => {
    const env = { HYPERFLEET_ENTITIES: JSON.stringify([{ kind: 'Channel', plural: 'channels' }, { kind: 'Version', plural: 'versions', parent_kind: 'Channel' }]) };
    const { kinds } = loadConfig(env, ['--config', configFile(SHIPPED_YAML)]);
    expect(kinds.all().map((k) => k.kind)).toEqual(['Cluster', 'NodePool', 'Channel', 'Version']);
    expect(kinds.get('Version')!.onParentDelete).toBe('cascade');
  });

  it('refuses an entities value that is not a list, in the file or the environment', () => {
    expect(problemsOf({ HYPERFLEET_ENTITIES: '[{"kind": "Channel"' })).toEqual([
      'HYPERFLEET_ENTITIES (entities): "[{\\"kind\\": \\"Channel\\"" is not valid, expected a list of entity objects (YAML list, or a JSON array in the environment variable)',
    ]);
    // a map is judged as the value of entities, not read as unknown keys below it
    expect(problemsOf({}, ['--config', configFile('entities:\n  kind: Channel\n  plural: channels\n')])).toEqual([
      'HYPERFLEET_ENTITIES (entities): {"kind":"Channel","plural":"channels"} is not valid, expected a list of entity objects (YAML list, or a JSON array in the environment variable)',
    ]);
  });

  it("lists the registry's problems with every other problem", () => {
    const problems = problemsOf({ HYPERFLEET_SERVER_PORT: 'eighty', HYPERFLEET_ENTITIES: JSON.stringify([{ kind: 'Version', plural: 'versions', parent_kind: 'Chanel' }, { kind: 'Cluster', plural: 'fleets' }]) });
    expect(problems).toEqual([
      'HYPERFLEET_SERVER_PORT (server.port): "eighty" is not valid, expected a port number (0-65535)',
      "entities[0] (Version): parent_kind 'Chanel' is not a declared kind",
      "entities[1] (Cluster): plural 'fleets' must be 'clusters': Cluster lives in its own table, which fixes its plural",
    ]);
  });

  it('lets the adapter variables and keys win over the entries of Cluster and NodePool, and shows the result in adapters', () => {
    const file = configFile(`${SHIPPED_YAML}adapters:\n  nodepool: [hypershift]\n`);
    const config = loadConfig({ HYPERFLEET_CLUSTER_ADAPTERS: 'validation,gcp-provisioner' }, ['--config', file]);
    expect(config.kinds.get('Cluster')!.requiredAdapters).toEqual(['validation', 'gcp-provisioner']);
    expect(config.kinds.get('NodePool')!.requiredAdapters).toEqual(['hypershift']);
    expect(adaptersOf(config)).toEqual({ cluster: ['validation', 'gcp-provisioner'], nodePool: ['hypershift'] });
  });

  it("takes the entries' adapters when no adapter key is given", () => {
    const env = { HYPERFLEET_ENTITIES: JSON.stringify([{ kind: 'Cluster', required_adapters: ['dns'] }, { kind: 'NodePool', required_adapters: [] }]) };
    const config = loadConfig(env, []);
    expect(config.kinds.get('Cluster')!.requiredAdapters).toEqual(['dns']);
    expect(adaptersOf(config)).toEqual({ cluster: ['dns'], nodePool: [] });
  });

  it('reports a bad adapter variable once and still checks the entities', () => {
    const env = { HYPERFLEET_CLUSTER_ADAPTERS: '["Bad Name"]', HYPERFLEET_ENTITIES: JSON.stringify([{ kind: 'Channel', plural: 'channels', conditions: 'none' }]) };
    expect(problemsOf(env)).toEqual([
      'HYPERFLEET_CLUSTER_ADAPTERS (adapters.cluster): "[\\"Bad Name\\"]" is not valid, expected a list of adapter names (JSON array or comma-separated)',
      "entities[0] (Channel): conditions must be a list of {type, when, output} rules (got a string)",
    ]);
  });
});

describe(parseDuration.name, () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m30s', 90000],
    ['5m', 300000],
    ['1h', 3600000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 'two seconds', '-1s', '1d'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
