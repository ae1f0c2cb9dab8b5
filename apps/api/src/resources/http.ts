import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import type { JsonText, ListQuery } from '@app/common';
import { ProblemResponse } from './dto/problem.response';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (HYPERFLEET-VAL-*)',
  401: 'Authentication is required or failed (HYPERFLEET-AUT-*)',
  404: 'The resource does not exist or was removed (HYPERFLEET-NTF-001)',
  409: 'Name already taken (HYPERFLEET-CNF-001) or the resource state forbids the change (HYPERFLEET-CNF-003)',
  412: 'If-Match did not match the current ETag (HYPERFLEET-CNF-004)',
};

/** Documents problem+json answers for the given status codes. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...[...statuses, 'default' as const].map((status) =>
      ApiResponse({
        status,
        description: status === 'default' ? 'Unexpected error (HYPERFLEET-INT-*, HYPERFLEET-SVC-*)' : DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemResponse) } } },
      }),
    ),
  );
}

/** Older clients used `pageSize` / `orderBy` (CONTRACT D7): tell them the names are deprecated. */
export function deprecationHeader(res: Response, query: ListQuery): void {
  if (query.deprecated) res.setHeader('Deprecation', 'true');
}

/**
 * JSON text rendered by PostgreSQL, for the handler to return as the body (`@Res({ passthrough: true })`):
 * Express sends the string as it is, with the Content-Type `res.json` would set.
 */
export function jsonBody<T>(res: Response, json: JsonText<T>): JsonText<T> {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  return json;
}
