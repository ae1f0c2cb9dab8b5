import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyPipe, Caller, etagOf, JsonText } from '@app/common';
import { ForceDeleteDto } from '../resources/dto/force-delete.dto';
import { ListQueryParams } from '../resources/dto/list.query';
import { ApiProblemResponses, deprecationHeader, jsonBody, sendJson } from '../resources/http';
import { presentCluster, presentClusterPage } from './cluster.presenter';
import { ClustersService } from './clusters.service';
import { ClusterListResponse, ClusterResponse } from './dto/cluster.response';
import { CreateClusterDto } from './dto/create-cluster.dto';
import { PATCH_FIELDS, PatchResourceDto } from '../resources/dto/patch-resource.dto';

@ApiTags('clusters')
@Controller('clusters')
export class ClustersController {
  constructor(private readonly clusters: ClustersService) {}

  @Get()
  @ApiOperation({ operationId: 'getClusters', summary: 'List clusters', description: 'Clusters marked for deletion are included (with `deleted_time`); removed ones are not.' })
  @ApiOkResponse({ type: ClusterListResponse })
  @ApiProblemResponses(400, 401)
  async list(@Query() query: ListQueryParams, @Res() res: Response): Promise<void> {
    const page = await this.clusters.list(query as Record<string, unknown>);
    deprecationHeader(res, page.query);
    sendJson(res, presentClusterPage(page));
  }

  @Post()
  @ApiOperation({ operationId: 'postCluster', summary: 'Create a cluster' })
  @ApiCreatedResponse({ type: ClusterResponse, description: 'Created; starts with Reconciled=False and LastKnownReconciled=False' })
  @ApiProblemResponses(400, 401, 409)
  async create(@Body(new BodyPipe(CreateClusterDto)) dto: CreateClusterDto, @Caller() caller: string, @Res({ passthrough: true }) res: Response): Promise<ClusterResponse> {
    const view = await this.clusters.create(dto, caller);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentCluster(view);
  }

  @Get(':cluster_id')
  @ApiOperation({ operationId: 'getClusterById', summary: 'Get a cluster' })
  @ApiOkResponse({ type: ClusterResponse, headers: { ETag: { description: 'Version of the cluster, for If-Match', schema: { type: 'string' } } } })
  @ApiProblemResponses(400, 401, 404)
  async get(@Param('cluster_id') id: string, @Query('search') _search: string, @Res({ passthrough: true }) res: Response): Promise<JsonText<ClusterResponse>> {
    const found = await this.clusters.get(id);
    res.setHeader('ETag', etagOf(found.version));
    return jsonBody<ClusterResponse>(res, found.json);
  }

  @Patch(':cluster_id')
  @ApiOperation({ operationId: 'patchClusterById', summary: 'Change spec and/or labels', description: 'Each given field replaces the stored one whole. generation grows by one when something really changed.' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Apply only if the cluster still has this ETag (else 412)' })
  @ApiOkResponse({ type: ClusterResponse })
  @ApiProblemResponses(400, 401, 404, 409, 412)
  async patch(
    @Param('cluster_id') id: string,
    @Body(new BodyPipe(PatchResourceDto, { strict: true }, PATCH_FIELDS)) dto: PatchResourceDto,
    @Caller() caller: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClusterResponse> {
    const view = await this.clusters.patch(id, dto, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentCluster(view);
  }

  @Delete(':cluster_id')
  @HttpCode(202)
  @ApiOperation({ operationId: 'deleteClusterById', summary: 'Request deletion', description: 'Marks the cluster and its node pools for deletion (idempotent). They stay readable until adapters finalize or a force-delete removes them.' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Apply only if the cluster still has this ETag (else 412)' })
  @ApiAcceptedResponse({ type: ClusterResponse })
  @ApiProblemResponses(400, 401, 404, 412)
  async delete(@Param('cluster_id') id: string, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<ClusterResponse> {
    const view = await this.clusters.markForDeletion(id, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentCluster(view);
  }

  @Post(':cluster_id/force-delete')
  @HttpCode(204)
  @ApiOperation({ operationId: 'forceDeleteCluster', summary: 'Remove a cluster marked for deletion now', description: 'Removes the cluster, its node pools, their statuses and labels without waiting for adapters. Only for clusters marked for deletion.' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblemResponses(400, 401, 404, 409)
  async forceDelete(@Param('cluster_id') id: string, @Body(new BodyPipe(ForceDeleteDto)) dto: ForceDeleteDto, @Caller() caller: string): Promise<void> {
    await this.clusters.forceDelete(id, dto.reason, caller);
  }
}
