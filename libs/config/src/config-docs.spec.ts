import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS } from './config.keys';
import { envName, renderDefault } from './config.schema';

describe('docs/operations.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');

  it.each(Object.values(CONFIG_KEYS).map((spec) => [envName(spec), spec] as const))('documents %s with its key and default', (variable, spec) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`\`${spec.key}\``);
    expect(row).toContain(`| ${renderDefault(spec)} |`);
  });
});
