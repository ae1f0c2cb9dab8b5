import { parse, type DeleteStmt, type InsertStmt, type MergeStmt, type Node, type ParseResult, type RangeVar, type SelectStmt, type UpdateStmt, type WithClause } from 'libpg-query';

/** A listed table read at a statement level, with the join conditions (ON) that filter its rows. */
interface Use {
  relation: RangeVar;
  quals: readonly Node[];
}

/**
 * Checks one SQL text against the live-row rule (CONTRACT D4), independently of the Kysely plugin that
 * enforces it: PostgreSQL's own parser reads the statement, and every reference to one of `tables`
 * (by name, whatever the schema) in a FROM, JOIN, USING, UPDATE or DELETE position, at any depth
 * (subqueries, CTEs, lateral subqueries, set operations, INSERT … SELECT), must have
 * `<alias or table>.<column> IS NULL` as a top-level conjunct (through ANDs only, not under OR or NOT)
 * of the WHERE of its statement level, or of the ON of a join that filters it: an inner join's ON
 * filters both sides, a left join's only its right side, a right join's only its left side, a full
 * join's neither. An unqualified `<column> IS NULL` counts when the level reads that one table alone.
 *
 * Exempt: an INSERT's target and its ON CONFLICT … DO UPDATE (which names no table; subqueries in it are
 * still checked). Reported besides: a statement that does not parse, a CTE named like a listed table
 * (it hides the table), MERGE on a listed table, and a listed table anywhere the audit does not know.
 * `FOR UPDATE OF` names aliases, not tables, and is not checked.
 *
 * Returns the violations, each naming the table, its alias and its 1-based character position; none
 * means the statement honours the rule.
 */
export async function auditLiveRows(sql: string, tables: ReadonlySet<string>, column = 'deleted_at'): Promise<string[]> {
  let tree: ParseResult;
  try {
    tree = await parse(sql);
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = details?.cursorPosition !== undefined ? ` at character ${details.cursorPosition + 1}` : '';
    return [`does not parse: ${err instanceof Error ? err.message : String(err)}${at}`];
  }
  const audit = new LiveRowsAudit(sql, tables, column);
  for (const raw of tree.stmts ?? []) audit.walk(raw.stmt);
  return audit.violations;
}

/** The top-level conjuncts of a condition: through ANDs, not into OR or NOT. */
function conjuncts(expr: Node | undefined): Node[] {
  if (!expr) return [];
  if ('BoolExpr' in expr && expr.BoolExpr.boolop === 'AND_EXPR') return (expr.BoolExpr.args ?? []).flatMap(conjuncts);
  return [expr];
}

/** The names of a column reference (`r.deleted_at` → ['r', 'deleted_at']); undefined for anything else. */
function columnNames(expr: Node | undefined): string[] | undefined {
  if (!expr || !('ColumnRef' in expr)) return undefined;
  const names: string[] = [];
  for (const field of expr.ColumnRef.fields ?? []) {
    if (!('String' in field) || field.String.sval === undefined) return undefined;
    names.push(field.String.sval);
  }
  return names;
}

/** The single RangeVar a level reads, when it reads exactly one item and that is a table. */
function only(items: readonly Node[] | undefined): RangeVar | undefined {
  return items?.length === 1 && 'RangeVar' in items[0] ? items[0].RangeVar : undefined;
}

class LiveRowsAudit {
  readonly violations: string[] = [];
  private readonly bytes: Buffer;

  constructor(
    sql: string,
    private readonly tables: ReadonlySet<string>,
    private readonly column: string,
  ) {
    this.bytes = Buffer.from(sql, 'utf8');
  }

