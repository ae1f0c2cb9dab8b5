import type { EntityManager, EntityProperty, MetadataStorage } from '@mikro-orm/core';
import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  DeleteQueryNode,
  IdentifierNode,
  JoinNode,
  type JoinType,
  type KyselyPlugin,
  ListNode,
  MergeQueryNode,
  OnNode,
  type OperationNode,
  OperationNodeTransformer,
  OperatorNode,
  ParensNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  ReferenceNode,
  type RootOperationNode,
  SelectQueryNode,
  TableNode,
  type UnknownRow,
  UpdateQueryNode,
  ValueNode,
  WhereNode,
  WithNode,
} from 'kysely';

/** The one definition of a live row (CONTRACT D4): its removal mark is unset. */
export const LIVE_ROW = { property: 'deletedAt', column: 'deleted_at' } as const;

/** Name of the global filter; pass `{ filters: { [SOFT_DELETE]: false } }` to see removed rows. */
export const SOFT_DELETE = 'softDelete';

/**
 * MikroORM's global soft-delete filter (CONTRACT D4), built from `LIVE_ROW`: on by default for every
 * entity with the `LIVE_ROW.property`. Hand-built statements get the same condition from `LiveRowsPlugin`.
 */
export const softDeleteFilter = {
  name: SOFT_DELETE,
  default: true,
  args: false,
  cond: (_args: Record<string, unknown>, _type: 'read' | 'update' | 'delete', em: EntityManager, _options?: unknown, entityName?: string) =>
    entityName && em.getMetadata().getByClassName(entityName, false)?.properties[LIVE_ROW.property as never] ? { [LIVE_ROW.property]: null } : {},
};

/**
 * Tables of the entities that have `LIVE_ROW.property`, from MikroORM's metadata (abstract entities,
 * embeddables, virtual entities and views have no table of their own). Throws when one of them stores
 * the property in another column than `LIVE_ROW.column`: the plugin names one column for all tables.
 */
export function softDeletableTables(metadata: MetadataStorage): ReadonlySet<string> {
  const tables = new Set<string>();
  for (const meta of metadata.getAll().values()) {
    if (meta.abstract || meta.embeddable || meta.virtual || meta.view) continue;
    const prop = meta.properties[LIVE_ROW.property as never] as EntityProperty | undefined;
    if (!prop) continue;
    if (prop.fieldNames?.length !== 1 || prop.fieldNames[0] !== LIVE_ROW.column) {
      throw new Error(`${meta.className}.${LIVE_ROW.property} is stored in ${String(prop.fieldNames)}, not in ${LIVE_ROW.column}`);
    }
    tables.add(meta.tableName);
  }
  return tables;
}

/** Joins whose ON filters the joined table (inner joins, and the nullable side of a left join). */
const ON_JOINS: ReadonlySet<JoinType> = new Set<JoinType>(['InnerJoin', 'LeftJoin', 'LateralInnerJoin', 'LateralLeftJoin']);
/** Joins without ON: the joined table's condition goes into the WHERE, as a FROM item's does. */
const WHERE_JOINS: ReadonlySet<JoinType> = new Set<JoinType>(['CrossJoin', 'LateralCrossJoin', 'CrossApply']);
/** Joins whose preserved side would lose rows to a condition in the ON or the WHERE: refused at a level with a listed table. */
const OUTER_JOINS: ReadonlySet<JoinType> = new Set<JoinType>(['RightJoin', 'FullJoin', 'OuterApply']);

/** Nodes that hold no statement, walked no further (a ValueNode's value may be any object, even one with a `kind`). */
const LEAVES: ReadonlySet<string> = new Set([
  'ValueNode',
  'PrimitiveValueListNode',
  'IdentifierNode',
  'SchemableIdentifierNode',
  'TableNode',
  'ColumnNode',
  'ReferenceNode',
  'OperatorNode',
  'SelectAllNode',
  'DataTypeNode',
  'DefaultInsertValueNode',
]);

/** Conditions that stay one term when `and …` follows them; any other (an OR, raw SQL) is put in parentheses. */
const ONE_TERM: ReadonlySet<string> = new Set(['BinaryOperationNode', 'ParensNode', 'UnaryOperationNode', 'FunctionNode', 'ReferenceNode', 'ValueNode', 'CastNode']);

const isNode = (value: unknown): value is OperationNode => typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';

/** The WHERE or ON condition `expr` (none: undefined) with `cond` ANDed in as a top-level conjunct. */
function conjoin(expr: OperationNode | undefined, cond: OperationNode): OperationNode {
  return expr ? AndNode.create(oneTermEach(expr), cond) : cond;
}

