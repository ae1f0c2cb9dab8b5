import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../../libs/migration/src/run-migrations';
import { initOrm } from '../../libs/persistence/src/mikro-orm.options';
import { startEmbeddedPostgres } from '../../libs/persistence/src/embedded-db';
import { adminQuery, withDatabase } from './pg-admin';

type Stop = () => Promise<void>;
declare global {
  var __HF_TEST_DB__: { adminUrl: string; template: string; stop?: Stop; mode: string } | undefined;
}

async function containerRuntimeAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref())]);
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<{ adminUrl: string; stop: Stop }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:17-alpine').withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=300']).start();
  return { adminUrl: withDatabase(container.getConnectionUri(), 'postgres'), stop: async () => void (await container.stop()) };
}

/**
 * Picks the PostgreSQL for the whole run: TEST_DATABASE_URL when given (TEST_PG=url), else a
 * testcontainers PostgreSQL when a container engine answers (TEST_PG=container), else an embedded
 * PostgreSQL in a temporary folder (TEST_PG=embedded). Migrates a template database once; every test
 * file clones it (test/support/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const forced = process.env.TEST_PG;
  let adminUrl: string;
  let stop: Stop | undefined;
  let mode: string;
  if (process.env.TEST_DATABASE_URL && (!forced || forced === 'url')) {
    adminUrl = withDatabase(process.env.TEST_DATABASE_URL, 'postgres');
    mode = 'url';
  } else if ((!forced || forced === 'container') && (await containerRuntimeAnswers())) {
    ({ adminUrl, stop } = await startContainer());
    mode = 'container';
  } else {
    const db = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'hf-test-pg-')), persistent: false, fast: true, databaseName: 'postgres' });
    adminUrl = db.url;
    stop = db.stop;
    mode = 'embedded';
  }
  const template = `hf_tpl_${process.pid}`;
  await adminQuery(adminUrl, `drop database if exists ${template}`);
  await adminQuery(adminUrl, `create database ${template}`);
  const orm = await initOrm({ clientUrl: withDatabase(adminUrl, template), poolMax: 2 });
  try {
    await runMigrations(orm, 60_000);
  } finally {
    await orm.close(true);
  }
  process.env.TEST_PG_ADMIN_URL = adminUrl;
  process.env.TEST_PG_TEMPLATE = template;
  process.env.TEST_PG_MODE = mode;
  globalThis.__HF_TEST_DB__ = { adminUrl, template, stop, mode };
  process.stdout.write(`\n[test database] ${mode}: template ${template} migrated\n`);
}
