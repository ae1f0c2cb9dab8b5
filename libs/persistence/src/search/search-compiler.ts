import type { ResourceKind } from '@app/config';
import { Literal, parseSearch, SearchNode, SearchSyntaxError, ValidationError } from '@app/common';
import { Kysely, RawBuilder, sql } from 'kysely';
import { countLabels, hasLabel } from '../labels/labels.sql';
import { conditionStatus } from '../resource.types';
import { kindHrefSql, ownerHrefSql } from '../resources/kind-sql';

/** A compiled search: a WHERE condition over the kind's rows aliased `alias`; user text only ever travels as parameters. */
export interface CompiledFilter {
  where: RawBuilder<boolean>;
  /**
   * For a search that is one label predicate a resource matches by having a label (`labels.env='prod'`,
   * `in`, `like`, a range, `labels.env is not null`): a query that counts its matches among all live
   * resources of the kind from the labels table alone. Each resource has at most one label per key, and
   * its labels are removed with it (in the same transaction), so the live labels that pass are exactly
   * the live resources that match: the count is an index-only scan of `labels_live_search_idx`, which
   * status reports never touch (they keep the resource rows' visibility map stale).
   */
  count?: RawBuilder<unknown>;
}

type ColumnType = 'uuid' | 'text' | 'int' | 'time';
interface Column {
  sql: string;
  type: ColumnType;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TIME = /^(\d{4})-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;
/** The timestamps a search may compare with: those of four-digit years, which PostgreSQL and every client read alike. */
const TIME_MIN = Date.parse('0001-01-01T00:00:00Z');
const TIME_MAX = Date.parse('9999-12-31T23:59:59.999Z');
const SPEC_SEGMENT = /^[A-Za-z0-9_-]+$/;
const CONDITION_TYPE = /^[A-Z][a-zA-Z0-9]*$/;
const CONDITION_FIELDS: Record<string, 'time' | 'int'> = { last_updated_time: 'time', last_transition_time: 'time', created_time: 'time', observed_generation: 'int' };
const INT32 = 2 ** 31;

const SQL_OPS = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

const bad = (detail: string): ValidationError => ValidationError.badRequest(detail);

/** `map[key]` for the map's own keys only (a field named `constructor` is not Object.prototype.constructor). */
const own = <T>(map: Record<string, T>, key: string): T | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

type Predicate = Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>;

/**
 * The searchable columns of a kind's rows aliased `a`, and its constant fields (compared in the compiler).
 * `everyField`: a search over every kind (`/resources`) has the owner fields on root kinds too, as nulls.
 */
function fieldsOf(kind: ResourceKind, a: string, everyField = false): { columns: Record<string, Column>; constants: Record<string, string | null> } {
  const columns: Record<string, Column> = {
    id: { sql: `${a}.id`, type: 'uuid' },
    name: { sql: `${a}.name`, type: 'text' },
    href: { sql: `(${kindHrefSql(kind, a)})`, type: 'text' },
    created_by: { sql: `${a}.created_by`, type: 'text' },
    updated_by: { sql: `${a}.updated_by`, type: 'text' },
    deleted_by: { sql: `${a}.deleted_by`, type: 'text' },
    generation: { sql: `${a}.generation`, type: 'int' },
    created_time: { sql: `${a}.created_time`, type: 'time' },
    updated_time: { sql: `${a}.updated_time`, type: 'time' },
    deleted_time: { sql: `${a}.deleted_time`, type: 'time' },
  };
  const constants: Record<string, string | null> = { kind: kind.kind };
  if (kind.parent) {
    columns.owner_id = { sql: `${a}.owner_id`, type: 'uuid' };
    columns.owner_href = { sql: `(${ownerHrefSql(kind, a)})`, type: 'text' };
    constants.owner_kind = kind.parent.kind;
  } else if (everyField) {
    columns.owner_id = { sql: 'cast(null as uuid)', type: 'uuid' };
    columns.owner_href = { sql: 'cast(null as text)', type: 'text' };
    constants.owner_kind = null;
  }
  return { columns, constants };
}

/** The field names a search of `kind` can use (for error messages and documentation). */
export function searchFields(kind: ResourceKind): string[] {
  const { columns, constants } = fieldsOf(kind, 'r');
  return [...Object.keys(columns), ...Object.keys(constants), 'labels.<key>', 'spec.<path>', 'status.conditions.<Type>'];
}

/**
 * Compiles a `search` expression (CONTRACT §6) for one resource kind into a condition over its rows
 * aliased `alias`. Fields: columns, `labels.<key>`, `spec.<path>`, `status.conditions.<Type>[.<field>]`.
 * Every error is 400 HYPERFLEET-VAL-005. The label subqueries are built on `db`, so they read live labels
 * only (its LiveRowsPlugin).
 */
export function compileSearch(db: Kysely<any>, text: string, kind: ResourceKind, alias = 'r', everyField = false): CompiledFilter {
  let ast: SearchNode;
  try {
    ast = parseSearch(text);
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw bad(`failed to parse search query: ${err.message}`);
    throw err;
  }
  const compiler = new Compiler(db, kind, alias, everyField);
  return { where: compiler.node(ast, false), count: labelCount(db, compiler, ast) };
}

/** CompiledFilter.count, for a search that is one label predicate matched by having the label; else none. */
function labelCount(db: Kysely<any>, compiler: Compiler, ast: SearchNode): RawBuilder<unknown> | undefined {
  if (!('field' in ast) || !ast.field.text.startsWith('labels.') || (ast.kind === 'isNull' && !ast.negated)) return undefined;
  return countLabels(db, compiler.kind.kind, compiler.labelTest(ast, ast.field.text.slice('labels.'.length)));
}

const raw = (text: string): RawBuilder<unknown> => sql.raw(text);

class Compiler {
  private readonly columns: Record<string, Column>;
  private readonly constants: Record<string, string | null>;

