import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/**
 * The route label: the matched route pattern (`/api/v1/requests/:id`), never the raw URL, so the
 * label set stays bounded. Nest registers its middleware as wildcard routes (`/api/v1/{*path}`):
 * a request whose last matched route is one of those, or none, matched no handler: `(unmatched)`.
 */
export function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string' && pattern !== '' && !pattern.includes('{*') && !pattern.includes('*')) return pattern;
  return '(unmatched)';
}

/** Counts every HTTP request and observes its latency when the response is done (or aborted). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = performance.now();
    res.once('close', () => {
      this.metrics.observeHttp(req.method, routeLabel(req), res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  }
}
