import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError } from '../common/errors/domain-error';
import { exceededLimit, type GraphqlLimits, measureOperation } from './query-complexity';

/**
 * The second check of the GraphQL limits, on the operation Apollo resolved (the first runs before
 * Apollo parses: query-limits.hook.ts). Over a limit: QUERY_TOO_COMPLEX naming it, HTTP 400.
 */
export function queryLimitsPlugin(limits: GraphqlLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const over = exceededLimit(
            measureOperation(document, operation, request.variables ?? {}, limits.maxFields),
            limits,
          );
          if (!over) return;
          const cause = new DomainError(
            'QUERY_TOO_COMPLEX',
            `The operation exceeds ${over.limit} (${over.max}): it has ${over.actual}`,
            over,
          );
          throw new GraphQLError(cause.message, {
            originalError: cause,
            extensions: { code: cause.code, http: { status: 400 } },
          });
        },
      };
    },
  };
}
