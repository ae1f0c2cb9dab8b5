import { adminQuery } from './pg-admin';

/** Drops what this run created on a shared server; stops the container or embedded server. */
export default async function globalTeardown(): Promise<void> {
  const db = globalThis.__HF_TEST_DB__;
  if (!db) return;
  if (db.stop) {
    await db.stop();
    return;
  }
  const { rows } = await adminQuery(db.adminUrl, `select datname from pg_database where datname like $1 or datname = $2`, [`hf\\_t\\_${process.pid}\\_%`, db.template]);
  for (const { datname } of rows) await adminQuery(db.adminUrl, `drop database if exists "${String(datname)}" with (force)`);
}
