export * from './app-config';
export * from './config.keys';
export { envName, renderDefault } from './config.schema';
export * from './config.module';
export * from './duration';
export * from './jwt.config';
export * from './kinds/resource-kind';
export { buildKindRegistry, KindRegistry } from './kinds/kind-registry';
