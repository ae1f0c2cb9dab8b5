import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import metadata from '../metadata';

export const API_PREFIX = 'api/hyperfleet/v1';

/** Builds the OpenAPI document from our controllers and DTOs (never copied from the reference). */
export async function buildOpenApiDocument(app: INestApplication, version: string): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const config = new DocumentBuilder()
    .setTitle('HyperFleet API')
    .setDescription(
      'Stores clusters and their node pools, takes status reports from adapters and aggregates them into ' +
        'Kubernetes-style conditions. Errors are RFC 9457 `application/problem+json` bodies with a `HYPERFLEET-XXX-NNN` code.',
    )
    .setVersion(version)
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Required when the server enables authentication (server.jwt.enabled)' }, 'BearerAuth')
    .addSecurityRequirements('BearerAuth')
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
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
