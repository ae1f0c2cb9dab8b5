import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import {
  applyServerLimits,
  clientErrorHandler,
  jsonBodyMiddleware,
  Logger,
  NestPinoLogger,
  ProblemDetailsFilter,
  requestIdMiddleware,
  requestContext,
  requireHostMiddleware,
  ResponseFlow,
  installResponseFlow,
  trailingSlashMiddleware,
} from '@app/common';
import { AppConfig } from '@app/config';
import { translateDriverError } from '@app/persistence';
import { AppModule, AppOptions } from './app.module';
import { deadlineMiddleware } from './observability/deadline.middleware';
import { httpObserver } from './observability/http-observer';
import { MetricsService } from './observability/metrics.service';
import { startTracing, tracingMiddleware } from './observability/tracing';
import { API_PREFIX, buildOpenApiDocument, serveOpenApi } from './openapi/openapi';

/**
 * Creates and initialises the API application (not listening yet). Used by main.ts and by the tests,
 * so both run exactly the same HTTP shell: request ids, body limits, problem+json errors, OpenAPI.
 */
export async function createApp(config: AppConfig, logger: Logger, options: AppOptions = {}): Promise<NestExpressApplication> {
  // tracing (when enabled) is stopped with the application; main.ts also stops the one it started
  const owned = !('tracing' in options);
  const tracing = owned ? startTracing(config, logger, { exporter: options.spanExporter }) : options.tracing;
  try {
    return await create(config, logger, { ...options, tracing });
  } catch (err) {
    if (owned) await tracing?.shutdown();
    throw err;
  }
}

async function create(config: AppConfig, logger: Logger, options: AppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, options), {
    bodyParser: false,
    logger: new NestPinoLogger(logger.child({ context: 'nest' })),
    abortOnError: false,
  });
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  app.getHttpServer().on('clientError', clientErrorHandler(logger, config.server.readTimeoutMs));
  applyServerLimits(app.getHttpServer(), config.server);

  const problems = new ProblemDetailsFilter(logger, [(err) => translateDriverError(err)], express);
  app.use(requestIdMiddleware);
  if (options.tracing) app.use(tracingMiddleware(options.tracing.tracer));
  app.use(trailingSlashMiddleware);
  const metrics = app.get(MetricsService);
  app.use(httpObserver(metrics, logger));
  const flow = new ResponseFlow(config.server.unsentBytesLimit, config.server.writeTimeoutMs, (res) =>
    logger.warn({ request_id: requestContext((res as unknown as { req: Request }).req)?.requestId }, `response cut: its client took none of its bytes for ${config.server.writeTimeoutMs} ms (server.write_timeout)`),
  );
  metrics.watchFlow(flow);
  installResponseFlow(flow, express.response);
  app.use(requireHostMiddleware);
  app.use(jsonBodyMiddleware(config.server.bodyLimit, config.server.readTimeoutMs));
  app.use(deadlineMiddleware(config.database.requestTimeoutMs, (err, req, res) => problems.render(err, req, res)));

  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'api/hyperfleet', method: RequestMethod.GET }] });
  app.useGlobalFilters(problems);

  serveOpenApi(
    app,
    await buildOpenApiDocument(app, { version: config.build.version, kinds: config.kinds, authentication: config.server.jwt.enabled, specSchemas: config.specSchemas, maxPageSize: config.lists.maxSize }),
  );
  for (const warning of config.specSchemas.warnings) logger.warn({ spec_schemas: config.specSchemas.source }, warning);
  await app.init();
  express.use(...problems.fallbackHandlers());
  return app;
}
