import { adapterList, bool, duration, int, key, port, str } from './config.schema';
import { issuerList } from './jwt.config';
import { DEFAULT_CLUSTER_ADAPTERS, DEFAULT_NODEPOOL_ADAPTERS } from './kinds/built-in-kinds';
import { entityList } from './kinds/entity-config';
import { EntityConfig } from './kinds/resource-kind';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'text'] as const;
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/**
 * Every configuration key of the service. docs/operations.md is checked against this table by a test,
 * so a key added here without documentation fails the suite.
 */
export const CONFIG_KEYS = {
  serverHost: key({ key: 'server.host', description: 'Address the API listener binds to', default: '127.0.0.1', parse: str({ nonEmpty: true }), expected: 'a host name or address' }),
  serverPort: key({ key: 'server.port', description: 'Port of the API listener', default: 8000, parse: port, expected: 'a port number (0-65535)' }),
  serverBodyLimit: key({ key: 'server.body_limit', description: 'Largest accepted request body in bytes (larger bodies get 413)', default: 1024 * 1024, parse: int(1024, 64 * 1024 * 1024), expected: 'a byte count between 1024 and 67108864' }),
  serverReadTimeout: key({ key: 'server.read_timeout', description: 'Longest wait for a request\'s headers, and then for its body (past it: 408, connection closed)', default: 5 * SECOND, parse: duration(100, 10 * MINUTE), expected: 'a duration between 100ms and 10m (e.g. 5s)' }),
  serverWriteTimeout: key({ key: 'server.write_timeout', description: 'Longest a response may wait for its client to read on (no byte taken): past it the connection is closed', default: 30 * SECOND, parse: duration(100, 10 * MINUTE), expected: 'a duration between 100ms and 10m (e.g. 30s)' }),
  serverUnsentBytesLimit: key({ key: 'server.unsent_bytes_limit', description: 'Bytes of responses not yet taken by their clients that the process holds at most before a list waits for room (see Memory)', default: 64 * 1024 * 1024, parse: int(1024 * 1024, 1024 * 1024 * 1024), expected: 'a byte count between 1048576 and 1073741824' }),
  serverOpenapiSchemaPath: key({ key: 'server.openapi_schema_path', description: 'OpenAPI document (YAML or JSON) whose components validate each kind\'s spec (see Spec schemas); unset: the bundled document', default: '', parse: str(), expected: 'a file path' }),
  serverJwtEnabled: key({ key: 'server.jwt.enabled', description: 'Require a valid bearer JWT on API requests (see Authentication); when off, every caller is recorded as system@hyperfleet.local', default: false, parse: bool, expected: 'true or false' }),
  serverJwtIssuers: key<Record<string, unknown>[] | undefined>({ key: 'server.jwt.issuers', description: 'Trusted token issuers (see Authentication); required when server.jwt.enabled is true', default: undefined, parse: issuerList, expected: 'a list of issuer objects (YAML list, or a JSON array in the environment variable)' }),
  healthHost: key({ key: 'health.host', description: 'Address the health listener binds to', default: '127.0.0.1', parse: str({ nonEmpty: true }), expected: 'a host name or address' }),
  healthPort: key({ key: 'health.port', description: 'Port of the health listener (/healthz, /readyz)', default: 8080, parse: port, expected: 'a port number (0-65535)' }),
  healthDbPingTimeout: key({ key: 'health.db_ping_timeout', description: 'How long /readyz waits for the database ping', default: 2 * SECOND, parse: duration(100, MINUTE), expected: 'a duration between 100ms and 1m (e.g. 2s)' }),
  healthShutdownTimeout: key({ key: 'health.shutdown_timeout', description: 'Longest wait for in-flight requests on SIGTERM before closing anyway', default: 20 * SECOND, parse: duration(SECOND, 120 * SECOND), expected: 'a duration between 1s and 120s (e.g. 20s)' }),
  metricsHost: key({ key: 'metrics.host', description: 'Address the metrics listener binds to', default: '127.0.0.1', parse: str({ nonEmpty: true }), expected: 'a host name or address' }),
  metricsPort: key({ key: 'metrics.port', description: 'Port of the metrics listener (/metrics)', default: 9090, parse: port, expected: 'a port number (0-65535)' }),
  metricsReconciliationStuckThreshold: key({ key: 'metrics.reconciliation_stuck_threshold', description: 'How long a resource may stay Reconciled=False before the stuck gauges count it', default: 10 * MINUTE, parse: duration(SECOND, 24 * 60 * MINUTE), expected: 'a duration between 1s and 24h (e.g. 10m)' }),
  tracingEnabled: key({ key: 'tracing.enabled', description: 'Export OpenTelemetry traces (HTTP and database spans), configured by the standard OTEL_* variables', default: false, parse: bool, expected: 'true or false' }),
  databaseUrl: key({ key: 'database.url', description: 'PostgreSQL connection URL; when neither it nor any discrete database key is set, an embedded PostgreSQL is started', default: '', parse: str(), expected: 'a postgres:// URL', secret: true }),
  databaseHost: key({ key: 'database.host', description: 'PostgreSQL host (discrete connection settings)', default: 'localhost', parse: str({ nonEmpty: true }), expected: 'a host name or address' }),
  databasePort: key({ key: 'database.port', description: 'PostgreSQL port', default: 5432, parse: int(1, 65535), expected: 'a port number (1-65535)' }),
  databaseName: key({ key: 'database.name', description: 'PostgreSQL database name', default: 'hyperfleet', parse: str({ nonEmpty: true }), expected: 'a database name' }),
  databaseUsername: key({ key: 'database.username', description: 'PostgreSQL user', default: 'hyperfleet', parse: str({ nonEmpty: true }), expected: 'a user name' }),
  databasePassword: key({ key: 'database.password', description: 'PostgreSQL password', default: '', parse: str(), expected: 'a string', secret: true }),
  databaseSslmode: key({ key: 'database.sslmode', description: 'libpq sslmode', default: 'disable', parse: str({ oneOf: SSL_MODES }), expected: `one of ${SSL_MODES.join(', ')}` }),
  databaseMaxOpenConnections: key({ key: 'database.max_open_connections', description: 'Size of the connection pool of one API process', default: 10, parse: int(1, 500), expected: 'an integer between 1 and 500' }),
  databaseRequestTimeout: key({ key: 'database.request_timeout', description: 'Deadline of the database work of one request (statement timeout)', default: 30 * SECOND, parse: duration(100, 10 * MINUTE), expected: 'a duration between 100ms and 10m (e.g. 30s)' }),
  databaseAdvisoryLockTimeout: key({ key: 'database.advisory_lock_timeout', description: 'How long a migrator waits for the migration advisory lock', default: 5 * MINUTE, parse: duration(SECOND, 60 * MINUTE), expected: 'a duration between 1s and 60m (e.g. 5m)' }),
  databasePreparedStatements: key({ key: 'database.prepared_statements', description: 'Name the hot statements so each connection parses and plans them once; set false behind a transaction-pooling PgBouncer older than 1.21', default: true, parse: bool, expected: 'true or false' }),
  databaseMigrateOnBoot: key<boolean | undefined>({ key: 'database.migrate_on_boot', env: 'HYPERFLEET_DB_MIGRATE_ON_BOOT', description: 'Apply pending migrations when the API starts (default: true with the embedded database, else false)', default: undefined, parse: bool, expected: 'true or false' }),
  dataDir: key({ key: 'database.data_dir', env: 'HYPERFLEET_DATA_DIR', description: 'Where the embedded PostgreSQL keeps its files', default: '.data', parse: str({ nonEmpty: true }), expected: 'a directory path' }),
  loggingLevel: key({ key: 'logging.level', description: 'Log level', default: 'info', parse: str({ oneOf: LOG_LEVELS }), expected: `one of ${LOG_LEVELS.join(', ')}` }),
  listMaxSize: key({ key: 'list.max_size', description: 'Largest page size (size) a list accepts; the sentinel pages with up to 500', default: 100, parse: int(1, 500), expected: 'an integer between 1 and 500' }),
  listBatchBytes: key({ key: 'list.batch_bytes', description: 'A list page whose items render larger than this is sent in batches of at most this many bytes (an item larger than this alone), each read when the one before was taken by the client', default: 1024 * 1024, parse: int(64 * 1024, 256 * 1024 * 1024), expected: 'a byte count between 65536 and 268435456' }),
  loggingFormat: key({ key: 'logging.format', description: 'Log line format: json (one JSON object per line), text (for people), or auto: text when standard output is a terminal, else json', default: 'auto', parse: str({ oneOf: LOG_FORMATS }), expected: `one of ${LOG_FORMATS.join(', ')}` }),
  entities: key<EntityConfig[] | undefined>({ key: 'entities', description: 'Resource kinds served besides the built-in Cluster and NodePool, and settings of those two (see Resource kinds)', default: undefined, parse: entityList, expected: 'a list of entity objects (YAML list, or a JSON array in the environment variable)' }),
  clusterAdapters: key({ key: 'adapters.cluster', env: 'HYPERFLEET_CLUSTER_ADAPTERS', description: 'Adapters required for a cluster to be Reconciled, in condition order; when given, wins over the Cluster entry of entities', default: [...DEFAULT_CLUSTER_ADAPTERS], parse: adapterList, expected: 'a list of adapter names (JSON array or comma-separated)' }),
  nodePoolAdapters: key({ key: 'adapters.nodepool', env: 'HYPERFLEET_NODEPOOL_ADAPTERS', description: 'Adapters required for a node pool to be Reconciled, in condition order; when given, wins over the NodePool entry of entities', default: [...DEFAULT_NODEPOOL_ADAPTERS], parse: adapterList, expected: 'a list of adapter names (JSON array or comma-separated)' }),
} as const;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `logging.format`: `auto` is resolved by the logger (text on a terminal, else JSON). */
export type LogFormatSetting = (typeof LOG_FORMATS)[number];
