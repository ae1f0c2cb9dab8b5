import { createHash } from 'node:crypto';
import type { Compilable } from 'kysely';

/** A placeholder for a value given when a statement runs, by name (see `arg`). */
export class Arg {
  constructor(readonly name: string) {}
}

/**
 * A named placeholder in a query built once: the value travels as a bound parameter, taken from the
 * arguments of each run by name. Typed as the value it stands for, so builders accept it anywhere a
 * value goes.
 */
export const arg = <T = unknown>(name: string): T => new Arg(name) as unknown as T;

/** A slot of a compiled statement's parameter list: an argument by name, or a constant fixed when built. */
type Slot = { arg: string } | { value: unknown };

/**
 * A statement compiled once (at start-up), run many times as a named prepared statement: PostgreSQL
 * parses and plans it once per connection. Its parameters are the placeholders (`arg`) it was built
 * with, in the order the compiler numbered them.
 */
export interface Statement<A extends object = Record<string, unknown>> {
  /** The prepared statement's name, unique per text (`hf_…`). */
  readonly name: string;
  /** The text, with `$1, $2, …` placeholders. */
  readonly sql: string;
  /** The parameter values of one run, in placeholder order. */
  values(args: A): unknown[];
}

/** Every statement built by `prepare`, by name: what the service can send (see test/e2e/live-rows.e2e-spec.ts). */
const catalogue = new Map<string, Statement>();

/** The statements built so far, by name. */
export function statementCatalogue(): ReadonlyMap<string, Statement> {
  return catalogue;
}

function slotsOf(parameters: readonly unknown[]): Slot[] {
  return parameters.map((p) => (p instanceof Arg ? { arg: p.name } : { value: p }));
}

/**
 * Compiles `query` once into a named statement, `hf_<base>_<hash of the text>`: one name per text, so
 * that two statements can never share a prepared statement (kinds are configuration: the same base
 * may compile to other texts under another registry).
 */
export function prepare<A extends object = Record<string, unknown>>(base: string, query: Compilable, options: { catalogue?: boolean } = {}): Statement<A> {
  const compiled = query.compile();
  const slots = slotsOf(compiled.parameters);
  // the text and what fills its parameters: the same text with its parameters taken otherwise is another statement
  const name = `hf_${base}_${createHash('sha1').update(compiled.sql).update(JSON.stringify(slots)).digest('hex').slice(0, 10)}`;
  const existing = catalogue.get(name);
  if (existing) return existing as unknown as Statement<A>;
  const statement: Statement<A> = {
    name,
    sql: compiled.sql,
    values: (args: A) => {
      const values = new Array<unknown>(slots.length);
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if ('arg' in slot) {
          const value = (args as Record<string, unknown>)[slot.arg];
          if (value === undefined) throw new Error(`statement ${name}: no value for '${slot.arg}'`);
          values[i] = value;
        } else values[i] = slot.value;
      }
      return values;
    },
  };
  // a statement built on request, for a shape the client chose, is not kept (the catalogue stays bounded)
  if (options.catalogue !== false) catalogue.set(name, statement as Statement);
  return statement;
}

/** A statement compiled for one run (a search): its text and its parameters; not prepared, not named. */
export interface OneOff {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Compiles a query built for one run; it must not contain `arg` placeholders. */
export function compileOnce(query: Compilable): OneOff {
  const { sql, parameters } = query.compile();
  if (parameters.some((p) => p instanceof Arg)) throw new Error('a one-off statement cannot take named arguments');
  return { sql, params: parameters };
}
