import { randomBytes } from 'node:crypto';
import { adminQuery, withDatabase } from '../setup/pg-admin';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function admin(): { adminUrl: string; template: string } {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (!adminUrl || !template) throw new Error('test database not prepared: run the tests through jest (test/setup/global-setup.ts)');
  return { adminUrl, template };
}

function uniqueName(): string {
  // the run's pid (the template's suffix) lets globalTeardown find leftovers on a shared server
  return `hf_t_${process.env.TEST_PG_TEMPLATE!.replace('hf_tpl_', '')}_${randomBytes(5).toString('hex')}`;
}

/** A fresh database cloned from the migrated template: this test file's own rows, nobody else's. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { adminUrl, template } = admin();
  const name = uniqueName();
  await adminQuery(adminUrl, options.empty ? `create database ${name}` : `create database ${name} template ${template}`);
  return { name, url: withDatabase(adminUrl, name), drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`).then(() => undefined) };
}