  constructor(
    private readonly db: Kysely<any>,
    readonly kind: ResourceKind,
    private readonly a: string,
    everyField: boolean,
  ) {
    ({ columns: this.columns, constants: this.constants } = fieldsOf(kind, a, everyField));
  }

  node(n: SearchNode, underNot: boolean): RawBuilder<boolean> {
    switch (n.kind) {
      case 'and':
      case 'or':
        return sql<boolean>`(${this.node(n.left, underNot)} ${raw(n.kind)} ${this.node(n.right, underNot)})`;
      case 'not':
        return sql<boolean>`(not ${this.node(n.operand, true)})`;
      default:
        return this.predicate(n, underNot);
    }
  }

  private predicate(n: Predicate, underNot: boolean): RawBuilder<boolean> {
    const field = n.field.text;
    if (field === 'labels' || field.startsWith('labels.')) {
      if (underNot) throw bad(`NOT operator is not supported with label queries (at position ${n.pos})`);
      return this.label(n, field.slice('labels.'.length));
    }
    if (field.startsWith('status.conditions.')) {
      if (underNot) throw bad(`NOT operator is not supported with condition queries (at position ${n.pos})`);
      return this.condition(n, field.slice('status.conditions.'.length).split('.'));
    }
    if (field.startsWith('spec.')) return this.spec(n, field.slice('spec.'.length).split('.'));
    const constant = own(this.constants, field);
    if (constant !== undefined) return this.constant(n, field, constant);
    const column = own(this.columns, field);
    if (!column) throw bad(`invalid field in search or order query: '${field}' (at position ${n.field.pos}); fields: ${searchFields(this.kind).join(', ')}`);
    return this.column(n, field, column);
  }

  // ---- plain columns -------------------------------------------------------------------------

  private column(n: Predicate, field: string, col: Column): RawBuilder<boolean> {
    const c = raw(col.sql);
    switch (n.kind) {
      case 'isNull':
        return sql`${c} is ${raw(n.negated ? 'not null' : 'null')}`;
      case 'compare': {
        if (col.type === 'uuid') {
          if (n.op !== '=' && n.op !== '!=') throw bad(`field '${field}' supports only =, !=, in and like`);
          const id = this.str(field, n.value);
          if (!UUID.test(id)) return n.op === '=' ? sql`false` : sql`${c} is not null`;
          return sql`${c} ${raw(SQL_OPS[n.op])} cast(${id.toLowerCase()} as uuid)`;
        }
        return sql`${c} ${raw(SQL_OPS[n.op])} ${this.value(field, col.type, n.value)}`;
      }
      case 'in': {
        if (col.type === 'uuid') {
          const ids = n.values.map((v) => this.str(field, v)).filter((v) => UUID.test(v));
          if (ids.length === 0) return n.negated ? sql`${c} is not null` : sql`false`;
          return sql`${c} ${raw(n.negated ? 'not in' : 'in')} (${sql.join(ids.map((id) => sql`cast(${id.toLowerCase()} as uuid)`))})`;
        }
        return sql`${c} ${raw(n.negated ? 'not in' : 'in')} (${sql.join(n.values.map((v) => this.value(field, col.type, v)))})`;
      }
      case 'like': {
        const target = col.type === 'text' ? c : col.type === 'uuid' ? sql`${c}::text` : undefined;
        if (!target) throw bad(`field '${field}' does not support ${n.caseInsensitive ? 'ilike' : 'like'}`);
        return sql`${target} ${this.likeOp(n)} ${this.pattern(field, n.pattern)}`;
      }
      case 'between': {
        if (col.type === 'uuid') throw bad(`field '${field}' does not support between`);
        return sql`${c} ${raw(n.negated ? 'not between' : 'between')} ${this.value(field, col.type, n.low)} and ${this.value(field, col.type, n.high)}`;
      }
    }
  }

