import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiProcess, killIfRunning, spawnApi, stopApi, whenListening } from '../support/api-process';
import { createTestDatabase, TestDatabase } from '../support/database';
import { cleanEnv, NPM_ENV_PATH, ROOT } from '../support/processes';

/*
 * The README's examples run top to bottom, as written, and print what it says they print (issue 22.1).
 *
 * Which blocks run: a ```sh block right under `<!-- readme-test: start -->` starts an API (as the block's
 * `npm start` line does, with the settings written in front of it; its other lines, installing and the
 * demo in a second shell, are left out: the README's outputs are those of an API without other data); a
 * block right under `<!-- readme-test: run -->` runs against the API the last start block started. Other
 * blocks (Test it, Benchmark it) do not run; a block that calls `curl` must be marked `run`.
 *
 * How: every run block, in README order, in one bash session (variables and functions carry over, as in
 * a reader's shell), twice over (the walk-through removes what it made, so it runs again), with the README's addresses 127.0.0.1:8000 and :8080 replaced by the started API's
 * (the only change made to them). The project's node_modules/.bin comes first on PATH, so `node` would be
 * the project's Node 24, as `npm run` gives it.
 *
 * What is compared: a run of `# …` lines right under a command line (no blank line between) is what the
 * commands since the previous such run print, line by line (`...` stands for any text; a header's `\r` is
 * dropped); commands with no such run under them print nothing. Every byte printed must be accounted for.
 */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MARKER = /^<!-- readme-test: (start|run) -->$/;

interface Segment {
  /** The commands, as written. */
  code: string;
  /** What they print, as written (`...`: anything). */
  expected: string[];
}

interface Block {
  kind: 'start' | 'run' | 'none';
  line: number;
  text: string;
}

/** The ```sh blocks of the README with their markers. */
function blocksOf(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    let end = i + 1;
    while (lines[end] !== '```') end++;
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = MARKER.exec(lines[above] ?? '');
    blocks.push({ kind: marker ? (marker[1] as 'start' | 'run') : 'none', line: i + 1, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** A run block cut into commands and the output shown under them. */
function segmentsOf(text: string): Segment[] {
  const segments: Segment[] = [];
  let code: string[] = [];
  let expected: string[] | undefined;
  let previous = '';
  for (const line of text.split('\n')) {
    const isComment = line.startsWith('#');
    const showsOutput = isComment && (expected !== undefined || (previous.trim() !== '' && !previous.startsWith('#')));
    if (showsOutput) {
      (expected ??= []).push(line.replace(/^# ?/, ''));
    } else {
      if (expected) {
        segments.push({ code: code.join('\n'), expected });
        code = [];
        expected = undefined;
      }
      code.push(line);
    }
    previous = line;
  }
  if (expected) segments.push({ code: code.join('\n'), expected });
  else if (code.some((l) => l.trim() !== '' && !l.startsWith('#'))) segments.push({ code: code.join('\n'), expected: [] });
  return segments;
}

/** The settings written in front of a start block's `npm start`: `A='x' B=y npm start`. */
function startSettings(text: string): Record<string, string> {
  const line = text.split('\n').find((l) => /(^|\s)npm start(\s|$)/.test(l));
  if (!line) throw new Error(`a start block without npm start:\n${text}`);
  const env: Record<string, string> = {};
  for (const m of line.slice(0, line.indexOf('npm start')).matchAll(/([A-Z_][A-Z0-9_]*)=('([^']*)'|"([^"]*)"|(\S+))/g)) env[m[1]] = m[3] ?? m[4] ?? m[5];
  return env;
}

/** `...` stands for any text; everything else is literal. */
const pattern = (expected: string): RegExp => new RegExp(`^${expected.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

const SEPARATOR = '@@README-SEGMENT@@';

/** Runs a script in bash; resolves with everything it printed (stdout and stderr). */
function bash(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-c', script], { cwd, env: cleanEnv({ PATH: NPM_ENV_PATH }), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('README', () => {
  const blocks = blocksOf(README);
  const apis: ApiProcess[] = [];
  const databases: TestDatabase[] = [];
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hf-readme-'));
    for (const block of blocks.filter((b) => b.kind === 'start')) {
      const db = await createTestDatabase();
      databases.push(db);
      const api = spawnApi({ ...startSettings(block.text), HYPERFLEET_DATABASE_URL: db.url });
      apis.push(await whenListening(api, 120_000));
    }
  }, 300_000);

  afterAll(async () => {
    for (const api of apis) await stopApi(api).catch(() => killIfRunning(api));
    for (const db of databases) await db.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('marks every block that calls the API, and the walk-through is all there', () => {
    const unmarked = blocks.filter((b) => b.kind === 'none' && /\bcurl\b/.test(b.text)).map((b) => `line ${b.line}`);
    expect(unmarked).toEqual([]);
    expect(blocks[0].kind).toBe('start');
    expect(blocks.filter((b) => b.kind === 'start')).toHaveLength(2);
    const run = blocks.filter((b) => b.kind === 'run');
    expect(run.length).toBeGreaterThanOrEqual(7);
    // commands with output shown under them, across the walk-through
    expect(run.flatMap((b) => segmentsOf(b.text)).filter((s) => s.expected.length > 0).length).toBeGreaterThanOrEqual(25);
  });

  it('runs the examples top to bottom in one shell, and each prints what the README shows under it', async () => {
    const segments: (Segment & { line: number })[] = [];
    let api = -1;
    for (const block of blocks) {
      if (block.kind === 'start') api++;
      if (block.kind !== 'run') continue;
      const { base, health } = apis[api];
      const port = new URL(base).port;
      const address = (text: string) => text.replaceAll('127.0.0.1:8000', `127.0.0.1:${port}`).replaceAll('127.0.0.1:8080', new URL(health).host);
      for (const s of segmentsOf(block.text)) segments.push({ line: block.line, code: address(s.code), expected: s.expected.map(address) });
    }
    const script = segments.map((s) => `${s.code}\nprintf '\\n${SEPARATOR}\\n'`).join('\n');
    writeFileSync(join(work, 'readme.sh'), script);
    // twice: the walk-through removes what it made, so it runs again with the same outputs
    const { output } = await bash(`${script}\n${script}`, work);

    const printed = output.split(`\n${SEPARATOR}\n`);
    expect(printed).toHaveLength(2 * segments.length + 1);
    const wrong: string[] = [];
    [...segments, ...segments].forEach((s, i) => {
      const lines = printed[i]
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter((l, j, all) => !(l === '' && j === all.length - 1) && !(l === '' && j === 0 && all.length === 1));
      const ok = lines.length === s.expected.length && s.expected.every((e, j) => pattern(e).test(lines[j]));
      if (!ok) wrong.push(`${i < segments.length ? 'first' : 'second'} run, README block at line ${s.line}:\n${s.code}\n--- the README shows:\n${s.expected.join('\n')}\n--- it printed:\n${lines.join('\n')}`);
    });
    expect(wrong).toEqual([]);
  }, 180_000);
});
