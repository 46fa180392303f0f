import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { registerHttpMetrics } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { AuditModule } from '../audit/audit.module';
import { GrantStoreModule } from '../grants/grant-store.module';
import { JobsModule } from '../jobs/jobs.module';
import { RequestStoreModule } from '../requests/request-store.module';

/** GET /metrics (Prometheus) and the HTTP / directory instrumentation feeding it. */
@Module({
  imports: [AuditModule, GrantStoreModule, JobsModule, RequestStoreModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  /** Hooks on the Fastify instance itself, so every request is counted, not only routed ones. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) registerHttpMetrics(fastify, this.metrics);
  }
}
