import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, NODE, ROOT, spawnLogged } from '../support/processes';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };

/** Preloaded before the entry point: makes this Node 24 report itself as the machine's Node 20. */
const pretendNode20 = join(mkdtempSync(join(tmpdir(), 'hf-node-')), 'pretend-node-20.cjs');
writeFileSync(pretendNode20, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");

/**
 * 22.8: only npm scripts used the project's Node 24, and `node bench/seed.mjs` under the machine's Node 20
 * died with a TypeError inside undici. Every entry point now says which Node it needs, before loading anything.
 */
describe('commands run with an older Node', () => {
  it('.nvmrc names the Node the project installs, which satisfies engines.node', () => {
    const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
    expect(nvmrc).toBe(pkg.devDependencies.node);
    expect(pkg.engines.node).toBe('>=24.9.0');
  });

  it.each([
    ['bench/seed.mjs', '--url', 'http://127.0.0.1:1', '--clusters', '1'],
    ['bench/load.mjs', '--url', 'http://127.0.0.1:1'],
    ['bench/bench.mjs', '--url', 'http://127.0.0.1:1'],
    ['bench/scale.mjs', '--url', 'http://127.0.0.1:1'],
    ['bench/bulk-load.mjs', '--db', 'postgres://nobody@127.0.0.1:1/none'],
    ['bench/compare-report.mjs', '/dev/null'],
    ['scripts/run-ts.cjs', 'apps/migrate/src/main.ts', 'pending'],
  ])('%s stops with exit 1 and a message naming the Node it needs', async (...args) => {
    const run = spawnLogged(NODE, ['--require', pretendNode20, ...args], cleanEnv());
    expect((await run.exited).code).toBe(1);
    expect(run.output()).toBe(
      `This command needs Node >=24.9.0 (this is Node 20.20.2, ${realpathSync(NODE)}).\n` +
        'The project installs its own Node 24 with `npm ci`: run the command through `npm run …` (npm puts\n' +
        'node_modules/.bin first on PATH), or as `node_modules/.bin/node <script>`, or switch with `nvm use` (.nvmrc).\n',
    );
  }, 30_000);

  it('the same entry points run on the project Node (here: to their own usage error)', async () => {
    const run = spawnLogged(NODE, ['bench/bench.mjs', '--no-such-option', 'x'], cleanEnv());
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toBe('unknown option --no-such-option\n');
  }, 30_000);
});
