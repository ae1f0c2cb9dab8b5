import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { JoinedJson, JsonParts, JsonText, ListQuery, pageJson, responseFlowOf, streamedPageJson, writeTaken } from '@app/common';
import { Logger } from '@nestjs/common';
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

/** A list page to send: its envelope's members, its items (or first batch), and its later batches when it is large. */
export interface PageToSend {
  kind: string;
  page: number;
  total: number;
  /** The page's items, or its first batch when `more`. */
  items: JoinedJson;
  /** The later batches of a page larger than `list.batch_bytes` (ResourcePages.batches): each read when asked for. */
  more?: AsyncIterable<JoinedJson>;
}

/** The characters of a batch's text: what it holds in memory, for ResponseFlow's count. */
const lengthOf = (parts: readonly string[]): number => parts.reduce((n, p) => n + p.length, 0);

const log = new Logger('Lists');

/**
 * Sends a list page: in one write with its Content-Length (sendJson), or, for a page larger than
 * `list.batch_bytes`, chunked, batch after batch: each later batch is read when the client has taken the
 * one before and the process holds less than `server.unsent_bytes_limit` of unsent responses
 * (ResponseFlow), so that one page never holds more than about a batch in memory, and a client that stops
 * reading is cut after `server.write_timeout`. A failure after the first byte closes the connection (the
 * client sees a cut response, never a whole-looking one).
 */
export async function sendPage(res: Response, page: PageToSend): Promise<void> {
  if (!page.more) return sendJson(res, pageJson(page.kind, page.page, page.total, page.items));
  if (res.headersSent) return;
  const flow = responseFlowOf(res);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  const batches = page.more[Symbol.asyncIterator]();
  try {
    const first = page.items.parts;
    let release = flow?.hold(lengthOf(first));
    let taken = await writeTaken(res, [streamedPageJson.head(page.kind, page.page, page.total), ...first], flow);
    release?.();
    let size = page.items.count;
    while (taken) {
      await flow?.room();
      const next = await batches.next();
      if (next.done) break;
      const batch = next.value;
      release = flow?.hold(lengthOf(batch.parts));
      const parts = size > 0 && batch.count > 0 ? [',', ...batch.parts] : batch.parts;
      size += batch.count;
      taken = await writeTaken(res, parts, flow);
      release?.();
    }
    if (taken) res.end(streamedPageJson.tail(size));
    else await batches.return?.(undefined);
  } catch (err) {
    log.error(`a list page failed after its first bytes were sent; its connection is closed: ${err instanceof Error ? err.message : String(err)}`);
    res.destroy();
  }
}

/**
 * Waits, before a list reads its page, until the process holds less than `server.unsent_bytes_limit` of
 * responses its clients have not taken (ResponseFlow); at once, without a promise, in the common case.
 */
export function roomFor(res: Response): Promise<void> | undefined {
  return responseFlowOf(res)?.room();
}
