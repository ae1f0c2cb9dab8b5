import { Literal, parseSearch, SearchNode, SearchSyntaxError, ValidationError } from '@app/common';
import { conditionStatus, OwnerType } from '../resource.types';

/** A WHERE fragment with `?` placeholders and its parameters: user text only ever travels as a parameter. */
export interface CompiledFilter {
  sql: string;
  params: unknown[];
  /**
   * For a search that is one label predicate a resource matches by having a label (`labels.env='prod'`,
   * `in`, `like`, a range, `labels.env is not null`): a statement that counts its matches among all live
   * resources of the kind from the labels table alone. Each resource has at most one label per key, and
   * its labels are removed with it (in the same transaction), so the live labels that pass are exactly
   * the live resources that match: the count is an index-only scan of `labels_live_search_idx`, which
   * status reports never touch (they keep the resource rows' visibility map stale).
   */
  count?: { sql: string; params: readonly unknown[] };
}

type ColumnType = 'uuid' | 'text' | 'int' | 'time';
interface Column {
  sql: (a: string) => string;
  type: ColumnType;
}

const API = '/api/hyperfleet/v1';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;
const SPEC_SEGMENT = /^[A-Za-z0-9_-]+$/;
const CONDITION_TYPE = /^[A-Z][a-zA-Z0-9]*$/;
const CONDITION_FIELDS: Record<string, 'time' | 'int'> = { last_updated_time: 'time', last_transition_time: 'time', created_time: 'time', observed_generation: 'int' };
const INT32 = 2 ** 31;

const COMMON_COLUMNS: Record<string, Column> = {
  id: { sql: (a) => `${a}.id`, type: 'uuid' },
  name: { sql: (a) => `${a}.name`, type: 'text' },
  created_by: { sql: (a) => `${a}.created_by`, type: 'text' },
  updated_by: { sql: (a) => `${a}.updated_by`, type: 'text' },
  deleted_by: { sql: (a) => `${a}.deleted_by`, type: 'text' },
  generation: { sql: (a) => `${a}.generation`, type: 'int' },
  created_time: { sql: (a) => `${a}.created_time`, type: 'time' },
  updated_time: { sql: (a) => `${a}.updated_time`, type: 'time' },
  deleted_time: { sql: (a) => `${a}.deleted_time`, type: 'time' },
};

const COLUMNS: Record<OwnerType, Record<string, Column>> = {
  Cluster: { ...COMMON_COLUMNS, href: { sql: (a) => `('${API}/clusters/' || ${a}.id::text)`, type: 'text' } },
  NodePool: {
    ...COMMON_COLUMNS,
    href: { sql: (a) => `('${API}/clusters/' || ${a}.owner_id::text || '/nodepools/' || ${a}.id::text)`, type: 'text' },
    owner_id: { sql: (a) => `${a}.owner_id`, type: 'uuid' },
    owner_href: { sql: (a) => `('${API}/clusters/' || ${a}.owner_id::text)`, type: 'text' },
  },
};

/** Constant fields: compared in the compiler, they become TRUE or FALSE. */
const CONSTANTS: Record<OwnerType, Record<string, string>> = {
  Cluster: { kind: 'Cluster' },
  NodePool: { kind: 'NodePool', owner_kind: 'Cluster' },
};

const SQL_OPS = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

const bad = (detail: string): ValidationError => ValidationError.badRequest(detail);

/** `map[key]` for the map's own keys only (a field named `constructor` is not Object.prototype.constructor). */
const own = <T>(map: Record<string, T>, key: string): T | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

/**
 * Compiles a `search` expression (CONTRACT §6) for one resource kind into a parameterized WHERE
 * fragment over the table aliased `alias`. Fields: columns, `labels.<key>`, `spec.<path>`,
 * `status.conditions.<Type>[.<field>]`. Every error is 400 HYPERFLEET-VAL-005.
 */
