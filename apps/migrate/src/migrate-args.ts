/** What the migrate command was asked to do. */
export type MigrateArgs = { command: 'up' | 'pending' } | { command: 'help' } | { command: 'invalid'; problem: string };

/** Shown by `--help` and after a bad argument. */
export const MIGRATE_USAGE = `usage: npm run migrate [-- [up|pending|--help] [--config <file>]]
  up               apply the pending migrations under the migration lock (the default)
  pending          list the pending migrations; changes nothing
  --help           this text (also -h)
  --config <file>  a YAML configuration file, as for the API (or HYPERFLEET_CONFIG)
The database is the API's: HYPERFLEET_DATABASE_URL or HYPERFLEET_DATABASE_*, else the embedded PostgreSQL in
HYPERFLEET_DATA_DIR (default .data).`;

/**
 * Reads the command's arguments (after the script: `process.argv.slice(2)`). Only `up`, or no argument
 * at all, applies anything: help, unknown commands, options and extra arguments never do.
 */
export function parseMigrateArgs(args: readonly string[]): MigrateArgs {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    // loadConfig reads the configuration file option itself
    if (args[i] === '--config') i++;
    // `npm run migrate -- -- pending` leaves a separator in
    else if (args[i] !== '--' && !args[i].startsWith('--config=')) rest.push(args[i]);
  }
  if (rest.some((a) => a === '--help' || a === '-h' || a === 'help')) return { command: 'help' };
  if (rest.length === 0) return { command: 'up' };
  if (rest.length > 1) return { command: 'invalid', problem: `one command expected, got ${rest.length}: ${rest.join(' ')}` };
  const [command] = rest;
  if (command === 'up' || command === 'pending') return { command };
  return { command: 'invalid', problem: command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'` };
}
