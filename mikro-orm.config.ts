// Configuration for the MikroORM CLI (`npx mikro-orm migration:create`, `migration:check`, `debug`).
// The application builds the same options in libs/persistence; this file only points the CLI at a
// database and writes new migration files into migrations/ (add each to libs/persistence/src/migrations.ts).
import 'reflect-metadata';
import { join } from 'node:path';
import { buildOrmOptions } from './libs/persistence/src/mikro-orm.options';

const options = buildOrmOptions({ clientUrl: process.env.HYPERFLEET_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hyperfleet' });
export default { ...options, migrations: { ...options.migrations, path: join(process.cwd(), 'migrations'), pathTs: join(process.cwd(), 'migrations') } };
