import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Public } from '../auth/public.decorator';
import { ApiRoot, apiRoot } from './api-root';

/**
 * `GET /api/hyperfleet/v1`, the address the start-up line advertises: links to the OpenAPI document and
 * Swagger UI instead of a 404. A navigation aid for people, so not part of the OpenAPI document; open
 * even when authentication is on. (`GET /` answers the same; MetaModule serves it.)
 */
@Public()
@ApiExcludeController()
@Controller()
export class ApiRootController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  root(): ApiRoot {
    return apiRoot(this.config.build.version);
  }
}
