import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { parseDuration } from './duration';

describe(loadConfig.name, () => {
  it('uses the documented defaults and the embedded database when nothing is configured', () => {
    const config = loadConfig({}, []);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8000, bodyLimit: 1024 * 1024, readTimeoutMs: 5000, jwt: { enabled: false, issuers: [] } });
    expect(config.health).toMatchObject({ host: '127.0.0.1', port: 8080, dbPingTimeoutMs: 2000, shutdownTimeoutMs: 20000 });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9090, reconciliationStuckThresholdMs: 600000 });
    expect(config.tracing).toEqual({ enabled: false });
    expect(config.database).toMatchObject({ url: undefined, embedded: true, migrateOnBoot: true, requestTimeoutMs: 30000, advisoryLockTimeoutMs: 300000, preparedStatements: true });
    expect(config.database.dataDir).toMatch(/\.data$/);
    expect(config.adapters).toEqual({ cluster: ['validation', 'dns', 'pullsecret', 'hypershift'], nodePool: ['validation', 'hypershift'] });
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
    expect(config.adapters.cluster).toEqual(['validation', 'dns']);
    expect(config.logging.level).toBe('warn');

    writeFileSync(file, 'server:\n  prot: 9000\n');
    expect(() => loadConfig({ HYPERFLEET_CONFIG: file }, [])).toThrow(/unknown key 'server.prot'/);
  });

  it('accepts adapter lists as JSON arrays or comma-separated names', () => {
    expect(loadConfig({ HYPERFLEET_NODEPOOL_ADAPTERS: '["validation","gcp-provisioner"]' }, []).adapters.nodePool).toEqual(['validation', 'gcp-provisioner']);
    expect(loadConfig({ HYPERFLEET_NODEPOOL_ADAPTERS: 'a, b' }, []).adapters.nodePool).toEqual(['a', 'b']);
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
