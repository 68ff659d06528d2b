import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { AppModule, type AppOverrides } from './app.module';
import type { PrismaService } from './database/prisma.service';
import type { AppConfig } from './config/config';
import { ApiExceptionFilter, sendError } from './errors/api-exception.filter';
import { ApiValidationPipe } from './errors/validation.pipe';
import { registerRateLimit } from './http/rate-limit';
import { genRequestId } from './http/request-id';
import { createLogger, PinoNestLogger, redactUrl } from './observability/logger';
import { MetricsService } from './observability/metrics';
import { buildOpenApiDocument } from './openapi/document';
import { type MountedSandbox, SANDBOX_EMULATORS } from './sandbox/sandbox.module';

/** Swagger UI needs its inline style block and data: images; everything else comes from this server. */
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

export interface CreateAppOptions {
  logger?: Logger;
  /** Build routes without instantiating providers (OpenAPI generation). */
  preview?: boolean;
  /** Use this database client instead of opening one from the config (tests). */
  database?: PrismaService;
  /** Replace the API-key guard (benchmarks only). */
  guard?: AppOverrides['guard'];
}

/**
 * Builds the server (not listening yet). Shared by main.ts, the CLIs, tests and benchmarks so
 * that all of them exercise the same wiring.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request is written by our onResponse hook (with the URL's secrets masked).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: genRequestId,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { database: options.database, guard: options.guard }), adapter, {
    logger: new PinoNestLogger(logger),
    preview: options.preview,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  if (!options.preview) {
    const metrics = app.get(MetricsService);
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      const route = request.routeOptions?.url ?? 'unmatched';
      metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      if (logger.isLevelEnabled('info')) {
        request.log.info({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
      }
    });
  }
  await registerRateLimit(fastify, config.rateLimit);
  if (!options.preview) {
    for (const sandbox of app.get<MountedSandbox[]>(SANDBOX_EMULATORS)) {
      await fastify.register(sandbox.emulator.plugin, { prefix: sandbox.pathPrefix });
    }
  }

  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(new ApiValidationPipe());

  if (!options.preview) {
    // Served from swagger-ui-dist in node_modules: no CDN, works offline.
    SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
      jsonDocumentUrl: 'openapi.json',
      yamlDocumentUrl: 'openapi.yaml',
      customSiteTitle: 'Switchboard API reference',
      // No call to the public validator service (its badge would load from validator.swagger.io).
      swaggerOptions: { validatorUrl: null },
    });
    // The browser itself refuses anything the reference page would load from elsewhere.
    fastify.addHook('onSend', async (request, reply) => {
      if (request.url === '/docs' || request.url.startsWith('/docs/') || request.url.startsWith('/docs?')) reply.header('content-security-policy', DOCS_CSP);
    });
  }
  // Fastify fixes each route's error handler when the route is built, and the GraphQL driver's
  // awaited plugin registration (during init) builds every route before Nest installs its own
  // handler: without this one, body-parsing errors (bad JSON, too large) got Fastify's default body.
  fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  // Nest would install an equivalent handler (its filter chain ends in the same sendError) after
  // init, which Fastify reports as an override warning on every start; this one is enough.
  (app.getHttpAdapter() as unknown as { setErrorHandler: () => void }).setErrorHandler = () => undefined;
  await app.init();
  return app;
}
