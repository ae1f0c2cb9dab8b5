import { API_FROM_SOURCE, cleanEnv, NODE, spawnLogged, Spawned } from './processes';

/** The start-up line of the API; it carries the ports actually bound. */
export const isListening = (l: Record<string, unknown>): boolean => typeof l.msg === 'string' && l.msg.startsWith('HyperFleet API listening');

export interface ApiProcess extends Spawned {
  /** `http://127.0.0.1:<port>/api/hyperfleet/v1` */
  base: string;
  /** `http://127.0.0.1:<health port>` */
  health: string;
}

/**
 * Spawns the API from source (as `npm start` runs it, without a build) on free ports, with only the given
 * settings (nothing inherited from the test run's environment).
 */
export function spawnApi(env: Record<string, string>): Spawned {
  return spawnLogged(NODE, API_FROM_SOURCE, cleanEnv({ HYPERFLEET_SERVER_PORT: '0', HYPERFLEET_HEALTH_PORT: '0', HYPERFLEET_METRICS_PORT: '0', ...env }));
}

/** Resolves once the spawned API logged that it listens. */
export async function whenListening(p: Spawned, timeoutMs = 150_000): Promise<ApiProcess> {
  const ready = await p.waitFor(isListening, timeoutMs);
  return Object.assign(p, { base: `http://127.0.0.1:${String(ready.api_port)}/api/hyperfleet/v1`, health: `http://127.0.0.1:${String(ready.health_port)}` });
}

/** SIGTERM, then the exit status once the process (and everything sharing its output) has closed. */
export async function stopApi(p: Spawned): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
}

/** Last resort for afterAll: kills what is still running (its whole process group). */
export function killIfRunning(p: Spawned | undefined): void {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null || !p.child.pid) return;
  try {
    process.kill(-p.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  /** Parsed JSON body, or the raw text when it is not JSON (undefined when empty). */
  body: any;
  ms: number;
}

/**
 * One HTTP request with a liveness bound: an answer that does not arrive within `limitMs` fails the
 * request with a TimeoutError (an answer that never comes is the bug this catches, not a slow one).
 */
export async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}, limitMs = 10_000): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(limitMs),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { method, url, status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started };
}

/** Runs the tasks with at most `limit` of them in flight; results in task order. */
export async function bounded<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A report body every adapter must send: Available, Applied, Health (plus any extra conditions). */
export function report(adapter: string, generation: number, extra: { type: string; status: string }[] = [], available = 'True'): Record<string, unknown> {
  return {
    adapter,
    observed_generation: generation,
    conditions: [{ type: 'Available', status: available, reason: 'Checked' }, { type: 'Applied', status: 'True' }, { type: 'Health', status: 'True' }, ...extra],
    data: { by: adapter },
  };
}

export const CLUSTER_ADAPTERS = ['validation', 'dns', 'pullsecret', 'hypershift'];
export const NODE_POOL_ADAPTERS = ['validation', 'hypershift'];
