import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../common/errors/domain-error';
import { requestOf } from './current-principal.decorator';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_ROLES } from './roles.decorator';
import { hasRole, type Principal, type Role } from './roles';

/**
 * The one guard of every REST route and GraphQL field: authenticate with passport (API key, then
 * OIDC JWT), then check the roles named by @Roles(). No credential or a bad one: UNAUTHENTICATED
 * (401); a valid one without the role: FORBIDDEN (403). Routes marked @Public() skip both.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard(['api-key', 'oidc']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = requestOf(context).user as Principal;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    if (!hasRole(principal, required)) {
      throw new DomainError('FORBIDDEN', `This needs one of the roles: ${[...required, 'admin'].join(', ')}`);
    }
    return true;
  }

  handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid API key or bearer token is required');
    return user;
  }
}
