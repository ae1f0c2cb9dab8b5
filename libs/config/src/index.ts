export * from './app-config';
export * from './config.keys';
export { envName, renderDefault } from './config.schema';
export * from './config.module';
export * from './duration';
export * from './jwt.config';
