import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONFIG_KEYS, ConfigKeyName, LogFormatSetting, LogLevel } from './config.keys';
import { envName, KeySpec } from './config.schema';
import { ConfigError } from './config-error';
import { JwtConfig, readJwtIssuers } from './jwt.config';
import { buildKindRegistry, KindRegistry } from './kinds/kind-registry';
import { EntityConfig } from './kinds/resource-kind';
import { loadSpecSchemas, SpecSchemas } from './spec-schemas/spec-schemas';

export interface DatabaseConfig {
  /** Connection URL; undefined means "start an embedded PostgreSQL". */
  url?: string;
  embedded: boolean;
  dataDir: string;
  maxOpenConnections: number;
  requestTimeoutMs: number;
  advisoryLockTimeoutMs: number;
  migrateOnBoot: boolean;
  preparedStatements: boolean;
}

export interface AppConfig {
  server: { host: string; port: number; bodyLimit: number; readTimeoutMs: number; writeTimeoutMs: number; unsentBytesLimit: number; jwt: JwtConfig };
  health: { host: string; port: number; dbPingTimeoutMs: number; shutdownTimeoutMs: number };
  metrics: { host: string; port: number; reconciliationStuckThresholdMs: number };
  tracing: { enabled: boolean };
  database: DatabaseConfig;
  /** `format: 'auto'` is resolved by the logger: text on a terminal, else JSON. */
  logging: { level: LogLevel; format: LogFormatSetting };
  /** Lists (CONTRACT D6, D17): the largest page size, and the bytes of a page read at once. */
  lists: { maxSize: number; batchBytes: number };
  /** The resource kinds (`entities`, CONTRACT D13), validated, with their condition rules compiled. */
  kinds: KindRegistry;
  /** The kinds' spec schemas (`server.openapi_schema_path`, CONTRACT D14), compiled. */
  specSchemas: SpecSchemas;
  build: { version: string; commit: string; buildTime: string };
}

// In a file of its own so that the kind registry can throw it without importing this module.
export { ConfigError } from './config-error';

type Values = { [K in ConfigKeyName]: (typeof CONFIG_KEYS)[K]['default'] };

const DISCRETE_DB_KEYS: ConfigKeyName[] = ['databaseHost', 'databasePort', 'databaseName', 'databaseUsername', 'databasePassword', 'databaseSslmode'];

/** Dotted keys of a YAML document; a known key's value is kept whole even when it is a map, for its parser to judge. */
function flatten(obj: unknown, known: ReadonlySet<string>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v) && !known.has(path)) flatten(v, known, path, out);
      else out[path] = v;
    }
  }
  return out;
}

function configFilePath(env: NodeJS.ProcessEnv, argv: string[]): string | undefined {
  const i = argv.indexOf('--config');
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return eq.slice('--config='.length);
  return env.HYPERFLEET_CONFIG || undefined;
}

function buildUrl(v: Values): string {
  const auth = `${encodeURIComponent(v.databaseUsername)}${v.databasePassword ? `:${encodeURIComponent(v.databasePassword)}` : ''}`;
  const url = new URL(`postgres://${auth}@${v.databaseHost.includes(':') ? `[${v.databaseHost}]` : v.databaseHost}:${v.databasePort}/${encodeURIComponent(v.databaseName)}`);
  if (v.databaseSslmode !== 'disable') url.searchParams.set('sslmode', v.databaseSslmode);
  return url.toString();
}

