import type { ResourceKind } from '@app/config';
import { applyDecorators, Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res, Type } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiHeader, ApiNoContentResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BodyPipe, Caller, etagOf, JsonText, ValidationError } from '@app/common';
import type { Address } from '@app/persistence';
import { createDtoFor } from './dto/create-resource.dto';
import { ForceDeleteDto } from './dto/force-delete.dto';
import { ListQueryParams } from './dto/list.query';
import { patchDtoFor, patchFieldsOf } from './dto/patch-resource.dto';
import { ApiProblemResponses, deprecationHeader, ForceDeleteBody, jsonBody, roomFor, schemaRef, sendPage } from './http';
import { presentPage, presentResource } from './kind.presenter';
import { KindsService } from './kinds.service';

/** The documentation of one operation. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
}

/** The documentation of a kind's route set (one per route shape: root, nested or flat). */
export interface KindRouteDocs {
  tag: string;
  list: OperationDoc;
  create: OperationDoc;
  get: OperationDoc;
  patch: OperationDoc;
  delete: OperationDoc;
  forceDelete: OperationDoc;
}

/** How a kind's routes address its resources. */
export type RouteShape = 'root' | 'nested' | 'flat';

/** A kind's item path under the API prefix with Express parameters: `clusters/:cluster_id/nodepools/:nodepool_id`. */
export function itemPath(kind: ResourceKind): string {
  const own = `${kind.plural}/:${kind.idParam}`;
  return kind.parent ? `${itemPath(kind.parent)}/${own}` : own;
}

/** The same path as OpenAPI writes it: `clusters/{cluster_id}/nodepools/{nodepool_id}`. */
export const openApiPath = (path: string): string => path.replace(/:([a-z0-9_]+)/g, '{$1}');

/** The ids of a nested address's owners from the path parameters, nearest first. */
export function ownersOf(kind: ResourceKind, params: Record<string, string>): string[] {
  const owners: string[] = [];
  for (let owner = kind.parent; owner; owner = owner.parent) owners.push(params[owner.idParam]);
  return owners;
}

/** The path parameters of the routes of a shape, outermost first (for the document). */
function pathParams(kind: ResourceKind, shape: RouteShape): ResourceKind[] {
  if (shape !== 'nested') return [];
  const owners: ResourceKind[] = [];
  for (let owner = kind.parent; owner; owner = owner.parent) owners.unshift(owner);
  return owners;
}

/** The reference contract lists `search` on GET by id; it is accepted there and has no effect. */
export const IGNORED_SEARCH = ApiQuery({ name: 'search', required: false, description: 'Accepted for compatibility and ignored: a single resource is not filtered', schema: { type: 'string' } });

/**
 * Who reads a list, as far as the API can tell: the client's address, agent and credentials (hashed into
 * the list's key, never stored as they are). A poll continues only its own reader's pages (D17).
 */
function readerOf(req: Request): string {
  return `${req.ip ?? ''}\n${req.headers['user-agent'] ?? ''}\n${req.headers.authorization ?? ''}`;
}

const IF_MATCH = (kind: ResourceKind) => ({ name: 'If-Match', required: false, description: `Apply only if the ${kind.kind} still has this ETag (else 412)` });

/** Documents a path parameter per owner of a nested route. */
function ownerParams(kind: ResourceKind, shape: RouteShape): (MethodDecorator & ClassDecorator)[] {
  return pathParams(kind, shape).map((owner) => ApiParam({ name: owner.idParam, description: `${owner.kind} id`, schema: { type: 'string' } }));
}

/**
 * The routes of one kind in one shape (CONTRACT §4.5, D13): `GET|POST /{plural}`, `GET|PATCH|DELETE
 * /{plural}/{id}`, `POST /{plural}/{id}/force-delete` under the kind's root path (root), its parent's
 * item path (nested) or its own plural (flat, child kinds: POST answers 422). Each route reaches its
 * statements through KindsService and ResourceStore.
 */
