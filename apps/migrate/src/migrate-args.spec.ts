import { parseMigrateArgs } from './migrate-args';

describe(parseMigrateArgs.name, () => {
  it('applies with no argument or with up', () => {
    expect(parseMigrateArgs([])).toEqual({ command: 'up' });
    expect(parseMigrateArgs(['up'])).toEqual({ command: 'up' });
    expect(parseMigrateArgs(['--', 'up'])).toEqual({ command: 'up' });
  });

  it('lists with pending, wherever a -- separator was left', () => {
    expect(parseMigrateArgs(['pending'])).toEqual({ command: 'pending' });
    expect(parseMigrateArgs(['--', 'pending'])).toEqual({ command: 'pending' });
  });

  it('leaves --config <file> to the configuration loader', () => {
    expect(parseMigrateArgs(['--config', 'hf.yaml', 'pending'])).toEqual({ command: 'pending' });
    expect(parseMigrateArgs(['--config=hf.yaml'])).toEqual({ command: 'up' });
  });

  it.each([[['--help']], [['-h']], [['help']], [['up', '--help']], [['pending', '-h']]])('answers %j with help', (args) => {
    expect(parseMigrateArgs(args)).toEqual({ command: 'help' });
  });

  it.each([
    [['down'], "unknown command 'down'"],
    [['--dry-run'], "unknown option '--dry-run'"],
    [['-x'], "unknown option '-x'"],
    [['up', 'pending'], 'one command expected, got 2: up pending'],
    [['--force', 'up'], 'one command expected, got 2: --force up'],
  ])('refuses %j without applying anything', (args, problem) => {
    expect(parseMigrateArgs(args)).toEqual({ command: 'invalid', problem });
  });
});