/**
 * Reads the configuration once: built-in defaults, then an optional YAML file (`--config` or
 * `HYPERFLEET_CONFIG`), then `HYPERFLEET_*` environment variables. Throws ConfigError naming every bad key.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv, build?: Partial<AppConfig['build']>): AppConfig {
  const problems: string[] = [];
  let fileValues: Record<string, unknown> = {};
  const file = configFilePath(env, argv);
  if (file) {
    const known = new Set(Object.values(CONFIG_KEYS).map((k) => k.key));
    try {
      fileValues = flatten(parseYaml(readFileSync(resolve(file), 'utf8')), known);
    } catch (err) {
      problems.push(`config file ${file}: ${(err as Error).message}`);
    }
    for (const k of Object.keys(fileValues)) if (!known.has(k)) problems.push(`config file ${file}: unknown key '${k}'`);
  }

  const values = {} as Record<ConfigKeyName, unknown>;
  const given = new Set<ConfigKeyName>();
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [ConfigKeyName, KeySpec<unknown>][]) {
    const variable = envName(spec);
    const fromEnv = env[variable];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : fileValues[spec.key];
    if (raw === undefined || raw === null) {
      values[name] = spec.default;
      continue;
    }
    given.add(name);
    const parsed = spec.parse(raw);
    if (parsed === undefined) {
      const shown = spec.secret ? '***' : JSON.stringify(raw);
      problems.push(`${variable} (${spec.key}): ${shown} is not valid, expected ${spec.expected}`);
    } else values[name] = parsed;
  }
  const jwt = readJwt(values, problems);
  const kinds = readKinds(values, given, problems);
  const specSchemas = kinds && readSpecSchemas(values, kinds, problems);
  if (problems.length || !kinds || !specSchemas) throw new ConfigError(problems);

  const v = values as Values;
  const discrete = DISCRETE_DB_KEYS.some((k) => given.has(k));
  const url = v.databaseUrl ? v.databaseUrl : discrete ? buildUrl(v) : undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError([`HYPERFLEET_DATABASE_URL (database.url): expected ${CONFIG_KEYS.databaseUrl.expected}`]);
  const embedded = url === undefined;

  return {
    server: { host: v.serverHost, port: v.serverPort, bodyLimit: v.serverBodyLimit, readTimeoutMs: v.serverReadTimeout, writeTimeoutMs: v.serverWriteTimeout, unsentBytesLimit: v.serverUnsentBytesLimit, jwt },
    health: { host: v.healthHost, port: v.healthPort, dbPingTimeoutMs: v.healthDbPingTimeout, shutdownTimeoutMs: v.healthShutdownTimeout },
    metrics: { host: v.metricsHost, port: v.metricsPort, reconciliationStuckThresholdMs: v.metricsReconciliationStuckThreshold },
    tracing: { enabled: v.tracingEnabled },
    database: {
      url,
      embedded,
      dataDir: resolve(v.dataDir),
      maxOpenConnections: v.databaseMaxOpenConnections,
      requestTimeoutMs: v.databaseRequestTimeout,
      advisoryLockTimeoutMs: v.databaseAdvisoryLockTimeout,
      migrateOnBoot: v.databaseMigrateOnBoot ?? embedded,
      preparedStatements: v.databasePreparedStatements,
    },
    logging: { level: v.loggingLevel as LogLevel, format: v.loggingFormat as LogFormatSetting },
    lists: { maxSize: v.listMaxSize, batchBytes: v.listBatchBytes },
    kinds,
    specSchemas,
    build: { version: env.HYPERFLEET_BUILD_VERSION || build?.version || '0.0.0-dev', commit: env.HYPERFLEET_BUILD_COMMIT || build?.commit || 'unknown', buildTime: env.HYPERFLEET_BUILD_TIME || build?.buildTime || 'unknown' },
  };
}

/** `server.jwt`: the issuers are checked field by field, and enabling it without one is an error. */
function readJwt(values: Record<ConfigKeyName, unknown>, problems: string[]): JwtConfig {
  const spec = CONFIG_KEYS.serverJwtIssuers;
  const where = `${envName(spec)} (${spec.key})`;
  const enabled = values.serverJwtEnabled === true;
  const { issuers, problems: issuerProblems } = readJwtIssuers((values.serverJwtIssuers as Record<string, unknown>[] | undefined) ?? [], where);
  problems.push(...issuerProblems);
  if (enabled && issuers.length === 0 && !problems.some((p) => p.startsWith(where))) {
    problems.push(`${where}: at least one issuer is required when ${CONFIG_KEYS.serverJwtEnabled.key} is true`);
  }
  return { enabled, issuers };
}

/**
 * `entities`: the kind registry. `adapters.cluster` / `adapters.nodepool`, when given and valid, override
 * the required adapters of Cluster and NodePool, also over their entries. Its problems join the others.
 */
function readKinds(values: Record<ConfigKeyName, unknown>, given: ReadonlySet<ConfigKeyName>, problems: string[]): KindRegistry | undefined {
  // a key that failed to parse has no value (its problem is already listed)
  const valid = (name: ConfigKeyName) => given.has(name) && values[name] !== undefined;
  const overrides = {
    ...(valid('clusterAdapters') ? { Cluster: values.clusterAdapters as string[] } : {}),
    ...(valid('nodePoolAdapters') ? { NodePool: values.nodePoolAdapters as string[] } : {}),
  };
  try {
    return buildKindRegistry((values.entities as EntityConfig[] | undefined) ?? [], overrides);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/** `server.openapi_schema_path`: the kinds' spec schemas (once the kinds are valid). Its problems join the others. */
function readSpecSchemas(values: Record<ConfigKeyName, unknown>, kinds: KindRegistry, problems: string[]): SpecSchemas | undefined {
  const spec = CONFIG_KEYS.serverOpenapiSchemaPath;
  try {
    return loadSpecSchemas((values.serverOpenapiSchemaPath as string | undefined) || undefined, kinds, `${envName(spec)} (${spec.key})`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/** Same configuration with the database URL replaced (used once an embedded server is up). */
export function withDatabaseUrl(config: AppConfig, url: string): AppConfig {
  return { ...config, database: { ...config.database, url } };
}

/** Hides the password of a connection URL for logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