/** The top-level conjuncts of `expr`, each made one term (so that `a or b` cannot absorb what is ANDed after it). */
function oneTermEach(expr: OperationNode): OperationNode {
  if (AndNode.is(expr)) {
    const left = oneTermEach(expr.left);
    const right = oneTermEach(expr.right);
    return left === expr.left && right === expr.right ? expr : AndNode.create(left, right);
  }
  return ONE_TERM.has(expr.kind) ? expr : ParensNode.create(expr);
}

const tableName = (item: OperationNode) => ((AliasNode.is(item) ? item.node : item) as TableNode).table.identifier.name;

const sameIdentifier = (a: IdentifierNode | undefined, b: IdentifierNode | undefined) => a?.name === b?.name;

/**
 * Kysely's transformer, walking the tree as it stands: the base class copies every node it visits; this
 * one rebuilds only the nodes on the way to a change and returns every other node as it is, so a
 * statement without a listed table comes back unchanged, and a statement already transformed too.
 */
class LiveRowsTransformer extends OperationNodeTransformer {
  constructor(
    private readonly tables: ReadonlySet<string>,
    private readonly column: string,
  ) {
    super();
  }

  /** Forgets a walk that ended in an error. */
  reset(): void {
    this.nodeStack.length = 0;
  }

  protected override transformNodeImpl<T extends OperationNode>(node: T, queryId?: QueryId): T {
    if (LEAVES.has(node.kind)) return node;
    let out: OperationNode = this.children(node, queryId);
    if (SelectQueryNode.is(out)) out = this.select(out);
    else if (UpdateQueryNode.is(out)) out = this.update(out);
    else if (DeleteQueryNode.is(out)) out = this.delete(out);
    else if (WithNode.is(out)) this.refuseShadowing(out);
    else if (MergeQueryNode.is(out)) this.refuseMerge(out);
    // InsertQueryNode: the target gets new rows, so it is not filtered; its SELECT, CTEs and subqueries
    // were transformed above. ON CONFLICT … DO UPDATE is not filtered either: it updates the row that holds
    // the key, removed or not (the label upsert revives a removed label that way).
    return out as T;
  }

