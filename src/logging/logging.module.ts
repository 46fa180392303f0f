import { Inject, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { NestPinoLogger } from './nest-logger.service';
import { registerRequestLogging } from './request-logging.hook';
import { createRootLogger } from './root-logger';

/** The pino logger (inject with @Inject(ROOT_LOGGER)). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
/** Where log lines go; stdout unless a test provides a stream. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/**
 * Structured JSON logs: Nest's logger (app.useLogger) and one line per HTTP request, both on one
 * pino instance. Request lines are written from a Fastify hook, not a middleware chain.
 */
@Module({
  providers: [
    { provide: LOG_DESTINATION, useValue: null },
    {
      provide: ROOT_LOGGER,
      inject: [APP_CONFIG, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream | null) =>
        createRootLogger(config.logLevel, destination ?? undefined),
    },
    { provide: NestPinoLogger, inject: [ROOT_LOGGER], useFactory: (logger: Logger) => new NestPinoLogger(logger) },
  ],
  exports: [ROOT_LOGGER, NestPinoLogger],
})
export class LoggingModule implements OnModuleInit {
  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost?.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerRequestLogging(fastify, this.logger);
  }
}
