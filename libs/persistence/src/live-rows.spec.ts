import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type RootOperationNode, sql } from 'kysely';
import { buildOrmOptions } from './mikro-orm.options';
import { LIVE_ROW, LiveRowsPlugin, SOFT_DELETE, softDeletableTables, softDeleteFilter } from './live-rows';
import * as legacy from './soft-delete.filter';

interface Row {
  id: string;
  name: string;
  owner_id?: string;
  key?: string;
  value?: string;
  adapter?: string;
  deleted_at?: Date | null;
}
interface Db {
  clusters: Row;
  node_pools: Row;
  labels: Row;
  adapter_statuses: Row;
  events: Row;
}

const TABLES: ReadonlySet<string> = new Set(['clusters', 'node_pools', 'labels', 'adapter_statuses']);

/** A Kysely on the Postgres dialect that compiles without a database. */
function kysely(): Kysely<Db> {
  return new Kysely<Db>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

const plugin = new LiveRowsPlugin(TABLES);
const plain = kysely();
const db = plain.withPlugin(plugin);
const transform = (node: RootOperationNode) => plugin.transformQuery({ node, queryId: { queryId: 'test' } });

describe('LiveRowsPlugin', () => {
  describe('select', () => {
    it('adds the condition for a FROM table, plain or aliased, to the WHERE', () => {
      expect(db.selectFrom('clusters').select('id').where('id', '=', 'a').compile().sql).toBe(
        'select "id" from "clusters" where "id" = $1 and "clusters"."deleted_at" is null',
      );
      expect(db.selectFrom('clusters as r').select('r.id').compile().sql).toBe('select "r"."id" from "clusters" as "r" where "r"."deleted_at" is null');
      expect(db.selectFrom(['clusters as r', 'node_pools as n']).select('r.id').whereRef('n.owner_id', '=', 'r.id').compile().sql).toBe(
        'select "r"."id" from "clusters" as "r", "node_pools" as "n" where "n"."owner_id" = "r"."id" and "r"."deleted_at" is null and "n"."deleted_at" is null',
      );
    });

    it('keeps an OR or raw SQL in the WHERE from absorbing the condition', () => {
      const query = db
        .selectFrom('clusters as r')
        .select('r.id')
        .where(sql<boolean>`r.name = 'a' or true`)
        .where((eb) => eb.or([eb('r.name', '=', 'b'), eb('r.name', '=', 'c')]));
      expect(query.compile().sql).toBe(`select "r"."id" from "clusters" as "r" where (r.name = 'a' or true) and ("r"."name" = $1 or "r"."name" = $2) and "r"."deleted_at" is null`);
      expect(db.selectFrom('clusters as r').select('r.id').where(sql<boolean>`r.name = 'a' or true`).compile().sql).toBe(
        `select "r"."id" from "clusters" as "r" where (r.name = 'a' or true) and "r"."deleted_at" is null`,
      );
    });

    it('adds a joined table’s condition to its ON, so a left join stays a left join', () => {
      expect(db.selectFrom('clusters as r').leftJoin('node_pools as n', 'n.owner_id', 'r.id').select(['r.id', 'n.id as pool']).compile().sql).toBe(
        'select "r"."id", "n"."id" as "pool" from "clusters" as "r" left join "node_pools" as "n" on "n"."owner_id" = "r"."id" and "n"."deleted_at" is null where "r"."deleted_at" is null',
      );
      expect(db.selectFrom('node_pools as r').innerJoin('clusters as o', (j) => j.onRef('o.id', '=', 'r.owner_id')).select('r.id').where('r.id', '=', 'a').compile().sql).toBe(
        'select "r"."id" from "node_pools" as "r" inner join "clusters" as "o" on "o"."id" = "r"."owner_id" and "o"."deleted_at" is null where "r"."id" = $1 and "r"."deleted_at" is null',
      );
    });

    it('puts a cross-joined table’s condition in the WHERE (a cross join has no ON)', () => {
      expect(db.selectFrom('events as e').crossJoin('clusters as c').select('e.id').compile().sql).toBe(
        'select "e"."id" from "events" as "e" cross join "clusters" as "c" where "c"."deleted_at" is null',
      );
    });

    it('transforms lateral joins, FROM subqueries, select-list subqueries and EXISTS', () => {
      const query = db
        .selectFrom((eb) => eb.selectFrom('clusters').select('id').as('p'))
        .innerJoin('node_pools as r', 'r.id', 'p.id')
        .crossJoinLateral((eb) => eb.selectFrom('labels as l').select('l.key').whereRef('l.owner_id', '=', 'r.id').as('x'))
        .leftJoinLateral(
          (eb) => eb.selectFrom('adapter_statuses as s').select('s.adapter').whereRef('s.owner_id', '=', 'r.id').as('s'),
          (join) => join.onTrue(),
        )
        .select((eb) => ['r.id', eb.selectFrom('clusters as o').select('o.name').whereRef('o.id', '=', 'r.owner_id').as('cluster')])
        .where((eb) => eb.exists(eb.selectFrom('labels as m').select('m.key').whereRef('m.owner_id', '=', 'r.id')));
      expect(query.compile().sql).toBe(
        'select "r"."id", (select "o"."name" from "clusters" as "o" where "o"."id" = "r"."owner_id" and "o"."deleted_at" is null) as "cluster" ' +
          'from (select "id" from "clusters" where "clusters"."deleted_at" is null) as "p" ' +
          'inner join "node_pools" as "r" on "r"."id" = "p"."id" and "r"."deleted_at" is null ' +
          'cross join lateral (select "l"."key" from "labels" as "l" where "l"."owner_id" = "r"."id" and "l"."deleted_at" is null) as "x" ' +
          'left join lateral (select "s"."adapter" from "adapter_statuses" as "s" where "s"."owner_id" = "r"."id" and "s"."deleted_at" is null) as "s" on true ' +
          'where exists (select "m"."key" from "labels" as "m" where "m"."owner_id" = "r"."id" and "m"."deleted_at" is null)',
      );
    });

    it('transforms CTEs, set operations and locking selects', () => {
      const query = db
        .with('live', (qb) => qb.selectFrom('clusters as c').select('c.id'))
        .selectFrom('live')
        .select('live.id')
        .union(db.selectFrom('node_pools').select('id'));
      expect(query.compile().sql).toBe(
        'with "live" as (select "c"."id" from "clusters" as "c" where "c"."deleted_at" is null) select "live"."id" from "live" union select "id" from "node_pools" where "node_pools"."deleted_at" is null',
      );
      expect(db.selectFrom('clusters as r').select('r.id').where('r.id', '=', 'a').forUpdate('r').compile().sql).toBe(
        'select "r"."id" from "clusters" as "r" where "r"."id" = $1 and "r"."deleted_at" is null for update of "r"',
      );
    });

    it('transforms query builders embedded in sql fragments', () => {
      const ids = plain.selectFrom('clusters as r').select('r.id').where('r.name', '=', 'a');
      const query = sql<{ id: string }>`select p.id from ${ids} as p where exists ${plain.selectFrom('labels as l').select('l.key').whereRef('l.owner_id', '=', sql.ref('p.id'))}`;
      expect(query.compile(db).sql).toBe(
        'select p.id from (select "r"."id" from "clusters" as "r" where "r"."name" = $1 and "r"."deleted_at" is null) as p where exists (select "l"."key" from "labels" as "l" where "l"."owner_id" = "p"."id" and "l"."deleted_at" is null)',
      );
      expect(query.compile(plain).sql).toBe(
        'select p.id from (select "r"."id" from "clusters" as "r" where "r"."name" = $1) as p where exists (select "l"."key" from "labels" as "l" where "l"."owner_id" = "p"."id")',
      );
    });
  });

  describe('update, delete, insert', () => {
    it('adds the updated table’s condition (and its FROM tables’) to the WHERE', () => {
      expect(db.updateTable('clusters as r').set({ name: 'b' }).where('r.id', '=', 'a').returning('r.id').compile().sql).toBe(
        'update "clusters" as "r" set "name" = $1 where "r"."id" = $2 and "r"."deleted_at" is null returning "r"."id"',
      );
      expect(db.updateTable('clusters').set({ name: 'b' }).compile().sql).toBe('update "clusters" set "name" = $1 where "clusters"."deleted_at" is null');
      expect(db.updateTable('node_pools as r').set({ name: 'b' }).from('clusters as o').whereRef('o.id', '=', 'r.owner_id').compile().sql).toBe(
        'update "node_pools" as "r" set "name" = $1 from "clusters" as "o" where "o"."id" = "r"."owner_id" and "r"."deleted_at" is null and "o"."deleted_at" is null',
      );
    });

    it('adds the conditions of DELETE’s FROM and USING tables to the WHERE, of its joins to their ON', () => {
      expect(db.deleteFrom('labels as l').using('clusters as c').whereRef('l.owner_id', '=', 'c.id').compile().sql).toBe(
        'delete from "labels" as "l" using "clusters" as "c" where "l"."owner_id" = "c"."id" and "l"."deleted_at" is null and "c"."deleted_at" is null',
      );
      expect(db.deleteFrom('labels as l').using('events as e').innerJoin('node_pools as n', 'n.id', 'e.owner_id').whereRef('l.owner_id', '=', 'n.id').compile().sql).toBe(
        'delete from "labels" as "l" using "events" as "e" inner join "node_pools" as "n" on "n"."id" = "e"."owner_id" and "n"."deleted_at" is null where "l"."owner_id" = "n"."id" and "l"."deleted_at" is null',
      );
    });

    it('leaves an INSERT’s target and its ON CONFLICT DO UPDATE alone, and transforms its SELECT and CTEs', () => {
      const query = db
        .with('r', (qb) => qb.updateTable('clusters').set({ name: 'b' }).where('id', '=', 'a').returning('id'))
        .insertInto('labels')
        .columns(['owner_id', 'key', 'value'])
        .expression((eb) => eb.selectFrom('r').innerJoin('node_pools as n', 'n.owner_id', 'r.id').select(['r.id', 'n.name', 'n.name as value']))
        .onConflict((oc) => oc.columns(['owner_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), deleted_at: null })));
      expect(query.compile().sql).toBe(
        'with "r" as (update "clusters" set "name" = $1 where "id" = $2 and "clusters"."deleted_at" is null returning "id") ' +
          'insert into "labels" ("owner_id", "key", "value") select "r"."id", "n"."name", "n"."name" as "value" from "r" inner join "node_pools" as "n" on "n"."owner_id" = "r"."id" and "n"."deleted_at" is null ' +
          'on conflict ("owner_id", "key") do update set "value" = "excluded"."value", "deleted_at" = $3',
      );
      expect(db.insertInto('clusters').values({ id: 'a', name: 'b' }).compile().sql).toBe('insert into "clusters" ("id", "name") values ($1, $2)');
    });
  });

  it('leaves tables that are not in the set alone, returning the very same node', () => {
    const query = plain.selectFrom('events as e').select('e.id').where((eb) => eb.exists(eb.selectFrom('events as f').select('f.id').whereRef('f.owner_id', '=', 'e.id')));
    const node = query.toOperationNode();
    expect(transform(node)).toBe(node);
    expect(query.compile().sql).toBe(query.withPlugin(plugin).compile().sql);
  });

  it('is idempotent: a second pass adds nothing and returns the same node, and a hand-written condition is recognised', () => {
    const once = transform(
      plain
        .selectFrom('clusters as r')
        .leftJoin('node_pools as n', 'n.owner_id', 'r.id')
        .select(['r.id', 'n.id as pool'])
        .where((eb) => eb.exists(eb.selectFrom('labels as l').select('l.key').whereRef('l.owner_id', '=', 'r.id')))
        .toOperationNode(),
    );
    expect(transform(once)).toBe(once);
    const twice = plain.getExecutor().compileQuery(transform(transform(plain.selectFrom('clusters as r').select('r.id').toOperationNode())), { queryId: 'q' });
    expect(twice.sql).toBe('select "r"."id" from "clusters" as "r" where "r"."deleted_at" is null');
    expect(db.selectFrom('clusters as r').select('r.id').where('r.deleted_at', 'is', null).where('r.id', '=', 'a').compile().sql).toBe(
      'select "r"."id" from "clusters" as "r" where "r"."deleted_at" is null and "r"."id" = $1',
    );
  });

  it('builds new nodes and leaves the given ones as they were', () => {
    const query = plain.selectFrom('clusters as r').innerJoin('node_pools as n', 'n.owner_id', 'r.id').select('r.id').where('r.id', '=', 'a');
    const node = query.toOperationNode();
    const before = JSON.stringify(node);
    const out = transform(node);
    expect(JSON.stringify(node)).toBe(before);
    expect(out).not.toBe(node);
    expect(Object.isFrozen(out)).toBe(true);
    expect(query.compile().sql).toBe('select "r"."id" from "clusters" as "r" inner join "node_pools" as "n" on "n"."owner_id" = "r"."id" where "r"."id" = $1');
  });

  it('refuses what it cannot make honour the rule: right and full joins, a CTE named like a table, MERGE', () => {
    expect(() => db.selectFrom('events as e').rightJoin('clusters as c', 'c.id', 'e.owner_id').select('e.id').compile()).toThrow('RightJoin of clusters');
    expect(() => db.selectFrom('clusters as c').fullJoin('events as e', 'c.id', 'e.owner_id').select('e.id').compile()).toThrow(/right or full join/);
    expect(() => db.with('clusters', (qb) => qb.selectFrom('events').select('id')).selectFrom('clusters').select('id').compile()).toThrow(/CTE clusters/);
    expect(() => db.mergeInto('clusters as c').using('events as e', 'e.id', 'c.id').whenMatched().thenDelete().compile()).toThrow(/MERGE/);
    // the plugin is usable again after a refusal
    expect(db.selectFrom('clusters').select('id').compile().sql).toBe('select "id" from "clusters" where "clusters"."deleted_at" is null');
  });

  it('takes another column name', () => {
    const other = plain.withPlugin(new LiveRowsPlugin(new Set(['events']), 'removed_at'));
    expect(other.selectFrom('events as e').select('e.id').compile().sql).toBe('select "e"."id" from "events" as "e" where "e"."removed_at" is null');
  });
});

describe('live-row definition', () => {
  it('names the tables of the soft-deletable entities, from MikroORM’s metadata', async () => {
    // the synchronous constructor discovers the entities without connecting
    const orm = new MikroORM(buildOrmOptions({ clientUrl: 'postgres://nobody@127.0.0.1:1/none' }));
    try {
      const tables = softDeletableTables(orm.getMetadata());
      expect([...tables].sort()).toEqual(['adapter_statuses', 'clusters', 'labels', 'node_pools', 'resource_references', 'resources']);
      expect([...tables].sort()).toEqual(legacy.SOFT_DELETABLE_ENTITIES.map((e) => orm.getMetadata().getByClassName(e.name).tableName).sort());
      // the filter's condition is the same definition's
      expect(softDeleteFilter.cond({}, 'read', orm.em, undefined, 'Cluster')).toEqual({ deletedAt: null });
      expect(softDeleteFilter.cond({}, 'read', orm.em, undefined, 'NoSuchEntity')).toEqual({});
    } finally {
      await orm.close(true);
    }
  });

  it('gives the filter its condition', () => {
    expect(LIVE_ROW).toEqual({ property: 'deletedAt', column: 'deleted_at' });
    expect(softDeleteFilter).toMatchObject({ name: SOFT_DELETE, default: true, args: false });
  });
});
