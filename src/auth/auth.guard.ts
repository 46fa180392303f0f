import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../common/errors/domain-error';
import { requestOf } from './current-principal.decorator';
import { IS_PUBLIC } from './public.decorator';
import { RateLimitedError, RateLimiter } from './rate-limiter';
import { READS_ONLY } from './reads-only.decorator';
import { OWNERS_MAY, REQUIRED_ROLES } from './roles.decorator';
import { assertRoles, type Principal, type Role } from './roles';

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one guard of every REST route and GraphQL field: authenticate with passport (API key, then
 * OIDC JWT), check the roles named by @Roles() (none named: any role), then count mutations
 * against the caller's rate limit (POST routes marked @ReadsOnly() are reads). No credential or a bad one: UNAUTHENTICATED (401); a valid one
 * without the role: FORBIDDEN (403); too many changes: RATE_LIMITED (429, Retry-After).
 * Routes marked @Public() skip all three (chat callbacks verify their own signature).
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['api-key', 'oidc']) {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {
    super();
  }

  getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  getResponse(context: ExecutionContext) {
    return responseOf(context);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = requestOf(context).user as Principal;
    const ownerMay =
      this.reflector.getAllAndOverride<boolean>(OWNERS_MAY, targets) && principal.person?.kind === 'directory';
    if (!ownerMay) assertRoles(principal, this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? []);
    if (isMutation(context) && !this.reflector.getAllAndOverride<boolean>(READS_ONLY, targets)) {
      try {
        await this.limiter.consume(principal.id);
      } catch (error) {
        // REST gets the header from the exception filter; GraphQL errors pass no filter.
        if (error instanceof RateLimitedError && context.getType<string>() === 'graphql') {
          responseOf(context)?.header('Retry-After', String(error.retryAfterSeconds));
        }
        throw error;
      }
    }
    return true;
  }

  handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid API key or bearer token is required');
    return user;
  }
}

/** The reply (Fastify's, for REST and GraphQL alike). */
function responseOf(context: ExecutionContext): { header(name: string, value: string): unknown } | undefined {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext().res;
  return context.switchToHttp().getResponse();
}

function isMutation(context: ExecutionContext): boolean {
  if (context.getType<string>() === 'graphql')
    return GqlExecutionContext.create(context).getInfo()?.operation?.operation === 'mutation';
  return MUTATING_METHODS.has(context.switchToHttp().getRequest<{ method: string }>().method);
}
