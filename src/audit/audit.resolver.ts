import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles.decorator';
import { AuditPageModel } from './audit.models';
import { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageModel)
  @Roles('auditor')
  auditEvents(
    @Args('requestId', { nullable: true }) requestId?: string,
    @Args('target', { nullable: true }) target?: string,
    @Args('actor', { nullable: true }) actor?: string,
    @Args('since', { nullable: true }) since?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ) {
    return this.audit.search({ requestId, target, actor, since, limit: first, cursor: after });
  }
}
