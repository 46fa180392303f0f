import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { registerConsole } from './console/console-static';
import { APP_CONFIG } from './config/config.module';
import type { AppConfig } from './config/config.types';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/errors/validation';
import { ErrorModel } from './common/openapi/error.model';
import { NestPinoLogger } from './logging/nest-logger.service';

export const API_PREFIX = 'api/v1';

/** Everything main.ts and the HTTP tests set on the application, in one place. */
export function configureApp(app: INestApplication, options: { bufferLogs?: boolean } = {}): OpenAPIObject {
  if (options.bufferLogs) app.useLogger(app.get(NestPinoLogger));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics', 'graphql'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  registerConsole(app, app.get<AppConfig>(APP_CONFIG));
  return document;
}

/** Initialises the modules and waits until Fastify has registered every route (supertest needs this). */
export async function initApp(app: INestApplication): Promise<void> {
  await app.init();
  await (app.getHttpAdapter().getInstance() as { ready(): PromiseLike<unknown> }).ready();
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('rbcd-broker')
    .setDescription(
      'Resource-based constrained delegation (msDS-AllowedToActOnBehalfOfOtherIdentity) as a service: live queries, ' +
        'approvals, atomic writes, expiry and audit. Errors: {"error": {"code", "message", "details"}}.',
    )
    .setVersion('1')
    // 3.1: JSON Schema 2020-12, so a field that may be null says so unambiguously (oneOf [..., {type: null}]).
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key or OIDC JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorModel],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}
