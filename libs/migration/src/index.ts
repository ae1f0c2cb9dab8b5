export * from './migration.module';
export * from './migration.service';
export * from './run-migrations';
