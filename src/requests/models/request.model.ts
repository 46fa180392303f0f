import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AccountRefModel, ItemErrorModel } from '../../delegations/models/delegation.model';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';

@ObjectType('Ticket')
export class TicketModel {
  @ApiProperty() @Field() system: string;
  @ApiProperty() @Field() id: string;
  @ApiPropertyOptional() @Field({ nullable: true }) url?: string;
}

@ObjectType('Approval')
export class ApprovalModel {
  @ApiProperty() @Field() approver: string;
  @ApiProperty() @Field() approverName: string;
  @ApiProperty({ enum: ['approve', 'reject'] }) @Field() decision: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) comment: string | null;
  @ApiProperty({ format: 'date-time' }) @Field() createdAt: string;
}

@ObjectType('TargetResult')
export class TargetResultModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty({ enum: ['pending', 'applied', 'unchanged', 'failed', 'removed', 'kept'] }) @Field() status: string;
  @ApiNullableProperty('string', { required: false }) @Field(() => String, { nullable: true }) sddlBefore?: string | null;
  @ApiNullableProperty('string', { required: false }) @Field(() => String, { nullable: true }) sddlAfter?: string | null;
  @ApiNullableProperty(ItemErrorModel, { required: false }) @Field(() => ItemErrorModel, { nullable: true }) error?: ItemErrorModel | null;
  @ApiPropertyOptional({ format: 'date-time' }) @Field({ nullable: true }) at?: string;
}

@ObjectType('RequestResult')
export class RequestResultModel {
  @ApiProperty({ type: TargetResultModel, isArray: true }) @Field(() => [TargetResultModel]) targets: TargetResultModel[];
  @ApiNullableProperty(ItemErrorModel, { required: false }) @Field(() => ItemErrorModel, { nullable: true }) error?: ItemErrorModel | null;
}

@ObjectType('Request')
export class RequestModel {
  @ApiProperty({ format: 'uuid' }) @Field() id: string;
  @ApiProperty({ enum: ['pending', 'approved', 'applying', 'applied', 'failed', 'rejected', 'cancelled', 'expired', 'revoked'] }) @Field() status: string;
  @ApiProperty({ enum: ['grant', 'revoke'] }) @Field() action: string;
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) targets: AccountRefModel[];
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) principals: AccountRefModel[];
  @ApiProperty({ description: 'Identity of the caller who filed it' }) @Field() requester: string;
  @ApiProperty() @Field() requesterName: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) requestedFor: string | null;
  @ApiProperty() @Field() justification: string;
  @ApiNullableProperty(TicketModel) @Field(() => TicketModel, { nullable: true }) ticket: TicketModel | null;
  @ApiNullableProperty('string', { format: 'date-time', description: 'When the grant ends (set when applied, for a duration)' }) @Field(() => String, { nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) @Field(() => Int) requiredApprovals: number;
  @ApiProperty({ type: ApprovalModel, isArray: true }) @Field(() => [ApprovalModel]) approvals: ApprovalModel[];
  @ApiProperty({ format: 'date-time' }) @Field() createdAt: string;
  @ApiProperty({ format: 'date-time' }) @Field() updatedAt: string;
  @ApiNullableProperty('string', { format: 'date-time' }) @Field(() => String, { nullable: true }) appliedAt: string | null;
  @ApiNullableProperty(RequestResultModel) @Field(() => RequestResultModel, { nullable: true }) result: RequestResultModel | null;
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) nextSteps: string[];
}

@ObjectType('RequestPage')
export class RequestPageModel {
  @ApiProperty({ type: RequestModel, isArray: true }) @Field(() => [RequestModel]) items: RequestModel[];
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextCursor: string | null;
}
