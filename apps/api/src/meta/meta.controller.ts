import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Public } from '../auth/public.decorator';
import { ApiMetadataResponse } from './api-metadata.response';

/** `GET /api/hyperfleet`: what this server is (outside the versioned prefix); open even when authentication is on. */
@Public()
@ApiTags('metadata')
@Controller()
export class MetaController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('api/hyperfleet')
  @ApiOkResponse({ type: ApiMetadataResponse, description: 'Service metadata' })
  metadata(): ApiMetadataResponse {
    return { id: 'hyperfleet', kind: 'API', href: '/api/hyperfleet', version: this.config.build.version, build_time: this.config.build.buildTime };
  }
}