  /** `node` with its child nodes transformed; `node` itself when none changed. */
  private children<T extends OperationNode>(node: T, queryId?: QueryId): T {
    const fields = node as unknown as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key in fields) {
      const value = fields[key];
      let next = value;
      if (Array.isArray(value)) next = this.list(value, queryId);
      else if (isNode(value)) next = this.transformNode(value, queryId);
      if (next !== value) (copy ??= { ...fields })[key] = next;
    }
    return (copy ?? node) as T;
  }

  private list(values: readonly unknown[], queryId?: QueryId): readonly unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const next = isNode(value) ? this.transformNode(value, queryId) : value;
      if (next !== value) (copy ??= values.slice())[i] = next;
    }
    return copy ? Object.freeze(copy) : values;
  }

  private select(node: SelectQueryNode): SelectQueryNode {
    const level = this.level(node.from?.froms ?? [], node.joins, node.where);
    return level ? Object.freeze({ ...node, joins: level.joins, where: level.where }) : node;
  }

  private update(node: UpdateQueryNode): UpdateQueryNode {
    const targets = node.table ? (ListNode.is(node.table) ? node.table.items : [node.table]) : [];
    const level = this.level([...targets, ...(node.from?.froms ?? [])], node.joins, node.where);
    return level ? Object.freeze({ ...node, joins: level.joins, where: level.where }) : node;
  }

  private delete(node: DeleteQueryNode): DeleteQueryNode {
    const level = this.level([...node.from.froms, ...(node.using?.tables ?? [])], node.joins, node.where);
    return level ? Object.freeze({ ...node, joins: level.joins, where: level.where }) : node;
  }

  /**
   * One statement level: each listed table among `sources` (FROM, the UPDATE target, USING) gets its
   * condition in the WHERE; each joined one in its join's ON (a cross join has none: the WHERE). Undefined
   * when every condition is there already.
   */
  private level(sources: readonly OperationNode[], joins: readonly JoinNode[] | undefined, where: WhereNode | undefined): { joins: readonly JoinNode[] | undefined; where: WhereNode | undefined } | undefined {
    let filter = where?.where;
    let changed = false;
    const add = (expr: OperationNode | undefined, ref: TableNode) => {
      if (expr && this.holds(expr, ref)) return expr;
      changed = true;
      return conjoin(expr, this.condition(ref));
    };
    let listed = false;
    for (const source of sources) {
      const ref = this.liveReference(source);
      if (!ref) continue;
      listed = true;
      filter = add(filter, ref);
    }
    let newJoins: JoinNode[] | undefined;
    for (let i = 0; i < (joins?.length ?? 0); i++) {
      const join = joins![i];
      const ref = this.liveReference(join.table);
      if (!ref) continue;
      listed = true;
      if (WHERE_JOINS.has(join.joinType)) {
        filter = add(filter, ref);
      } else if (ON_JOINS.has(join.joinType)) {
        const on = add(join.on?.on, ref);
        if (on !== join.on?.on) (newJoins ??= joins!.slice())[i] = JoinNode.createWithOn(join.joinType, join.table, on);
      } else {
        throw new Error(`LiveRowsPlugin: ${join.joinType} of ${tableName(join.table)}: only inner, left and cross joins (lateral or not) of a soft-deletable table can be given the live-row condition`);
      }
    }
    if (listed && joins?.some((j) => OUTER_JOINS.has(j.joinType))) {
      throw new Error('LiveRowsPlugin: a right or full join next to a soft-deletable table would lose its outer rows to the live-row condition; write it as a left join');
    }
    if (!changed) return undefined;
    return { joins: newJoins ? Object.freeze(newJoins) : joins, where: filter === where?.where ? where : WhereNode.create(filter!) };
  }

  /** How a listed table in a FROM, JOIN, USING or UPDATE position is referred to: its alias, else itself. */
  private liveReference(item: OperationNode): TableNode | undefined {
    const table = AliasNode.is(item) ? item.node : item;
    if (!TableNode.is(table) || !this.tables.has(table.table.identifier.name)) return undefined;
    if (!AliasNode.is(item)) return table;
    if (!IdentifierNode.is(item.alias)) throw new Error(`LiveRowsPlugin: the alias of ${tableName(item)} must be a plain name`);
    return TableNode.create(item.alias.name);
  }

  /** `<ref>.<column> is null` */
  private condition(ref: TableNode): OperationNode {
    return BinaryOperationNode.create(ReferenceNode.create(ColumnNode.create(this.column), ref), OperatorNode.create('is'), ValueNode.createImmediate(null));
  }

  /** Whether `<ref>.<column> is null` is a top-level conjunct of `expr` (added by an earlier pass, or by hand). */
  private holds(expr: OperationNode, ref: TableNode): boolean {
    if (AndNode.is(expr)) return this.holds(expr.left, ref) || this.holds(expr.right, ref);
    if (ParensNode.is(expr)) return this.holds(expr.node, ref);
    if (!BinaryOperationNode.is(expr)) return false;
    const { leftOperand: left, operator, rightOperand: right } = expr;
    return (
      OperatorNode.is(operator) &&
      operator.operator === 'is' &&
      ValueNode.is(right) &&
      right.value === null &&
      ReferenceNode.is(left) &&
      ColumnNode.is(left.column) &&
      left.column.column.name === this.column &&
      left.table !== undefined &&
      sameIdentifier(left.table.table.identifier, ref.table.identifier) &&
      sameIdentifier(left.table.table.schema, ref.table.schema)
    );
  }

  /** A CTE named like a listed table would hide the table from the statement: refused. */
  private refuseShadowing(node: WithNode): void {
    for (const cte of node.expressions) {
      const name = cte.name.table.table.identifier.name;
      if (this.tables.has(name)) throw new Error(`LiveRowsPlugin: the CTE ${name} hides the soft-deletable table of that name; rename it`);
    }
  }

  /** MERGE has no place for the condition that keeps its semantics: refused on a listed table. */
  private refuseMerge(node: MergeQueryNode): void {
    if (this.liveReference(node.into) || (node.using && this.liveReference(node.using.table))) {
      throw new Error('LiveRowsPlugin: MERGE into or using a soft-deletable table is not supported');
    }
  }
}

/**
 * Kysely plugin for the live-row rule (CONTRACT D4): in every statement, each reference to one of
 * `tables` gets `<alias or table>.<column> is null` as a top-level conjunct of its statement level's
 * WHERE (FROM items, the UPDATE target, DELETE's FROM and USING tables, cross joins) or of its join's ON
 * (inner and left joins, lateral or not, so a left join stays a left join). CTEs, subqueries anywhere,
 * set operations and query builders embedded in `sql` fragments are transformed too.
 *
 * Not filtered: an INSERT's target (new rows) and its `ON CONFLICT … DO UPDATE`, which updates the row
 * holding the key whether it is removed or not. Refused with an error at compile time: right and full
 * joins at a level with a listed table, MERGE on a listed table, a CTE named like a listed table.
 * A condition already present is recognised, so transforming twice adds nothing; a statement that
 * needs nothing comes back as the same node.
 */
export class LiveRowsPlugin implements KyselyPlugin {
  readonly #transformer: LiveRowsTransformer;

  constructor(tables: ReadonlySet<string>, column: string = LIVE_ROW.column) {
    this.#transformer = new LiveRowsTransformer(tables, column);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    try {
      return this.#transformer.transformNode(args.node, args.queryId);
    } catch (err) {
      this.#transformer.reset();
      throw err;
    }
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
