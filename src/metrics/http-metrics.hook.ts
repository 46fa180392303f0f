import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsService } from './metrics.service';

/**
 * The route label: the matched route pattern (`/api/v1/requests/:id`), never the raw URL, so the
 * label set stays bounded. A request that matched no route (Fastify's 404 handler) is `(unmatched)`.
 */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  const pattern = request.routeOptions?.url;
  return typeof pattern === 'string' && pattern !== '' && !pattern.includes('*') ? pattern : '(unmatched)';
}

/**
 * Counts every HTTP request (any path, GraphQL, unknown routes) and observes its latency once the
 * response is sent; a request whose client went away first is counted with status 499.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.method, routeLabel(request), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    metrics.observeHttp(request.method, routeLabel(request), 499, 0);
    done();
  });
}
