import { Args, Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { Roles } from '../auth/roles.decorator';
import { AuditService } from './audit.service';

@ObjectType('AuditEvent')
export class AuditEventModel {
  @Field(() => Int) seq: number;
  @Field() id: string;
  @Field() at: string;
  @Field() actor: string;
  @Field() type: string;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field(() => String, { nullable: true }) target: string | null;
  @Field(() => GraphQLJSON) data: Record<string, unknown>;
  @Field() prevHash: string;
  @Field() hash: string;
}

@ObjectType('AuditPage')
export class AuditPageModel {
  @Field(() => [AuditEventModel]) items: AuditEventModel[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}

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
    return this.audit.query({ requestId, target, actor, since, limit: first, cursor: after });
  }
}
