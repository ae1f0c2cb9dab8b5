import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyPipe } from '@app/common';
import { ListQueryParams } from '../resources/dto/list.query';
import { ApiProblemResponses } from '../resources/http';
import { presentAdapterStatus, presentAdapterStatusPage } from './adapter-status.presenter';
import { AdapterStatusCreateDto } from './dto/adapter-status-create.dto';
import { AdapterStatusListResponse, AdapterStatusResponse } from './dto/adapter-status.response';
import { ReportOutcome, StatusesService, StatusTarget } from './statuses.service';

const REPORT_DESCRIPTION =
  'Stores the adapter\u2019s report (one status per adapter and resource) and recomputes the resource\u2019s conditions. ' +
  'Answers 204 with no body, storing nothing, when the report is for a newer generation than the resource\u2019s, older than the stored one, ' +
  'or repeats Available=Unknown. Works on resources marked for deletion; when every required adapter has reported Finalized=True at the ' +
  'current generation (and no node pool is left), the resource is removed.';

@ApiTags('statuses')
@Controller('clusters/:cluster_id')
export class StatusesController {
  constructor(private readonly statuses: StatusesService) {}

  @Put('statuses')
  @ApiOperation({ operationId: 'putClusterStatuses', summary: 'Report an adapter status for a cluster', description: REPORT_DESCRIPTION })
  @ApiCreatedResponse({ type: AdapterStatusResponse, description: 'Stored' })
  @ApiNoContentResponse({ description: 'Discarded (stale, out of order, or a repeated Available=Unknown); nothing stored' })
  @ApiProblemResponses(400, 401, 404)
  putCluster(@Param('cluster_id') clusterId: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response) {
    return this.report({ clusterId }, dto, res);
  }

  @Post('statuses')
  @ApiOperation({ operationId: 'postClusterStatuses', summary: 'Report an adapter status for a cluster (older adapters)', description: 'Same as PUT.', deprecated: true })
  @ApiCreatedResponse({ type: AdapterStatusResponse, description: 'Stored' })
  @ApiNoContentResponse({ description: 'Discarded; nothing stored' })
  @ApiProblemResponses(400, 401, 404)
  postCluster(@Param('cluster_id') clusterId: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response) {
    return this.report({ clusterId }, dto, res);
  }

  @Get('statuses')
  @ApiOperation({ operationId: 'getClusterStatuses', summary: "List a cluster's adapter statuses", description: 'Oldest first, then by adapter name; `search` and `order` are accepted and ignored.' })
  @ApiOkResponse({ type: AdapterStatusListResponse })
  @ApiProblemResponses(400, 401, 404)
  async listCluster(@Param('cluster_id') clusterId: string, @Query() query: ListQueryParams): Promise<AdapterStatusListResponse> {
    const page = await this.statuses.list({ clusterId }, query as Record<string, unknown>);
    return presentAdapterStatusPage(page.page, page.total, page.items);
  }

  @Put('nodepools/:nodepool_id/statuses')
  @ApiOperation({ operationId: 'putNodePoolStatuses', summary: 'Report an adapter status for a node pool', description: REPORT_DESCRIPTION })
  @ApiCreatedResponse({ type: AdapterStatusResponse, description: 'Stored' })
  @ApiNoContentResponse({ description: 'Discarded (stale, out of order, or a repeated Available=Unknown); nothing stored' })
  @ApiProblemResponses(400, 401, 404)
  putNodePool(@Param('cluster_id') clusterId: string, @Param('nodepool_id') nodePoolId: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response) {
    return this.report({ clusterId, nodePoolId }, dto, res);
  }

  @Post('nodepools/:nodepool_id/statuses')
  @ApiOperation({ operationId: 'postNodePoolStatuses', summary: 'Report an adapter status for a node pool (older adapters)', description: 'Same as PUT.', deprecated: true })
  @ApiCreatedResponse({ type: AdapterStatusResponse, description: 'Stored' })
  @ApiNoContentResponse({ description: 'Discarded; nothing stored' })
  @ApiProblemResponses(400, 401, 404)
  postNodePool(@Param('cluster_id') clusterId: string, @Param('nodepool_id') nodePoolId: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response) {
    return this.report({ clusterId, nodePoolId }, dto, res);
  }

  @Get('nodepools/:nodepool_id/statuses')
  @ApiOperation({ operationId: 'getNodePoolsStatuses', summary: "List a node pool's adapter statuses", description: 'Oldest first, then by adapter name; `search` and `order` are accepted and ignored.' })
  @ApiOkResponse({ type: AdapterStatusListResponse })
  @ApiProblemResponses(400, 401, 404)
  async listNodePool(@Param('cluster_id') clusterId: string, @Param('nodepool_id') nodePoolId: string, @Query() query: ListQueryParams): Promise<AdapterStatusListResponse> {
    const page = await this.statuses.list({ clusterId, nodePoolId }, query as Record<string, unknown>);
    return presentAdapterStatusPage(page.page, page.total, page.items);
  }

  private async report(target: StatusTarget, dto: AdapterStatusCreateDto, res: Response): Promise<AdapterStatusResponse | undefined> {
    const outcome: ReportOutcome = await this.statuses.report(target, dto);
    if ('discarded' in outcome) {
      res.status(204);
      res.setHeader('X-HyperFleet-Discarded', outcome.discarded);
      return undefined;
    }
    res.status(201);
    return presentAdapterStatus(outcome.stored);
  }
}

