import type { ResourceKind } from '@app/config';
import { applyDecorators, Body, Controller, Get, Inject, Param, Post, Put, Query, Res, Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { BodyPipe } from '@app/common';
import type { Address } from '@app/persistence';
import { ListQueryParams } from '../kinds/dto/list.query';
import { ApiProblemResponses, schemaRef } from '../kinds/http';
import { itemPath, ownersOf, RouteShape } from '../kinds/kind-routes';
import { presentAdapterStatus, presentAdapterStatusPage } from './adapter-status.presenter';
import { AdapterStatusCreateDto } from './dto/adapter-status-create.dto';
import { AdapterStatusListResponse, AdapterStatusResponse } from './dto/adapter-status.response';
import { ReportOutcome, StatusesService } from './statuses.service';

/** The documentation of a kind's status routes in one shape. */
export interface StatusRouteDocs {
  tag: string;
  put: { operationId: string; summary: string };
  post: { operationId: string; summary: string };
  list: { operationId: string; summary: string };
}

export const REPORT_DESCRIPTION =
  'Stores the adapter\u2019s report (one status per adapter and resource) and recomputes the resource\u2019s conditions. ' +
  'Answers 204 with no body, storing nothing, when the report is for a newer generation than the resource\u2019s, older than the stored one, ' +
  'or repeats Available=Unknown (the reason in `X-HyperFleet-Discarded`). Works on resources marked for deletion; when every required adapter has reported Finalized=True at the ' +
  'current generation (and no child resource is left), the resource is removed.';

/** Answers a report: 201 with the stored status, or 204 naming why it was discarded. */
export function answerReport(outcome: ReportOutcome, res: Response): AdapterStatusResponse | undefined {
  if ('discarded' in outcome) {
    res.status(204);
    res.setHeader('X-HyperFleet-Discarded', outcome.discarded);
    return undefined;
  }
  res.status(201);
  return presentAdapterStatus(outcome.stored);
}

/**
 * Answers a report sent with POST, which only older adapters and clients use (CONTRACT D16): as PUT,
 * except that a discarded report gets 200 with a JSON body (they read every answer as JSON): the
 * adapter's stored status, or the report as received when none is stored.
 */
export function answerLegacyReport(outcome: ReportOutcome, received: AdapterStatusCreateDto, res: Response): AdapterStatusResponse | AdapterStatusCreateDto {
  if (!('discarded' in outcome)) return answerReport(outcome, res)!;
  res.status(200);
  res.setHeader('X-HyperFleet-Discarded', outcome.discarded);
  return outcome.current ? presentAdapterStatus(outcome.current) : received;
}

/**
 * The example report Swagger UI fills in: the mandatory conditions, for generation 1 (every resource's
 * first), without observed_time, so that the server's time is used and the example stays inside the
 * accepted window whenever it is sent.
 */
export const REPORT_EXAMPLE = {
  adapter: 'validation',
  observed_generation: 1,
  conditions: [
    { type: 'Available', status: 'True', reason: 'Ready', message: 'validation passed' },
    { type: 'Applied', status: 'True', reason: 'Applied' },
    { type: 'Health', status: 'True', reason: 'Healthy' },
  ],
  data: { checks: { passed: 30 } },
};

const REPORT_BODY = applyDecorators(
  ApiExtraModels(AdapterStatusCreateDto),
  ApiBody({
    required: true,
    schema: { $ref: getSchemaPath(AdapterStatusCreateDto) },
    examples: { report: { summary: 'Available, Applied and Health (mandatory); observed_time left out: the server\u2019s time', value: REPORT_EXAMPLE } },
  }),
);

const DISCARDED_HEADER = { 'X-HyperFleet-Discarded': { description: 'Why the report was discarded', schema: { type: 'string' } } };

/** Documentation of the report routes (PUT, and POST for older adapters). */
export const reportDocs = (operation: { operationId: string; summary: string }, deprecated = false): MethodDecorator =>
  applyDecorators(
    ApiOperation({
      ...operation,
      description: deprecated
        ? 'Same as PUT, for older adapters and clients, except the answer to a discarded report: 200 (not 204) with a JSON body, ' +
          'the adapter\u2019s stored status, or the report as received when none is stored, and the reason in `X-HyperFleet-Discarded`.'
        : REPORT_DESCRIPTION,
      deprecated,
    }),
    REPORT_BODY,
    ApiCreatedResponse({ type: AdapterStatusResponse, description: 'Stored' }),
    deprecated
      ? ApiResponse({
          status: 200,
          content: { 'application/json': { schema: { oneOf: [schemaRef('AdapterStatus'), schemaRef('AdapterStatusCreateRequest')] } } },
          headers: DISCARDED_HEADER,
          description: 'Discarded (stale, out of order, or a repeated Available=Unknown); nothing stored. The body is the adapter\u2019s stored status, or the report as received when none is stored',
        })
      : ApiNoContentResponse({ headers: DISCARDED_HEADER, description: 'Discarded (stale, out of order, or a repeated Available=Unknown); nothing stored' }),
    ApiProblemResponses(400, 401, 404),
  );

/**
 * A kind's status routes in one shape (CONTRACT §4.4): `GET|PUT|POST {item path}/statuses`, where the
 * item path is the root one, the nested one under the kind's owners, or the flat one of a child kind.
 */
export function statusRoutes(kind: ResourceKind, shape: RouteShape, docs: StatusRouteDocs): Type {
  const base = shape === 'nested' ? itemPath(kind) : `${kind.plural}/:${kind.idParam}`;
  const address = (params: Record<string, string>): Address => ({ id: params[kind.idParam], owners: shape === 'nested' ? ownersOf(kind, params) : undefined });
  const pipe = new BodyPipe(AdapterStatusCreateDto);
  const params: ResourceKind[] = [kind];
  if (shape === 'nested') for (let owner = kind.parent; owner; owner = owner.parent) params.unshift(owner);
  const paramDocs = params.map((k) => ApiParam({ name: k.idParam, description: `${k.kind} id`, schema: { type: 'string' } }));
  const doc = {
    put: applyDecorators(reportDocs(docs.put), ...paramDocs),
    post: applyDecorators(reportDocs(docs.post, true), ...paramDocs),
    list: applyDecorators(
      ApiOperation({ ...docs.list, description: 'Oldest first, then by adapter name; `search` and `order` are accepted and ignored.' }),
      ...paramDocs,
      ApiOkResponse({ type: AdapterStatusListResponse }),
      ApiProblemResponses(400, 401, 404),
    ),
  };

  @ApiTags(docs.tag)
  @Controller(`${base}/statuses`)
  class StatusController {
    constructor(@Inject(StatusesService) readonly statuses: StatusesService) {}

    @Put()
    @doc.put
    async put(@Param() p: Record<string, string>, @Body(pipe) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response): Promise<AdapterStatusResponse | undefined> {
      return answerReport(await this.statuses.report(kind, address(p), dto), res);
    }

    @Post()
    @doc.post
    async post(@Param() p: Record<string, string>, @Body(pipe) dto: AdapterStatusCreateDto, @Res({ passthrough: true }) res: Response): Promise<AdapterStatusResponse | AdapterStatusCreateDto> {
      return answerLegacyReport(await this.statuses.report(kind, address(p), dto), dto, res);
    }

    @Get()
    @doc.list
    async list(@Param() p: Record<string, string>, @Query() query: ListQueryParams): Promise<AdapterStatusListResponse> {
      const page = await this.statuses.list(kind, address(p), query as Record<string, unknown>);
      return presentAdapterStatusPage(page.page, page.total, page.items);
    }
  }
  return StatusController;
}