export function kindRoutes(kind: ResourceKind, shape: RouteShape, docs: KindRouteDocs): Type {
  const base = shape === 'nested' ? `${itemPath(kind.parent!)}/${kind.plural}` : kind.plural;
  const address = (params: Record<string, string>): Address => ({ id: params[kind.idParam], owners: shape === 'nested' ? ownersOf(kind, params) : undefined });
  const owners = (params: Record<string, string>): string[] | undefined => (shape === 'nested' ? ownersOf(kind, params) : undefined);
  const create = new BodyPipe(createDtoFor(kind));
  const patchPipe = new BodyPipe(patchDtoFor(kind), { strict: true }, patchFieldsOf(kind));
  const item = schemaRef(kind.kind);
  const refQueries = kind.references.length
    ? [
        ApiQuery({ name: 'ref_type', required: false, description: `Only resources holding a reference of this type (${kind.references.map((r) => r.refType).join(', ')}); with ref_target_id`, schema: { type: 'string' } }),
        ApiQuery({ name: 'ref_target_id', required: false, description: 'The id the reference must point at; with ref_type', schema: { type: 'string' } }),
      ]
    : [];
  const idParam = ApiParam({ name: kind.idParam, description: `${kind.kind} id`, schema: { type: 'string' } });
  const owned = ownerParams(kind, shape);
  const json = (status: number, schema: object, description: string) => ApiResponse({ status, description, content: { 'application/json': { schema } } });
  const etag = { ETag: { description: `Version of the ${kind.kind}, for If-Match`, schema: { type: 'string' } } };
  const nestedNotFound = shape === 'nested' ? [404] : [];
  const doc = {
    list: applyDecorators(ApiOperation(docs.list), ...owned, ...refQueries, json(200, schemaRef(kind.listKind), 'A page of them'), ApiProblemResponses(400, 401, ...nestedNotFound)),
    create:
      shape === 'flat' && kind.parent
        ? ApiExcludeEndpoint()
        : applyDecorators(
            ApiOperation(docs.create),
            ...owned,
            ApiBody({ required: true, schema: schemaRef(`${kind.kind}CreateRequest`) }),
            ApiResponse({ status: 201, description: 'Created', headers: etag, content: { 'application/json': { schema: item } } }),
            ApiProblemResponses(400, 401, ...nestedNotFound, 409),
          ),
    get: applyDecorators(
      ApiOperation(docs.get),
      ...owned,
      idParam,
      IGNORED_SEARCH,
      ApiResponse({ status: 200, description: `The ${kind.kind}`, headers: etag, content: { 'application/json': { schema: item } } }),
      ApiProblemResponses(400, 401, 404),
    ),
    patch: applyDecorators(
      ApiOperation(docs.patch),
      ...owned,
      idParam,
      ApiHeader(IF_MATCH(kind)),
      ApiBody({ required: true, schema: schemaRef(`${kind.kind}PatchRequest`) }),
      json(200, item, 'Changed (or unchanged when nothing differed)'),
      ApiProblemResponses(400, 401, 404, 409, 412),
    ),
    delete: applyDecorators(ApiOperation(docs.delete), ...owned, idParam, ApiHeader(IF_MATCH(kind)), json(202, item, 'Marked for deletion (or removed at once, for a kind without required adapters)'), ApiProblemResponses(400, 401, 404, 409, 412)),
    forceDelete: applyDecorators(ApiOperation(docs.forceDelete), ...owned, idParam, ForceDeleteBody(), ApiNoContentResponse({ description: 'Removed' }), ApiProblemResponses(400, 401, 404, 409)),
  };

  @ApiTags(docs.tag)
  @Controller(base)
  class KindController {
    constructor(@Inject(KindsService) readonly kinds: KindsService) {}

    @Get()
    @doc.list
    async list(@Param() params: Record<string, string>, @Query() query: ListQueryParams, @Res() res: Response): Promise<void> {
      const room = roomFor(res);
      if (room) await room;
      const page = await this.kinds.list(kind, owners(params), query as Record<string, unknown>, readerOf(res.req));
      deprecationHeader(res, page.query);
      await sendPage(res, presentPage(kind, page));
    }

    @Post()
    @doc.create
    async create(@Param() params: Record<string, string>, @Body() body: unknown, @Caller() caller: string, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
      if (shape === 'flat' && kind.parent)
        throw ValidationError.childKind(`kind "${kind.kind}" is a child kind; create it via /${openApiPath(itemPath(kind.parent))}/${kind.plural}`);
      const dto = await create.transform(body);
      const view = await this.kinds.create(kind, owners(params), dto, caller);
      res.setHeader('ETag', etagOf(view.row.version));
      return jsonBody(res, presentResource(view, this.kinds.kinds));
    }

    @Get(`:${kind.idParam}`)
    @doc.get
    async get(@Param() params: Record<string, string>, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
      const found = await this.kinds.get(kind, address(params));
      res.setHeader('ETag', etagOf(found.version));
      return jsonBody(res, found.json);
    }

    @Patch(`:${kind.idParam}`)
    @doc.patch
    async patch(@Param() params: Record<string, string>, @Body() body: unknown, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
      const dto = await patchPipe.transform(body);
      const view = await this.kinds.patch(kind, address(params), dto, caller, ifMatch);
      res.setHeader('ETag', etagOf(view.row.version));
      return jsonBody(res, presentResource(view, this.kinds.kinds));
    }

    @Delete(`:${kind.idParam}`)
    @HttpCode(202)
    @doc.delete
    async delete(@Param() params: Record<string, string>, @Caller() caller: string, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response): Promise<JsonText<unknown>> {
      const view = await this.kinds.markForDeletion(kind, address(params), caller, ifMatch);
      res.setHeader('ETag', etagOf(view.row.version));
      return jsonBody(res, presentResource(view, this.kinds.kinds));
    }

    @Post(`:${kind.idParam}/force-delete`)
    @HttpCode(204)
    @doc.forceDelete
    async forceDelete(@Param() params: Record<string, string>, @Body(new BodyPipe(ForceDeleteDto)) dto: ForceDeleteDto, @Caller() caller: string): Promise<void> {
      await this.kinds.forceDelete(kind, address(params), dto.reason, caller);
    }
  }
  return KindController;
}
