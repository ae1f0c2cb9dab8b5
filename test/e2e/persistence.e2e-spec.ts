import 'reflect-metadata';
import { uuidv7 } from '@app/common';
import { initOrm, Orm, Cluster, ENTITIES, SOFT_DELETABLE_ENTITIES, SOFT_DELETE, translateDriverError } from '@app/persistence';
import { createTestDatabase, TestDatabase } from '../support/database';

function newCluster(name: string): Partial<Cluster> {
  const now = new Date();
  return { id: uuidv7(), name, spec: { region: 'eu' }, createdTime: now, updatedTime: now, createdBy: 'test', updatedBy: 'test' };
}

describe('persistence library', () => {
  let db: TestDatabase;
  let orm: Orm;
  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await initOrm({ clientUrl: db.url, poolMax: 4 });
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('applies the soft-delete filter to every entity that has deleted_at', () => {
    const meta = (name: string) => orm.getMetadata().getByClassName(name, false);
    const withDeletedAt = ENTITIES.filter((e) => meta(e.name)?.properties['deletedAt' as never] && !meta(e.name)?.abstract);
    expect(withDeletedAt.map((e) => e.name).sort()).toEqual(SOFT_DELETABLE_ENTITIES.map((e) => e.name).sort());
  });

  it('hides removed rows from em reads; the documented opt-out sees them', async () => {
    const em = orm.em.fork();
    const live = em.create(Cluster, newCluster('live-one') as Cluster);
    const removed = em.create(Cluster, { ...newCluster('removed-one'), deletedTime: new Date(), deletedAt: new Date() } as Cluster);
    await em.flush();
    const reader = orm.em.fork();
    const visible = await reader.find(Cluster, { id: { $in: [live.id, removed.id] } });
    expect(visible.map((c) => c.name)).toEqual(['live-one']);
    expect(await reader.findOne(Cluster, removed.id)).toBeNull();
    expect(await reader.count(Cluster, { id: removed.id })).toBe(0);
    const all = await reader.find(Cluster, { id: { $in: [live.id, removed.id] } }, { filters: { [SOFT_DELETE]: false }, orderBy: { name: 'asc' } });
    expect(all.map((c) => c.name)).toEqual(['live-one', 'removed-one']);
  });

  it('lets a name be reused once its holder is marked for deletion, and not before', async () => {
    const em = orm.em.fork();
    em.create(Cluster, newCluster('reusable') as Cluster);
    await em.flush();
    const dup = orm.em.fork();
    dup.create(Cluster, newCluster('reusable') as Cluster);
    const err = await dup.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(translateDriverError(err, 'Cluster')).toMatchObject({ code: 'HYPERFLEET-CNF-001', status: 409, detail: 'This Cluster already exists' });

    await orm.em.fork().nativeUpdate(Cluster, { name: 'reusable' }, { deletedTime: new Date() });
    const again = orm.em.fork();
    again.create(Cluster, newCluster('reusable') as Cluster);
    await expect(again.flush()).resolves.toBeUndefined();
  });

  it('translates a lost connection to 503, by class', async () => {
    const dead = await initOrm({ clientUrl: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1 });
    try {
      const err = await dead.em
        .fork()
        .getConnection()
        .execute('select 1')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(translateDriverError(err)).toMatchObject({ status: 503, code: 'HYPERFLEET-SVC-001' });
    } finally {
      await dead.close(true);
    }
  });

  it('has entities and migrations that agree (no pending schema diff)', async () => {
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });
});
