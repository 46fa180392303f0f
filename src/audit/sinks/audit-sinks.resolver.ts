import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Roles } from '../../auth/roles.decorator';
import type { Principal } from '../../auth/roles';
import { ReplayAuditSinkMutationInput } from './audit-sink.inputs';
import { AuditSinkModel } from './audit-sink.model';
import { AuditSinksService } from './audit-sinks.service';

@Resolver(() => AuditSinkModel)
export class AuditSinksResolver {
  constructor(private readonly sinks: AuditSinksService) {}

  @Query(() => [AuditSinkModel])
  @Roles('admin')
  auditSinks() {
    return this.sinks.list();
  }

  @Mutation(() => AuditSinkModel)
  @Roles('admin')
  replayAuditSink(@Args() { name, fromSeq }: ReplayAuditSinkMutationInput, @CurrentPrincipal() caller: Principal) {
    return this.sinks.replay(name, fromSeq, caller.id);
  }
}
