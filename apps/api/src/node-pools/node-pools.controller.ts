import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyPipe, Caller, etagOf, JsonText } from '@app/common';
import { ForceDeleteDto } from '../resources/dto/force-delete.dto';
import { ListQueryParams } from '../resources/dto/list.query';
import { PATCH_FIELDS, PatchResourceDto } from '../resources/dto/patch-resource.dto';
import { ApiProblemResponses, deprecationHeader, jsonBody, sendJson } from '../resources/http';
import { CreateNodePoolDto } from './dto/create-node-pool.dto';
import { NodePoolListResponse, NodePoolResponse } from './dto/node-pool.response';
import { presentNodePool, presentNodePoolPage } from './node-pool.presenter';
import { NodePoolsService } from './node-pools.service';

const IF_MATCH = { name: 'If-Match', required: false, description: 'Apply only if the node pool still has this ETag (else 412)' };

@ApiTags('nodepools')
@Controller()
export class NodePoolsController {
  constructor(private readonly nodePools: NodePoolsService) {}

  @Get('nodepools')
  @ApiOperation({ operationId: 'getNodePools', summary: 'List the node pools of all clusters' })
  @ApiOkResponse({ type: NodePoolListResponse })
  @ApiProblemResponses(400, 401)
  async listAll(@Query() query: ListQueryParams, @Res() res: Response): Promise<void> {
    const page = await this.nodePools.listAll(query as Record<string, unknown>);
    deprecationHeader(res, page.query);
    sendJson(res, presentNodePoolPage(page));
  }

  @Get('clusters/:cluster_id/nodepools')
  @ApiOperation({ operationId: 'getNodePoolsByClusterId', summary: "List a cluster's node pools", description: 'Node pools marked for deletion are included; removed ones are not.' })
  @ApiOkResponse({ type: NodePoolListResponse })
  @ApiProblemResponses(400, 401, 404)
  async list(@Param('cluster_id') clusterId: string, @Query() query: ListQueryParams, @Res() res: Response): Promise<void> {
    const page = await this.nodePools.listOfCluster(clusterId, query as Record<string, unknown>);
    deprecationHeader(res, page.query);
    sendJson(res, presentNodePoolPage(page));
  }

  @Post('clusters/:cluster_id/nodepools')
  @ApiOperation({ operationId: 'createNodePool', summary: 'Create a node pool in a cluster' })
  @ApiCreatedResponse({ type: NodePoolResponse, description: 'Created; starts with Reconciled=False and LastKnownReconciled=False' })
  @ApiProblemResponses(400, 401, 404, 409)
  async create(@Param('cluster_id') clusterId: string, @Body(new BodyPipe(CreateNodePoolDto)) dto: CreateNodePoolDto, @Caller() caller: string, @Res({ passthrough: true }) res: Response): Promise<NodePoolResponse> {
    const view = await this.nodePools.create(clusterId, dto, caller);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentNodePool(view);
  }

  @Get('clusters/:cluster_id/nodepools/:nodepool_id')
  @ApiOperation({ operationId: 'getNodePoolById', summary: 'Get a node pool' })
  @ApiOkResponse({ type: NodePoolResponse, headers: { ETag: { description: 'Version of the node pool, for If-Match', schema: { type: 'string' } } } })
  @ApiProblemResponses(400, 401, 404)
  async get(@Param('cluster_id') clusterId: string, @Param('nodepool_id') id: string, @Res({ passthrough: true }) res: Response): Promise<JsonText<NodePoolResponse>> {
    const found = await this.nodePools.get(clusterId, id);
    res.setHeader('ETag', etagOf(found.version));
    return jsonBody<NodePoolResponse>(res, found.json);
  }

  @Patch('clusters/:cluster_id/nodepools/:nodepool_id')
  @ApiOperation({ operationId: 'patchNodePoolById', summary: 'Change spec and/or labels', description: 'Each given field replaces the stored one whole. generation grows by one when something really changed.' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: NodePoolResponse })
  @ApiProblemResponses(400, 401, 404, 409, 412)
  async patch(
    @Param('cluster_id') clusterId: string,
    @Param('nodepool_id') id: string,
    @Body(new BodyPipe(PatchResourceDto, { strict: true }, PATCH_FIELDS)) dto: PatchResourceDto,
    @Caller() caller: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NodePoolResponse> {
    const view = await this.nodePools.patch(clusterId, id, dto, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentNodePool(view);
  }

  @Delete('clusters/:cluster_id/nodepools/:nodepool_id')
  @HttpCode(202)
  @ApiOperation({ operationId: 'deleteNodePoolById', summary: 'Request deletion', description: 'Marks the node pool for deletion (idempotent). It stays readable until adapters finalize or a force-delete removes it.' })
  @ApiHeader(IF_MATCH)
  @ApiAcceptedResponse({ type: NodePoolResponse })
  @ApiProblemResponses(400, 401, 404, 412)
  async delete(@Param('cluster_id') clusterId: string, @Param('nodepool_id') id: string, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<NodePoolResponse> {
    const view = await this.nodePools.markForDeletion(clusterId, id, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return presentNodePool(view);
  }

  @Post('clusters/:cluster_id/nodepools/:nodepool_id/force-delete')
  @HttpCode(204)
  @ApiOperation({ operationId: 'forceDeleteNodePool', summary: 'Remove a node pool marked for deletion now', description: 'Removes the node pool, its statuses and labels without waiting for adapters.' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblemResponses(400, 401, 404, 409)
  async forceDelete(@Param('cluster_id') clusterId: string, @Param('nodepool_id') id: string, @Body(new BodyPipe(ForceDeleteDto)) dto: ForceDeleteDto, @Caller() caller: string): Promise<void> {
    await this.nodePools.forceDelete(clusterId, id, dto.reason, caller);
  }
}
