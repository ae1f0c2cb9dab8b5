import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { EmbeddedDatabase, freePort, startEmbeddedPostgres } from '@app/persistence';
import { tempDir } from '../support/processes';

/**
 * The embedded PostgreSQL stopped and started again by the same process (same folder, same port, so
 * the same URL): the second start used to throw while taking over the signal handlers a second time.
 */
describe('embedded PostgreSQL restarted in one process', () => {
  const dataDir = tempDir('hf-embedded-restart-');
  let db: EmbeddedDatabase | undefined;
  afterAll(async () => {
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts again on the same data directory and port, with the data kept', async () => {
    const port = await freePort();
    db = await startEmbeddedPostgres({ dataDir, persistent: true, port, fast: true });
    const url = db.url;
    const query = async (sql: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    };
    await query(`create table kept (v text); insert into kept values ('before the restart')`);
    await db.stop();
    db = await startEmbeddedPostgres({ dataDir, persistent: true, port, fast: true });
    expect(db.url).toBe(url);
    expect(await query('select v from kept')).toEqual([{ v: 'before the restart' }]);
  }, 120_000);
});
