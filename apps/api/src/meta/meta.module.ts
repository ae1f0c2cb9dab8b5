import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@app/config';
import { apiRoot } from './api-root';
import { ApiRootController } from './api-root.controller';
import { MetaController } from './meta.controller';

@Module({ controllers: [MetaController, ApiRootController] })
export class MetaModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // `/` lies outside the global prefix, which a controller cannot leave; routes added here come before
  // the not-found handlers, and after the HTTP shell's middleware (request ids, logging, metrics)
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    const root = apiRoot(this.config.build.version);
    adapter?.get('/', (_req: unknown, res: unknown) => adapter.reply(res, root, 200));
  }
}
