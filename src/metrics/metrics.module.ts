import { Global, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** GET /metrics (Prometheus) and the HTTP / directory instrumentation feeding it. */
@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, HttpMetricsMiddleware], exports: [MetricsService] })
export class MetricsModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly middleware: HttpMetricsMiddleware,
  ) {}

  /**
   * Mounted on the HTTP adapter itself (before any route is registered) rather than through the
   * consumer: consumer routes carry the global prefix, and every request is to be counted (paths
   * outside /api/v1, GraphQL, requests that match no route).
   */
  configure(_consumer: MiddlewareConsumer): void {
    this.adapterHost.httpAdapter?.use(this.middleware.use.bind(this.middleware));
  }
}
