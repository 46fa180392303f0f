import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '../common/errors/domain-error';
import { AppPassport } from './app-passport';
import { requestOf } from './current-principal.decorator';
import { IS_PUBLIC } from './public.decorator';
import { RateLimitedError, RateLimiter } from './rate-limiter';
import { READS_ONLY } from './reads-only.decorator';
import { OWNERS_MAY, REQUIRED_ROLES } from './roles.decorator';
import { assertRoles, type Principal, type Role } from './roles';

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one guard of every REST route and GraphQL field: authenticate with passport (API key, then OIDC
 * JWT; this app's own passport instance, see AppPassport), check the roles named by @Roles() (none named: any role), then count mutations
 * against the caller's rate limit (POST routes marked @ReadsOnly() are reads). No credential or a bad one: UNAUTHENTICATED (401); a valid one
 * without the role: FORBIDDEN (403); too many changes: RATE_LIMITED (429, Retry-After).
 * Routes marked @Public() skip all three (chat callbacks verify their own signature).
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    private readonly passport: AppPassport,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const principal = await this.authenticate(context);
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

  /** The caller, also kept on the request for @CurrentPrincipal(); neither credential: UNAUTHENTICATED. */
  private async authenticate(context: ExecutionContext): Promise<Principal> {
    const request = requestOf(context);
    const principal = await this.passport.authenticate(request, responseOf(context));
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'A valid API key or bearer token is required');
    request.user = principal;
    return principal;
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
