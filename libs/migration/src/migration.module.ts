import { DynamicModule, Module } from '@nestjs/common';
import { MIGRATE_ON_BOOT, MigrationService } from './migration.service';

@Module({})
export class MigrationModule {
  static forRoot(options: { onBoot: boolean }): DynamicModule {
    return {
      module: MigrationModule,
      providers: [MigrationService, { provide: MIGRATE_ON_BOOT, useValue: options.onBoot }],
      exports: [MigrationService],
    };
  }
}
