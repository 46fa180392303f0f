import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AccountRefModel, ItemErrorModel } from '../../delegations/models/delegation.model';

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
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) comment: string | null;
  @ApiProperty() @Field() createdAt: string;
}

@ObjectType('TargetResult')
export class TargetResultModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty({ enum: ['pending', 'applied', 'unchanged', 'failed', 'removed', 'kept'] }) @Field() status: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) sddlBefore?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) sddlAfter?: string | null;
  @ApiPropertyOptional({ type: ItemErrorModel, nullable: true }) @Field(() => ItemErrorModel, { nullable: true }) error?: ItemErrorModel | null;
  @ApiPropertyOptional() @Field({ nullable: true }) at?: string;
}

@ObjectType('RequestResult')
export class RequestResultModel {
  @ApiProperty({ type: TargetResultModel, isArray: true }) @Field(() => [TargetResultModel]) targets: TargetResultModel[];
  @ApiPropertyOptional({ type: ItemErrorModel, nullable: true }) @Field(() => ItemErrorModel, { nullable: true }) error?: ItemErrorModel | null;
}

@ObjectType('Request')
export class RequestModel {
  @ApiProperty() @Field() id: string;
  @ApiProperty({ enum: ['pending', 'approved', 'applying', 'applied', 'failed', 'rejected', 'cancelled', 'expired', 'revoked'] }) @Field() status: string;
  @ApiProperty({ enum: ['grant', 'revoke'] }) @Field() action: string;
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) targets: AccountRefModel[];
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) principals: AccountRefModel[];
  @ApiProperty({ description: 'Identity of the caller who filed it' }) @Field() requester: string;
  @ApiProperty() @Field() requesterName: string;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) requestedFor: string | null;
  @ApiProperty() @Field() justification: string;
  @ApiProperty({ type: TicketModel, nullable: true }) @Field(() => TicketModel, { nullable: true }) ticket: TicketModel | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) expiresAt: string | null;
  @ApiProperty() @Field(() => Int) requiredApprovals: number;
  @ApiProperty({ type: ApprovalModel, isArray: true }) @Field(() => [ApprovalModel]) approvals: ApprovalModel[];
  @ApiProperty() @Field() createdAt: string;
  @ApiProperty() @Field() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) appliedAt: string | null;
  @ApiProperty({ type: RequestResultModel, nullable: true }) @Field(() => RequestResultModel, { nullable: true }) result: RequestResultModel | null;
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) nextSteps: string[];
}

@ObjectType('RequestPage')
export class RequestPageModel {
  @ApiProperty({ type: RequestModel, isArray: true }) @Field(() => [RequestModel]) items: RequestModel[];
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) nextCursor: string | null;
}
