import type { ResourceKind } from '@app/config';
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyPipe, Caller, etagOf, isPlainObject, JsonText, NotFoundError, parseListQuery, ValidationError } from '@app/common';
import { COMMON_ORDER_COLUMNS, KIND_REGISTRY, ResourcePages } from '@app/persistence';
import { APP_CONFIG, AppConfig, KindRegistry } from '@app/config';
import { createDtoFor } from '../kinds/dto/create-resource.dto';
import { ForceDeleteDto } from '../kinds/dto/force-delete.dto';
import { ListQueryParams } from '../kinds/dto/list.query';
import { patchDtoFor, patchFieldsOf } from '../kinds/dto/patch-resource.dto';
import { ApiProblemResponses, deprecationHeader, ForceDeleteBody, jsonBody, roomFor, schemaRef, sendPage } from '../kinds/http';
import { LARGE_PAGES } from '../kinds/kind-docs';
import { IGNORED_SEARCH, itemPath, openApiPath } from '../kinds/kind-routes';
import { presentResource } from '../kinds/kind.presenter';
import { KindsService } from '../kinds/kinds.service';
import { presentAdapterStatusPage } from '../statuses/adapter-status.presenter';
import { AdapterStatusCreateDto } from '../statuses/dto/adapter-status-create.dto';
import { AdapterStatusListResponse, AdapterStatusResponse } from '../statuses/dto/adapter-status.response';
import { answerLegacyReport, answerReport, reportDocs } from '../statuses/status-routes';
import { StatusesService } from '../statuses/statuses.service';

const ID = ApiParam({ name: 'resource_id', description: 'Id of a resource of any kind', schema: { type: 'string' } });
const ORDERABLE: Record<string, string> = Object.fromEntries([...COMMON_ORDER_COLUMNS.map((c) => [c, c]), ['href', 'id'], ['owner_id', 'id'], ['owner_kind', 'id'], ['owner_href', 'id']]);
const RESOURCE = schemaRef('Resource');

/**
 * The generic resources API (CONTRACT §4.5): every kind through one set of routes. A resource is found by
 * its id alone, whatever its kind, and then handled exactly as its kind's own routes handle it.
 */
