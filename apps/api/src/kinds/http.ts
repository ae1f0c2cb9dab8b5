import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import type { JsonParts, JsonText, ListQuery } from '@app/common';
import { ForceDeleteDto } from './dto/force-delete.dto';
import { ProblemResponse } from './dto/problem.response';

/** What `res.json` would set: the Content-Type of every JSON body the handlers send as text. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (`HYPERFLEET-VAL-*`)',
  401: 'Authentication is required or failed (`HYPERFLEET-AUT-*`)',
  404: 'The resource does not exist or was removed (`HYPERFLEET-NTF-001`)',
  409: 'Name already taken (`HYPERFLEET-CNF-001`) or the resource state forbids the change (`HYPERFLEET-CNF-003`)',
  412: 'If-Match did not match the current ETag (`HYPERFLEET-CNF-004`)',
};

/** A reference to a schema of the document's components (the kinds' schemas are generated from the registry: openapi/kind-schemas.ts). */
export const schemaRef = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** The body of a force-delete, with the example Swagger UI fills in. */
export const ForceDeleteBody = (): MethodDecorator =>
  applyDecorators(
    ApiExtraModels(ForceDeleteDto),
    ApiBody({ required: true, schema: { $ref: getSchemaPath(ForceDeleteDto) }, examples: { reason: { summary: 'Why (logged for audit)', value: { reason: 'adapter decommissioned' } } } }),
  );

/** Documents problem+json answers for the given status codes. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...[...statuses, 'default' as const].map((status) =>
      ApiResponse({
        status,
        // codes in backticks: Swagger UI renders Markdown, and two `*` in a line made italics
        description: status === 'default' ? 'Unexpected error (`HYPERFLEET-INT-*`, `HYPERFLEET-SVC-*`)' : DESCRIPTIONS[status],
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
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  return json;
}

/**
 * Sends JSON text in pieces (a list page, see JsonParts) as one 200 response with its Content-Length:
 * the pieces are written corked, so they leave in one write, and never joined into one string. For a
 * handler that takes `@Res()` and sends its own response. Nothing is sent when the request's deadline
 * has already answered it.
 */
export function sendJson<T>(res: Response, parts: JsonParts<T>): void {
  if (res.headersSent) return;
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', length);
  res.cork();
  for (const part of parts) res.write(part);
  res.end();
}
