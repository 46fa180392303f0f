import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_STATUS } from '../errors/error-codes';
import { ErrorModel } from './error.model';

/** Statuses an operation can answer with the contract's error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 429 | 500 | 502 | 503;

/** What the HTTP platform itself answers, before any handler runs. */
const PLATFORM: Partial<Record<ErrorStatus, string>> = {
  400: 'malformed URL or JSON',
  413: 'the body is larger than the limit',
  414: 'a path parameter is longer than the router allows',
  415: 'the body is not of a supported content type',
};

function description(status: ErrorStatus): string {
  const codes = Object.entries(ERROR_STATUS)
    .filter(([, s]) => s === status)
    .map(([code]) => code);
  const platform = PLATFORM[status];
  if (codes.length === 0) return `VALIDATION_FAILED: ${platform}`;
  return `${codes.join(', ')}${platform ? ` (also VALIDATION_FAILED: ${platform})` : ''}${status === 429 ? '; see Retry-After' : ''}`;
}

/**
 * Documents error statuses with the common body {"error": {code, message, details}}; the
 * description names the codes that map to each status (from ERROR_STATUS). Usable on a
 * controller (statuses every route shares) and on a route.
 */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        // Always JSON, also on routes that produce something else (metrics, JSON Lines).
        content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorModel) } } },
        description: description(status),
        ...(status === 429
          ? {
              headers: {
                'Retry-After': { description: 'Seconds until a change is accepted again', schema: { type: 'integer' } },
              },
            }
          : {}),
      }),
    ),
  ) as MethodDecorator & ClassDecorator;
}

/** Shared sets, so each route lists what it can really answer. Behind the auth guard: no or a bad
 * credential (401), a credential without the role (403; also one that holds no role at all). */
export const AUTHENTICATED = [401, 403, 500] as const satisfies readonly ErrorStatus[];
/** POST/PUT/PATCH/DELETE: counted by the rate limit of changes. */
export const CHANGE = [429] as const satisfies readonly ErrorStatus[];
/** A JSON body: invalid fields, too large, wrong content type. */
export const WITH_BODY = [400, 413, 415] as const satisfies readonly ErrorStatus[];
/** A path parameter ({id}, {target}). */
export const WITH_PATH_PARAMETER = [414] as const satisfies readonly ErrorStatus[];
/** Names resolved in the directory (not found, ambiguous, DC refused or unreachable). */
export const DIRECTORY = [404, 409, 502, 503] as const satisfies readonly ErrorStatus[];