@ApiTags('resources')
@Controller('resources')
export class GenericResourcesController {
  constructor(
    private readonly kinds: KindsService,
    private readonly statuses: StatusesService,
    private readonly pages: ResourcePages,
    @Inject(KIND_REGISTRY) private readonly registry: KindRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getResources', summary: 'List resources', description: `Resources of every kind, or of one (\`kind\`); newest first by default. Resources marked for deletion are included.${LARGE_PAGES}` })
  @ApiQuery({ name: 'kind', required: false, description: 'Only resources of this kind (400 for a kind that is not registered)', schema: { type: 'string' } })
  @ApiResponse({ status: 200, description: 'A page of them', content: { 'application/json': { schema: schemaRef('ResourceList') } } })
  @ApiProblemResponses(400, 401)
  async list(@Query() query: ListQueryParams, @Res() res: Response): Promise<void> {
    const raw = query as Record<string, unknown>;
    const kindName = typeof raw.kind === 'string' && raw.kind !== '' ? raw.kind : undefined;
    const kind = kindName === undefined ? undefined : this.kindNamed(kindName);
    const parsed = parseListQuery(raw, ORDERABLE, this.config.lists.maxSize);
    const room = roomFor(res);
    if (room) await room;
    const page = await this.pages.pageAll(kind ? [kind] : this.registry.all(), {
      search: parsed.search,
      page: parsed.page,
      size: parsed.size,
      order: parsed.order.map((o) => ({ column: o.field, direction: o.direction })),
    });
    deprecationHeader(res, parsed);
    await sendPage(res, { kind: 'ResourceList', page: parsed.page, ...page });
  }

  @Post()
  @ApiOperation({ operationId: 'postResource', summary: 'Create a resource of a root kind', description: 'The body names the kind; a child kind is created under its parent (422 here).' })
  @ApiBody({ required: true, schema: schemaRef('ResourceCreateRequest') })
  @ApiCreatedResponse({ description: 'Created', content: { 'application/json': { schema: RESOURCE } } })
  @ApiProblemResponses(400, 401, 409)
  async create(@Body() body: unknown, @Caller() caller: string, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
    if (!isPlainObject(body)) body = await new BodyPipe(Object).transform(body);
    const raw = body as Record<string, unknown>;
    if (typeof raw.kind !== 'string' || raw.kind === '') throw ValidationError.field('kind', 'kind is required', 'required');
    const kind = this.kindNamed(raw.kind);
    if (kind.parent) throw ValidationError.childKind(`kind "${kind.kind}" is a child kind; create it via /${openApiPath(itemPath(kind.parent))}/${kind.plural}`);
    const dto = await new BodyPipe(createDtoFor(kind)).transform(body);
    const view = await this.kinds.create(kind, undefined, dto, caller);
    res.setHeader('ETag', etagOf(view.row.version));
    return jsonBody(res, presentResource(view, this.registry));
  }

  @Get(':resource_id')
  @ApiOperation({ operationId: 'getResourceById', summary: 'Get a resource of any kind' })
  @ID
  @IGNORED_SEARCH
  @ApiOkResponse({ description: 'The resource', content: { 'application/json': { schema: RESOURCE } } })
  @ApiProblemResponses(400, 401, 404)
  async get(@Param('resource_id') id: string, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
    const found = await this.kinds.get(await this.kindOf(id), { id });
    res.setHeader('ETag', etagOf(found.version));
    return jsonBody(res, found.json);
  }

  @Patch(':resource_id')
  @ApiOperation({ operationId: 'patchResourceById', summary: 'Change spec, labels and/or references of a resource of any kind' })
  @ID
  @ApiBody({ required: true, schema: schemaRef('ResourcePatchRequest') })
  @ApiOkResponse({ description: 'Changed', content: { 'application/json': { schema: RESOURCE } } })
  @ApiProblemResponses(400, 401, 404, 409, 412)
  async patch(@Param('resource_id') id: string, @Body() body: unknown, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
    const kind = await this.kindOf(id);
    const dto = await new BodyPipe(patchDtoFor(kind), { strict: true }, patchFieldsOf(kind)).transform(body);
    const view = await this.kinds.patch(kind, { id }, dto, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return jsonBody(res, presentResource(view, this.registry));
  }

  @Delete(':resource_id')
  @HttpCode(202)
  @ApiOperation({ operationId: 'deleteResourceById', summary: 'Request deletion of a resource of any kind', description: 'As the kind\u2019s own DELETE: kinds without required adapters are removed at once.' })
  @ID
  @ApiResponse({ status: 202, description: 'Marked for deletion (or removed)', content: { 'application/json': { schema: RESOURCE } } })
  @ApiProblemResponses(400, 401, 404, 409, 412)
  async delete(@Param('resource_id') id: string, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
    const view = await this.kinds.markForDeletion(await this.kindOf(id), { id }, caller, ifMatch);
    res.setHeader('ETag', etagOf(view.row.version));
    return jsonBody(res, presentResource(view, this.registry));
  }

  @Post(':resource_id/force-delete')
  @HttpCode(204)
  @ApiOperation({ operationId: 'forceDeleteResource', summary: 'Remove a resource marked for deletion now, with everything under it' })
  @ID
  @ForceDeleteBody()
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblemResponses(400, 401, 404, 409)
  async forceDelete(@Param('resource_id') id: string, @Body(new BodyPipe(ForceDeleteDto)) dto: ForceDeleteDto, @Caller() caller: string): Promise<void> {
    await this.kinds.forceDelete(await this.kindOf(id), { id }, dto.reason, caller);
  }

  @Get(':resource_id/statuses')
  @ApiOperation({ operationId: 'getResourceStatuses', summary: "List a resource's adapter statuses", description: 'Oldest first, then by adapter name.' })
  @ID
  @ApiOkResponse({ type: AdapterStatusListResponse })
  @ApiProblemResponses(400, 401, 404)
  async listStatuses(@Param('resource_id') id: string, @Query() query: ListQueryParams): Promise<AdapterStatusListResponse> {
    const page = await this.statuses.list(await this.kindOf(id), { id }, query as Record<string, unknown>);
    return presentAdapterStatusPage(page.page, page.total, page.items);
  }

  @Put(':resource_id/statuses')
  @reportDocs({ operationId: 'putResourceStatuses', summary: 'Report an adapter status for a resource of any kind' })
  @ID
  async putStatus(@Param('resource_id') id: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response): Promise<AdapterStatusResponse | undefined> {
    return answerReport(await this.statuses.report(await this.kindOf(id), { id }, dto), res);
  }

  @Post(':resource_id/statuses')
  @reportDocs({ operationId: 'postResourceStatuses', summary: 'Report an adapter status for a resource of any kind (older adapters)' }, true)
  @ID
  async postStatus(@Param('resource_id') id: string, @Body(new BodyPipe(AdapterStatusCreateDto)) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response): Promise<AdapterStatusResponse | AdapterStatusCreateDto> {
    return answerLegacyReport(await this.statuses.report(await this.kindOf(id), { id }, dto), dto, res);
  }

  /** A registered kind by name; 400 for any other (CONTRACT §4.5). */
  private kindNamed(name: string): ResourceKind {
    const kind = this.registry.get(name);
    if (!kind) throw ValidationError.field('kind', `Unknown entity kind: ${name}`, 'enum', name);
    return kind;
  }

  /** The kind of the live resource with this id; 404 "Resource with id='…' not found" when there is none. */
  private async kindOf(id: string): Promise<ResourceKind> {
    const kind = await this.kinds.kindOf(id);
    if (!kind) throw NotFoundError.resource('Resource', id);
    return kind;
  }
}