export function compileSearch(text: string, kind: OwnerType, alias = 'r'): CompiledFilter {
  let ast: SearchNode;
  try {
    ast = parseSearch(text);
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw bad(`failed to parse search query: ${err.message}`);
    throw err;
  }
  const params: unknown[] = [];
  const sql = new Compiler(kind, alias, params).node(ast, false);
  return { sql, params, count: labelCount(ast, kind) };
}

/** CompiledFilter.count, for a search that is one label predicate matched by having the label; else none. */
function labelCount(ast: SearchNode, kind: OwnerType): CompiledFilter['count'] {
  if (!('field' in ast) || !ast.field.text.startsWith('labels.') || (ast.kind === 'isNull' && !ast.negated)) return undefined;
  const params: unknown[] = [];
  const test = new Compiler(kind, 'r', params).labelTest(ast, ast.field.text.slice('labels.'.length));
  return { sql: `select count(*) as count from labels l where l.owner_type = '${kind}' and ${test}`, params };
}

class Compiler {
  constructor(
    private readonly kind: OwnerType,
    private readonly a: string,
    private readonly params: unknown[],
  ) {}

  private p(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  node(n: SearchNode, underNot: boolean): string {
    switch (n.kind) {
      case 'and':
      case 'or':
        return `(${this.node(n.left, underNot)} ${n.kind} ${this.node(n.right, underNot)})`;
      case 'not':
        return `(not ${this.node(n.operand, true)})`;
      default:
        return this.predicate(n, underNot);
    }
  }

  private predicate(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, underNot: boolean): string {
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
    const constant = own(CONSTANTS[this.kind], field);
    if (constant !== undefined) return this.constant(n, field, constant);
    const column = own(COLUMNS[this.kind], field);
    if (!column) throw bad(`invalid field in search or order query: '${field}' (at position ${n.field.pos})`);
    return this.column(n, field, column);
  }

  // ---- plain columns -------------------------------------------------------------------------

  private column(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, field: string, col: Column): string {
    const c = col.sql(this.a);
    switch (n.kind) {
      case 'isNull':
        return `${c} is ${n.negated ? 'not ' : ''}null`;
      case 'compare': {
        if (col.type === 'uuid') {
          if (n.op !== '=' && n.op !== '!=') throw bad(`field '${field}' supports only =, !=, in and like`);
          const id = this.str(field, n.value);
          if (!UUID.test(id)) return n.op === '=' ? 'false' : `${c} is not null`;
          return `${c} ${SQL_OPS[n.op]} cast(${this.p(id.toLowerCase())} as uuid)`;
        }
        return `${c} ${SQL_OPS[n.op]} ${this.value(field, col.type, n.value)}`;
      }
      case 'in': {
        if (col.type === 'uuid') {
          const ids = n.values.map((v) => this.str(field, v)).filter((v) => UUID.test(v));
          if (ids.length === 0) return n.negated ? `${c} is not null` : 'false';
          return `${c} ${n.negated ? 'not in' : 'in'} (${ids.map((id) => `cast(${this.p(id.toLowerCase())} as uuid)`).join(', ')})`;
        }
        return `${c} ${n.negated ? 'not in' : 'in'} (${n.values.map((v) => this.value(field, col.type, v)).join(', ')})`;
      }
      case 'like': {
        const target = col.type === 'text' ? c : col.type === 'uuid' ? `${c}::text` : undefined;
        if (!target) throw bad(`field '${field}' does not support ${n.caseInsensitive ? 'ilike' : 'like'}`);
        return `${target} ${n.negated ? 'not ' : ''}${n.caseInsensitive ? 'ilike' : 'like'} ${this.p(this.str(field, n.pattern))}`;
      }
      case 'between': {
        if (col.type === 'uuid') throw bad(`field '${field}' does not support between`);
        return `${c} ${n.negated ? 'not ' : ''}between ${this.value(field, col.type, n.low)} and ${this.value(field, col.type, n.high)}`;
      }
    }
  }

  private value(field: string, type: ColumnType, lit: Literal): string {
    if (type === 'int') return this.p(this.int(field, lit));
    if (type === 'time') return `cast(${this.p(this.time(field, lit))} as timestamptz)`;
    return this.p(this.str(field, lit));
  }

  private constant(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, field: string, value: string): string {
    const truth = (b: boolean) => (b ? 'true' : 'false');
    switch (n.kind) {
      case 'compare':
        if (n.op !== '=' && n.op !== '!=') throw bad(`field '${field}' supports only =, != and in`);
        return truth((this.str(field, n.value) === value) === (n.op === '='));
      case 'in':
        return truth(n.values.some((v) => this.str(field, v) === value) !== n.negated);
      case 'isNull':
        return truth(n.negated);
      default:
        throw bad(`field '${field}' supports only =, != and in`);
    }
  }

  // ---- labels --------------------------------------------------------------------------------

  /** A label predicate: an index-backed semi-join on labels; a missing label matches only `is null`. */
  private label(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, key: string): string {
    const test = this.labelTest(n, key);
    const has = `exists (select 1 from labels l where l.owner_type = '${this.kind}' and l.owner_id = ${this.a}.id and ${test})`;
    return n.kind === 'isNull' && !n.negated ? `not ${has}` : has;
  }

  /**
   * What a live label row `l` of the resource must satisfy for `n`: its key and, except for `is null` /
   * `is not null` (which test only that the label exists), its value.
   */
  labelTest(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, key: string): string {
    if (!key) throw bad(`a label field needs a key, e.g. labels.env (at position ${n.field.pos})`);
    const field = `labels.${key}`;
    // parameters are pushed in the order their placeholders appear: the key first, then the value test
    const head = `l.key = ${this.p(key)} and l.deleted_at is null`;
    switch (n.kind) {
      case 'isNull':
        return head;
      case 'compare':
        return `${head} and l.value ${SQL_OPS[n.op]} ${this.p(this.str(field, n.value))}`;
      case 'in':
        return `${head} and l.value ${n.negated ? 'not in' : 'in'} (${n.values.map((v) => this.p(this.str(field, v))).join(', ')})`;
      case 'like':
        return `${head} and l.value ${n.negated ? 'not ' : ''}${n.caseInsensitive ? 'ilike' : 'like'} ${this.p(this.str(field, n.pattern))}`;
      case 'between':
        return `${head} and l.value ${n.negated ? 'not ' : ''}between ${this.p(this.str(field, n.low))} and ${this.p(this.str(field, n.high))}`;
    }
  }

  // ---- spec ----------------------------------------------------------------------------------

  private spec(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, path: string[]): string {
    const field = `spec.${path.join('.')}`;
    if (path.length === 0 || !path.every((s) => SPEC_SEGMENT.test(s))) throw bad(`invalid spec path '${field}': segments are letters, digits, '_' and '-' (at position ${n.field.pos})`);
    // segments are validated above, so the array literal needs no quoting
    const pathLiteral = `{${path.join(',')}}`;
    const json = () => `${this.a}.spec #> cast(${this.p(pathLiteral)} as text[])`;
    const text = () => `${this.a}.spec #>> cast(${this.p(pathLiteral)} as text[])`;
    const numeric = () => `(case when jsonb_typeof(${json()}) = 'number' then (${text()})::numeric end)`;
    switch (n.kind) {
      case 'isNull':
        return n.negated ? `coalesce(jsonb_typeof(${json()}), 'null') <> 'null'` : `coalesce(jsonb_typeof(${json()}), 'null') = 'null'`;
      case 'compare':
        if (n.value.type === 'number') return `${numeric()} ${SQL_OPS[n.op]} ${this.p(n.value.value)}`;
        if (n.value.type === 'boolean') {
          if (n.op !== '=' && n.op !== '!=') throw bad(`booleans in '${field}' compare only with = and !=`);
          return `${json()} ${n.op === '=' ? '=' : 'is distinct from'} cast(${this.p(String(n.value.value))} as jsonb)`;
        }
        return `${text()} ${SQL_OPS[n.op]} ${this.p(this.str(field, n.value))}`;
      case 'in':
        if (n.values.length > 0 && n.values.every((v) => v.type === 'number')) return `${numeric()} ${n.negated ? 'not in' : 'in'} (${n.values.map((v) => this.p((v as { value: number }).value)).join(', ')})`;
        return `${text()} ${n.negated ? 'not in' : 'in'} (${n.values.map((v) => this.p(this.str(field, v))).join(', ')})`;
      case 'like':
        return `${text()} ${n.negated ? 'not ' : ''}${n.caseInsensitive ? 'ilike' : 'like'} ${this.p(this.str(field, n.pattern))}`;
      case 'between':
        if (n.low.type === 'number' && n.high.type === 'number') return `${numeric()} ${n.negated ? 'not ' : ''}between ${this.p(n.low.value)} and ${this.p(n.high.value)}`;
        return `${text()} ${n.negated ? 'not ' : ''}between ${this.p(this.str(field, n.low))} and ${this.p(this.str(field, n.high))}`;
    }
  }

  // ---- conditions ----------------------------------------------------------------------------

  private condition(n: Exclude<SearchNode, { kind: 'and' | 'or' | 'not' }>, parts: string[]): string {
    const [type, sub, ...rest] = parts;
    const field = `status.conditions.${parts.join('.')}`;
    if (!type || !CONDITION_TYPE.test(type) || rest.length) throw bad(`invalid field in search or order query: '${field}' (at position ${n.field.pos})`);
    if (sub === undefined) {
      if (n.kind !== 'compare' || n.op !== '=') throw bad(`condition '${type}' supports only = (e.g. status.conditions.${type}='True')`);
      const status = this.str(field, n.value);
      if (!['True', 'False', 'Unknown'].includes(status)) throw bad(`condition status must be 'True', 'False' or 'Unknown', got '${status}'`);
      // containment in the conditions' statuses, answered by their GIN index
      return `${this.a}.condition_statuses @> array[cast(${this.p(conditionStatus(type, status))} as text)]`;
    }
    const kind = own(CONDITION_FIELDS, sub);
    if (!kind) throw bad(`invalid field in search or order query: '${field}' (condition fields: ${Object.keys(CONDITION_FIELDS).join(', ')})`);
    const value = (lit: Literal) => (kind === 'int' ? this.p(this.int(field, lit)) : `cast(${this.p(this.time(field, lit))} as timestamptz)`);
    const target = kind === 'int' ? `(e.value ->> '${sub}')::int` : `(e.value ->> '${sub}')::timestamptz`;
    const head = `exists (select 1 from jsonb_array_elements(${this.a}.conditions) e where e.value ->> 'type' = ${this.p(type)} and `;
    let test: string;
    switch (n.kind) {
      case 'compare':
        test = `${target} ${SQL_OPS[n.op]} ${value(n.value)}`;
        break;
      case 'between':
        test = `${target} ${n.negated ? 'not ' : ''}between ${value(n.low)} and ${value(n.high)}`;
        break;
      case 'in':
        test = `${target} ${n.negated ? 'not in' : 'in'} (${n.values.map(value).join(', ')})`;
        break;
      default:
        throw bad(`'${field}' supports only comparisons, in and between`);
    }
    return `${head}${test})`;
  }

  // ---- literals ------------------------------------------------------------------------------

  private str(field: string, lit: Literal): string {
    if (lit.type === 'string') return lit.value;
    throw bad(`field '${field}' expects a string value (at position ${lit.pos})`);
  }

  private int(field: string, lit: Literal): number {
    if (lit.type === 'number' && Number.isInteger(lit.value) && Math.abs(lit.value) < INT32) return lit.value;
    throw bad(`field '${field}' expects an integer (at position ${lit.pos})`);
  }

  private time(field: string, lit: Literal): string {
    if (lit.type === 'string' && TIME.test(lit.value) && !Number.isNaN(Date.parse(lit.value))) return new Date(lit.value).toISOString();
    throw bad(`field '${field}' expects an RFC3339 timestamp (e.g. 2026-01-01T00:00:00Z) (at position ${lit.pos})`);
  }
}
