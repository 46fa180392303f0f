import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { registerQueryLimits } from './query-limits.hook';

/** GraphQL limits (RBCD_GRAPHQL_*) checked on the Fastify instance before Apollo parses a request. */
@Module({})
export class GraphqlLimitsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerQueryLimits(fastify, this.config.graphql);
  }
}
