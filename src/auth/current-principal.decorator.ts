import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from './roles';

export function requestOf(context: ExecutionContext): {
  user?: Principal;
  headers: Record<string, string | string[] | undefined>;
} {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext().req;
  return context.switchToHttp().getRequest();
}

/** The authenticated caller, set by the auth guard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = requestOf(context).user;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