  private value(field: string, type: ColumnType, lit: Literal): RawBuilder<unknown> {
    if (type === 'int') return sql`${this.int(field, lit)}`;
    if (type === 'time') return sql`cast(${this.time(field, lit)} as timestamptz)`;
    return sql`${this.str(field, lit)}`;
  }

  /** A field whose value is the same for every row of the kind (`kind`, `owner_kind`; null: a root kind's owner_kind). */
  private constant(n: Predicate, field: string, value: string | null): RawBuilder<boolean> {
    const truth = (b: boolean) => (b ? sql<boolean>`true` : sql<boolean>`false`);
    switch (n.kind) {
      case 'compare':
        if (n.op !== '=' && n.op !== '!=') throw bad(`field '${field}' supports only =, != and in`);
        // SQL's three values: a comparison with null is not true, either way
        if (value === null) return (this.str(field, n.value), truth(false));
        return truth((this.str(field, n.value) === value) === (n.op === '='));
      case 'in':
        if (value === null) return (n.values.forEach((v) => this.str(field, v)), truth(false));
        return truth(n.values.some((v) => this.str(field, v) === value) !== n.negated);
      case 'isNull':
        return truth((value === null) !== n.negated);
      default:
        throw bad(`field '${field}' supports only =, != and in`);
    }
  }

  private likeOp(n: Extract<Predicate, { kind: 'like' }>): RawBuilder<unknown> {
    return raw(`${n.negated ? 'not ' : ''}${n.caseInsensitive ? 'ilike' : 'like'}`);
  }

  // ---- labels --------------------------------------------------------------------------------

  /** A label predicate: an index-backed semi-join on labels; a missing label matches only `is null`. */
  private label(n: Predicate, key: string): RawBuilder<boolean> {
    const has = hasLabel(this.db, this.kind.kind, this.a, this.labelTest(n, key));
    return n.kind === 'isNull' && !n.negated ? sql<boolean>`not ${has}` : has;
  }

  /**
   * What a label row `l` of the resource must satisfy for `n`: its key and, except for `is null` /
   * `is not null` (which test only that the label exists), its value.
   */
  labelTest(n: Predicate, key: string): RawBuilder<boolean> {
    if (!key) throw bad(`a label field needs a key, e.g. labels.env (at position ${n.field.pos})`);
    const field = `labels.${key}`;
    const head = sql`l.key = ${key}`;
    switch (n.kind) {
      case 'isNull':
        return sql<boolean>`${head}`;
      case 'compare':
        return sql<boolean>`${head} and l.value ${raw(SQL_OPS[n.op])} ${this.str(field, n.value)}`;
      case 'in':
        return sql<boolean>`${head} and l.value ${raw(n.negated ? 'not in' : 'in')} (${sql.join(n.values.map((v) => sql`${this.str(field, v)}`))})`;
      case 'like':
        return sql<boolean>`${head} and l.value ${this.likeOp(n)} ${this.pattern(field, n.pattern)}`;
      case 'between':
        return sql<boolean>`${head} and l.value ${raw(n.negated ? 'not between' : 'between')} ${this.str(field, n.low)} and ${this.str(field, n.high)}`;
    }
  }

  // ---- spec ----------------------------------------------------------------------------------

  private spec(n: Predicate, path: string[]): RawBuilder<boolean> {
    const field = `spec.${path.join('.')}`;
    if (path.length === 0 || !path.every((s) => SPEC_SEGMENT.test(s))) throw bad(`invalid spec path '${field}': segments are letters, digits, '_' and '-' (at position ${n.field.pos})`);
    // segments are validated above, so the array literal needs no quoting
    const pathLiteral = `{${path.join(',')}}`;
    const json = () => sql`${raw(this.a)}.spec #> cast(${pathLiteral} as text[])`;
    const text = () => sql`${raw(this.a)}.spec #>> cast(${pathLiteral} as text[])`;
    const numeric = () => sql`(case when jsonb_typeof(${json()}) = 'number' then (${text()})::numeric end)`;
    switch (n.kind) {
      case 'isNull':
        return sql`coalesce(jsonb_typeof(${json()}), 'null') ${raw(n.negated ? '<>' : '=')} 'null'`;
      case 'compare':
        if (n.value.type === 'number') return sql`${numeric()} ${raw(SQL_OPS[n.op])} ${n.value.value}`;
        if (n.value.type === 'boolean') {
          if (n.op !== '=' && n.op !== '!=') throw bad(`booleans in '${field}' compare only with = and !=`);
          return sql`${json()} ${raw(n.op === '=' ? '=' : 'is distinct from')} cast(${String(n.value.value)} as jsonb)`;
        }
        return sql`${text()} ${raw(SQL_OPS[n.op])} ${this.str(field, n.value)}`;
      case 'in':
        if (n.values.length > 0 && n.values.every((v) => v.type === 'number'))
          return sql`${numeric()} ${raw(n.negated ? 'not in' : 'in')} (${sql.join(n.values.map((v) => sql`${(v as { value: number }).value}`))})`;
        return sql`${text()} ${raw(n.negated ? 'not in' : 'in')} (${sql.join(n.values.map((v) => sql`${this.str(field, v)}`))})`;
      case 'like':
        return sql`${text()} ${this.likeOp(n)} ${this.pattern(field, n.pattern)}`;
      case 'between':
        if (n.low.type === 'number' && n.high.type === 'number') return sql`${numeric()} ${raw(n.negated ? 'not between' : 'between')} ${n.low.value} and ${n.high.value}`;
        return sql`${text()} ${raw(n.negated ? 'not between' : 'between')} ${this.str(field, n.low)} and ${this.str(field, n.high)}`;
    }
  }

