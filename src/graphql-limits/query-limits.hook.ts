import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getOperationAST, parse } from 'graphql';
import { exceededLimit, type GraphqlLimits, measureOperation } from './query-complexity';

const GRAPHQL_PATH = '/graphql';

interface GraphqlHttpBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/** The operation, name and variables of a GraphQL request as sent (POST body or GET query string). */
function graphqlRequestOf(request: FastifyRequest): GraphqlHttpBody | undefined {
  if (request.method === 'POST')
    return request.body && typeof request.body === 'object' ? (request.body as GraphqlHttpBody) : undefined;
  if (request.method !== 'GET') return undefined;
  const query = request.query as Record<string, unknown>;
  let variables: unknown;
  try {
    variables = typeof query.variables === 'string' ? JSON.parse(query.variables) : undefined;
  } catch {
    return undefined; // Apollo answers the malformed variables
  }
  return { query: query.query, operationName: query.operationName, variables };
}

/**
 * Measures every GraphQL request before Apollo parses and validates it (validation costs the square
 * of the fields: 2,000 aliases take seconds of CPU), and answers one over a limit with 400
 * QUERY_TOO_COMPLEX naming the limit, in GraphQL's error shape. The parse here is bounded too
 * (maxTokens), so a huge document costs no more than reading it. What does not parse is left to
 * Apollo, which answers it as it does today.
 */
export function registerQueryLimits(fastify: FastifyInstance, limits: GraphqlLimits): void {
  const maxTokens = Math.max(10_000, limits.maxFields * 50);
  fastify.addHook('preValidation', (request, reply, done) => {
    if (request.routeOptions.url !== GRAPHQL_PATH) return done();
    const body = graphqlRequestOf(request);
    if (typeof body?.query !== 'string') return done();
    let over: ReturnType<typeof exceededLimit>;
    try {
      const document = parse(body.query, { maxTokens, noLocation: true });
      const operation = getOperationAST(
        document,
        typeof body.operationName === 'string' ? body.operationName : undefined,
      );
      if (!operation) return done();
      const variables =
        body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
      over = exceededLimit(measureOperation(document, operation, variables, limits.maxFields), limits);
    } catch (error) {
      if (!(error instanceof Error && /Document contains more th/.test(error.message))) return done(); // a syntax error: Apollo's answer
      over = { limit: 'maxFields', max: limits.maxFields, actual: Number.POSITIVE_INFINITY };
    }
    if (!over) return done();
    const actual = Number.isFinite(over.actual) ? String(over.actual) : `more than ${maxTokens} tokens`;
    const details = {
      limit: over.limit,
      max: over.max,
      ...(Number.isFinite(over.actual) ? { actual: over.actual } : {}),
    };
    void reply
      .code(400)
      .type('application/json; charset=utf-8')
      .send({
        errors: [
          {
            message: `The operation exceeds ${over.limit} (${over.max}): it has ${actual}`,
            extensions: { code: 'QUERY_TOO_COMPLEX', status: 400, details },
          },
        ],
      });
  });
}
