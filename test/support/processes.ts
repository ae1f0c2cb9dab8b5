import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/** The environment of a fresh shell: no database or port settings inherited from the test run. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HYPERFLEET_') && !k.startsWith('TEST_') && !k.startsWith('JEST') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

/** A temporary folder the embedded server's `postgres` user may enter. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export interface Spawned {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  output: () => string;
  /** Resolves with the first JSON log line that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited and every process sharing its output has closed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a command in its own process group and collects its JSON log lines. */
export function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    raw += chunk.toString();
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.startsWith('{')) continue;
      try {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        for (const w of [...waiters]) if (w.match(line)) w.resolve(line);
      } catch {
        // not a log line
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    output: () => raw,
    exited,
    waitFor(match, timeoutMs = 90_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line; output so far:\n${raw.slice(-4000)}`)), timeoutMs);
        const waiter = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve(l);
          },
        };
        waiters.push(waiter);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`process exited before the expected log line; output:\n${raw.slice(-4000)}`));
        });
      });
    },
  };
}

/** The project's Node (24) — the one npm scripts run with. */
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const NPM_ENV_PATH = `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`;

/** Runs the API from source (no build), exactly as `npm start` does. */
export const API_FROM_SOURCE = ['test/support/run-from-source.cjs', 'apps/api/src/main.ts'];