  // ---- conditions ----------------------------------------------------------------------------

  private condition(n: Predicate, parts: string[]): RawBuilder<boolean> {
    const [type, sub, ...rest] = parts;
    const field = `status.conditions.${parts.join('.')}`;
    if (!type || !CONDITION_TYPE.test(type) || rest.length) throw bad(`invalid field in search or order query: '${field}' (at position ${n.field.pos})`);
    if (sub === undefined) {
      if (n.kind !== 'compare' || n.op !== '=') throw bad(`condition '${type}' supports only = (e.g. status.conditions.${type}='True')`);
      const status = this.str(field, n.value);
      if (!['True', 'False', 'Unknown'].includes(status)) throw bad(`condition status must be 'True', 'False' or 'Unknown', got '${status}'`);
      // containment in the conditions' statuses, answered by their GIN index
      return sql`${raw(this.a)}.condition_statuses @> array[cast(${conditionStatus(type, status)} as text)]`;
    }
    const kind = own(CONDITION_FIELDS, sub);
    if (!kind) throw bad(`invalid field in search or order query: '${field}' (condition fields: ${Object.keys(CONDITION_FIELDS).join(', ')})`);
    const value = (lit: Literal) => (kind === 'int' ? sql`${this.int(field, lit)}` : sql`cast(${this.time(field, lit)} as timestamptz)`);
    const target = raw(kind === 'int' ? `(e.value ->> '${sub}')::int` : `(e.value ->> '${sub}')::timestamptz`);
    let test: RawBuilder<unknown>;
    switch (n.kind) {
      case 'compare':
        test = sql`${target} ${raw(SQL_OPS[n.op])} ${value(n.value)}`;
        break;
      case 'between':
        test = sql`${target} ${raw(n.negated ? 'not between' : 'between')} ${value(n.low)} and ${value(n.high)}`;
        break;
      case 'in':
        test = sql`${target} ${raw(n.negated ? 'not in' : 'in')} (${sql.join(n.values.map(value))})`;
        break;
      default:
        throw bad(`'${field}' supports only comparisons, in and between`);
    }
    return sql`exists (select 1 from jsonb_array_elements(${raw(this.a)}.conditions) e where e.value ->> 'type' = ${type} and ${test})`;
  }

  // ---- literals ------------------------------------------------------------------------------

  private str(field: string, lit: Literal): string {
    if (lit.type === 'string') return lit.value;
    throw bad(`field '${field}' expects a string value (at position ${lit.pos})`);
  }

  /** A LIKE pattern: a trailing unescaped backslash would escape nothing (PostgreSQL refuses it). */
  private pattern(field: string, lit: Literal): string {
    const text = this.str(field, lit);
    const trailing = /\\*$/.exec(text)![0].length;
    if (trailing % 2 === 1) throw bad(`the like pattern of '${field}' ends with a backslash, which escapes nothing (at position ${lit.pos}): write \\\\ for a backslash`);
    return text;
  }

  private int(field: string, lit: Literal): number {
    if (lit.type === 'number' && Number.isInteger(lit.value) && Math.abs(lit.value) < INT32) return lit.value;
    throw bad(`field '${field}' expects an integer (at position ${lit.pos})`);
  }

  private time(field: string, lit: Literal): string {
    const expected = `field '${field}' expects an RFC3339 timestamp (e.g. 2026-01-01T00:00:00Z) (at position ${lit.pos})`;
    if (lit.type !== 'string' || !TIME.test(lit.value)) throw bad(expected);
    const at = Date.parse(lit.value);
    if (Number.isNaN(at)) throw bad(expected);
    if (at < TIME_MIN || at > TIME_MAX) throw bad(`'${lit.value}' in field '${field}' is out of range: timestamps lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (at position ${lit.pos})`);
    return new Date(at).toISOString();
  }
}
