import { Args, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles.decorator';
import { AuditEventPageInput } from './audit.inputs';
import { AuditPageModel } from './audit.models';
import { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageModel)
  @Roles('auditor')
  auditEvents(@Args() { first, after, ...filter }: AuditEventPageInput) {
    return this.audit.search({ ...filter, limit: first, cursor: after });
  }
}
