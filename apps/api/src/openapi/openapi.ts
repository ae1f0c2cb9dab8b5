import type { KindRegistry, SpecSchemas } from '@app/config';
import { MAX_SIZE } from '@app/common';
import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import metadata from '../metadata';
import { itemPath, openApiPath } from '../kinds/kind-routes';
import { kindSchemas } from './kind-schemas';

export const API_PREFIX = 'api/hyperfleet/v1';

/** What the document needs of the configuration. */
export interface OpenApiOptions {
  version: string;
  kinds: KindRegistry;
  /** Whether requests need a token (server.jwt.enabled): only then does the document declare the bearer scheme (Swagger UI's Authorize). */
  authentication: boolean;
  /** The deployed spec schemas (CONTRACT D14), in place of the permissive ones. */
  specSchemas?: SpecSchemas;
  /** The largest page size a list accepts (`list.max_size`). */
  maxPageSize?: number;
}

/**
 * Builds the OpenAPI document from our controllers and DTOs (never copied from the reference) and the
 * component schemas of every kind of the registry (kind-schemas.ts), which the kinds' routes refer to
 * by name, with the deployed spec schemas (`specSchemas`, CONTRACT D14) in place of the permissive ones and a
 * description per tag. Throws ConfigError when a kind's schema name is already taken.
 */
export async function buildOpenApiDocument(app: INestApplication, { version, kinds, authentication, specSchemas, maxPageSize = MAX_SIZE }: OpenApiOptions): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const builder = new DocumentBuilder().setTitle('HyperFleet API').setDescription(describe(kinds)).setVersion(version).addServer('/', 'This server');
  if (authentication) {
    builder
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token of one of the configured issuers (server.jwt)' }, 'BearerAuth')
      .addSecurityRequirements('BearerAuth');
  }
  const document = SwaggerModule.createDocument(app, builder.build(), { operationIdFactory: (_controller, method) => method });
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  Object.assign(schemas, kindSchemas(kinds, Object.keys(schemas), specSchemas));
  limitPageSize(document, maxPageSize);
  document.tags = tagsOf(document, kinds);
  const kindParam = document.paths[`/${API_PREFIX}/resources`]?.get?.parameters?.find((p) => 'name' in p && p.name === 'kind');
  if (kindParam && 'schema' in kindParam) kindParam.schema = { type: 'string', enum: kinds.all().map((k) => k.kind) };
  return document;
}

/** Every tag the operations use, in order of first use, with its description (a kind's tag is its plural). */
function tagsOf(document: OpenAPIObject, kinds: KindRegistry): { name: string; description: string }[] {
  const fixed: Record<string, string> = {
    metadata: 'The API\u2019s metadata document (`/api/hyperfleet`): name, version, build time.',
    statuses: 'Adapter status reports: `PUT` stores an adapter\u2019s report and recomputes the resource\u2019s conditions (`POST` for older adapters); `GET` lists the stored reports.',
    resources: 'Resources of every kind through one API: lists (`kind` picks one), creation of root kinds, and any resource by its id alone.',
  };
  const byTag = new Map(kinds.all().map((k) => [k.plural, k]));
  const names: string[] = [];
  for (const operations of Object.values(document.paths))
    for (const operation of Object.values(operations as Record<string, { tags?: string[] }>)) for (const tag of operation?.tags ?? []) if (!names.includes(tag)) names.push(tag);
  return names.map((name) => {
    const kind = byTag.get(name);
    if (!kind) return { name, description: fixed[name] ?? name };
    const where = kind.parent ? `under their ${kind.parent.kind} (\`/${openApiPath(itemPath(kind.parent))}/${kind.plural}\`) and by id alone (\`/${kind.plural}/{${kind.idParam}}\`)` : `under \`/${kind.plural}\``;
    return { name, description: `${kind.kind} resources ${where}: list, create, read, change, delete, force-delete.` };
  });
}

/** Every list's `size` (and deprecated `pageSize`) as this configuration bounds it (`list.max_size`). */
function limitPageSize(document: OpenAPIObject, maxPageSize: number): void {
  for (const path of Object.values(document.paths))
    for (const operation of Object.values(path) as { parameters?: { name?: string; in?: string; schema?: { maximum?: number }; description?: string }[] }[]) {
      for (const p of operation?.parameters ?? []) {
        if (p.in !== 'query' || (p.name !== 'size' && p.name !== 'pageSize')) continue;
        if (p.name === 'size') p.schema = { ...p.schema, maximum: maxPageSize };
        if (p.description) p.description = p.description.replace('1–100', `1–${maxPageSize}`);
      }
    }
}

/** The document's description: what the service does, with the kinds this configuration serves. */
function describe(kinds: KindRegistry): string {
  const name = (k: { kind: string; plural: string; parent?: { kind: string } }) => `${k.kind} (\`/${k.plural}\`${k.parent ? `, under its ${k.parent.kind}` : ''})`;
  const builtIn = kinds.all().filter((k) => k.builtIn);
  const configured = kinds.all().filter((k) => !k.builtIn);
  return (
    `Stores resources of the kinds this server is configured with, takes status reports from adapters and aggregates them into ` +
    `Kubernetes-style conditions. Kinds: ${builtIn.map(name).join(', ')}, built in` +
    (configured.length ? `; configured (\`entities\`): ${configured.map(name).join(', ')}` : '; no other kind is configured (`entities`)') +
    `. Every kind has the same routes: a root kind under \`/{plural}\`, a child kind under its parent's item path and, by its id alone, ` +
    `under \`/{plural}\`. The generic \`/resources\` API lists resources of every kind, creates those of root kinds and serves any of them by its id. ` +
    'Errors are RFC 9457 `application/problem+json` bodies with a `HYPERFLEET-XXX-NNN` code.'
  );
}

/** Serves the document at /api/hyperfleet/v1/openapi and Swagger UI (from swagger-ui-dist, no CDN) at …/openapi.html. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(`${API_PREFIX}/openapi.html`, app, document, {
    jsonDocumentUrl: `${API_PREFIX}/openapi`,
    yamlDocumentUrl: `${API_PREFIX}/openapi.yaml`,
    useGlobalPrefix: false,
    customSiteTitle: 'HyperFleet API',
    swaggerOptions: { persistAuthorization: true, tryItOutEnabled: false },
  });
}
