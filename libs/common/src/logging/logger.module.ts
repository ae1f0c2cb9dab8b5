import { DynamicModule, Global, Module } from '@nestjs/common';
import { LOGGER, Logger } from './logger';

/** Provides the process logger under the LOGGER token everywhere. */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return { module: LoggerModule, providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] };
  }
}