  /** Any part of the tree: statements are checked level by level; a listed table found elsewhere is reported. */
  walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'SelectStmt') this.select(child as SelectStmt);
      else if (key === 'InsertStmt') this.insert(child as InsertStmt);
      else if (key === 'UpdateStmt') this.update(child as UpdateStmt);
      else if (key === 'DeleteStmt') this.delete(child as DeleteStmt);
      else if (key === 'MergeStmt') this.merge(child as MergeStmt);
      else if (key === 'RangeVar') this.stray(child as RangeVar);
      else this.walk(child);
    }
  }

  private select(stmt: SelectStmt): void {
    this.with(stmt.withClause);
    if (stmt.op && stmt.op !== 'SETOP_NONE') {
      if (stmt.larg) this.select(stmt.larg);
      if (stmt.rarg) this.select(stmt.rarg);
    } else {
      const uses: Use[] = [];
      for (const item of stmt.fromClause ?? []) this.fromItem(item, uses, []);
      this.check(uses, stmt.whereClause, only(stmt.fromClause));
      this.walk([stmt.targetList, stmt.whereClause, stmt.groupClause, stmt.havingClause, stmt.windowClause, stmt.valuesLists, stmt.distinctClause]);
    }
    // not the lockingClause: FOR UPDATE OF names aliases
    this.walk([stmt.sortClause, stmt.limitOffset, stmt.limitCount]);
  }

  private insert(stmt: InsertStmt): void {
    this.with(stmt.withClause);
    // not stmt.relation: the target gets new rows; the ON CONFLICT clause names no table, its subqueries are walked
    this.walk([stmt.selectStmt, stmt.onConflictClause, stmt.returningClause]);
  }

  private update(stmt: UpdateStmt): void {
    this.with(stmt.withClause);
    const uses: Use[] = [];
    if (stmt.relation && this.listed(stmt.relation)) uses.push({ relation: stmt.relation, quals: [] });
    for (const item of stmt.fromClause ?? []) this.fromItem(item, uses, []);
    this.check(uses, stmt.whereClause, stmt.fromClause?.length ? undefined : stmt.relation);
    this.walk([stmt.targetList, stmt.whereClause, stmt.returningClause]);
  }

  private delete(stmt: DeleteStmt): void {
    this.with(stmt.withClause);
    const uses: Use[] = [];
    if (stmt.relation && this.listed(stmt.relation)) uses.push({ relation: stmt.relation, quals: [] });
    for (const item of stmt.usingClause ?? []) this.fromItem(item, uses, []);
    this.check(uses, stmt.whereClause, stmt.usingClause?.length ? undefined : stmt.relation);
    this.walk([stmt.whereClause, stmt.returningClause]);
  }

  private merge(stmt: MergeStmt): void {
    this.with(stmt.withClause);
    if (stmt.relation && this.listed(stmt.relation)) this.report(stmt.relation, 'MERGE into a listed table is not audited');
    this.walk([stmt.sourceRelation, stmt.joinCondition, stmt.mergeWhenClauses, stmt.returningClause]);
  }

  /** CTEs: each is a statement of its own; one named like a listed table hides the table. */
  private with(clause: WithClause | undefined): void {
    for (const node of clause?.ctes ?? []) {
      if (!('CommonTableExpr' in node)) continue;
      const cte = node.CommonTableExpr;
      if (cte.ctename && this.tables.has(cte.ctename)) {
        this.violations.push(`CTE ${cte.ctename} at character ${this.character(cte.location)}: hides the listed table of that name`);
      }
      this.walk(cte.ctequery);
    }
  }

  /** A FROM (or USING) item: its listed tables join `uses`, with the ONs (`quals`) that filter them. */
  private fromItem(node: Node, uses: Use[], quals: readonly Node[]): void {
    if ('RangeVar' in node) {
      if (this.listed(node.RangeVar)) uses.push({ relation: node.RangeVar, quals });
      return;
    }
    if ('JoinExpr' in node) {
      const join = node.JoinExpr;
      const on = join.quals ? [...quals, join.quals] : quals;
      // an outer join's ON filters only the side it null-extends
      if (join.larg) this.fromItem(join.larg, uses, join.jointype === 'JOIN_INNER' || join.jointype === 'JOIN_RIGHT' ? on : quals);
      if (join.rarg) this.fromItem(join.rarg, uses, join.jointype === 'JOIN_INNER' || join.jointype === 'JOIN_LEFT' ? on : quals);
      this.walk(join.quals);
      return;
    }
    // subqueries (lateral or not) and functions: statements of their own inside
    this.walk(node);
  }

  private check(uses: readonly Use[], where: Node | undefined, single: RangeVar | undefined): void {
    const top = conjuncts(where);
    for (const { relation, quals } of uses) {
      if (this.holds(top, relation, relation === single) || quals.some((q) => this.holds(conjuncts(q), relation, false))) continue;
      const name = relation.alias?.aliasname ?? relation.relname;
      this.report(relation, `no "${name}.${this.column} is null" in the WHERE of its level or in a join's ON that filters it`);
    }
  }

  /** Whether `<relation>.<column> IS NULL` is among `terms` (unqualified too when `unqualified`). */
  private holds(terms: readonly Node[], relation: RangeVar, unqualified: boolean): boolean {
    return terms.some((term) => {
      if (!('NullTest' in term) || term.NullTest.nulltesttype !== 'IS_NULL' || term.NullTest.argisrow) return false;
      const names = columnNames(term.NullTest.arg);
      if (!names || names[names.length - 1] !== this.column) return false;
      const qualifier = names.slice(0, -1);
      const alias = relation.alias?.aliasname;
      if (qualifier.length === 0) return unqualified;
      if (qualifier.length === 1) return qualifier[0] === (alias ?? relation.relname);
      return qualifier.length === 2 && alias === undefined && qualifier[0] === relation.schemaname && qualifier[1] === relation.relname;
    });
  }

  private stray(relation: RangeVar): void {
    if (this.listed(relation)) this.report(relation, 'in a position the audit does not check');
  }

  private listed(relation: RangeVar): boolean {
    return relation.relname !== undefined && this.tables.has(relation.relname);
  }

  private report(relation: RangeVar, problem: string): void {
    const alias = relation.alias?.aliasname;
    this.violations.push(`${relation.relname}${alias ? ` as ${alias}` : ''} at character ${this.character(relation.location)}: ${problem}`);
  }

  /** The parser's byte offset as a 1-based character position. */
  private character(location: number | undefined): number {
    return this.bytes.subarray(0, location ?? 0).toString('utf8').length + 1;
  }
}
