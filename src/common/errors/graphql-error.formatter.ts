import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { mapError } from './error-mapping';

const logger = new Logger('GraphQL');
/** Apollo's codes for a request that is malformed (BAD_REQUEST: no JSON body, CSRF prevention, ...). */
const APOLLO_INPUT_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Same codes as REST, in errors[].extensions.code; unexpected errors show no internals. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const apolloCode = formatted.extensions?.code as string | undefined;
  if (apolloCode && APOLLO_INPUT_CODES.has(apolloCode)) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code: 'VALIDATION_FAILED' } };
  }
  const unwrapped = unwrapResolverError(error);
  // A plugin's refusal (QUERY_TOO_COMPLEX) arrives as a GraphQLError around the DomainError.
  const original = unwrapped instanceof GraphQLError && unwrapped.originalError ? unwrapped.originalError : unwrapped;
  const mapped = mapError(original);
  if (mapped.unexpected) logger.error({ err: original }, 'Unexpected GraphQL error');
  const { code, message, details } = mapped.body.error;
  return {
    message,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code, status: mapped.status, ...(details ? { details } : {}) },
  };
}
