import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Writable } from 'node:stream';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createLogger } from '@app/common';
import { AppConfig, loadConfig } from '@app/config';
import type { AppOptions } from '../../apps/api/src/app.module';
import { createApp } from '../../apps/api/src/bootstrap';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  http: TestAgent;
  /** Log lines the app wrote (parsed JSON). */
  logs: Record<string, unknown>[];
  /** SQL statements run so far (reset it to measure one request). */
  queries: string[];
  /** The same statements with their bound parameters. */
  statements: { sql: string; params?: readonly unknown[] }[];
  close(): Promise<void>;
}

/** Boots the real AppModule on a database of its own; requests go through supertest (no port). */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ HYPERFLEET_DATABASE_URL: db.url, HYPERFLEET_DB_MIGRATE_ON_BOOT: 'false', HYPERFLEET_DATABASE_MAX_OPEN_CONNECTIONS: '10', ...env }, []);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger(env.HYPERFLEET_LOGGING_LEVEL ?? 'info', sink);
  const queries: string[] = [];
  const statements: { sql: string; params?: readonly unknown[] }[] = [];
  const app = await createApp(config, logger, {
    ...options,
    onQuery: (sql, params) => {
      queries.push(sql);
      statements.push({ sql, params });
      options.onQuery?.(sql, params);
    },
  });
  return {
    app,
    config,
    db,
    http: request(app.getHttpServer()),
    logs,
    queries,
    statements,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
