import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AccountRefModel, ItemErrorModel } from '../../delegations/models/delegation.model';
import { NO_OWNER_SETTINGS } from '../../config/config.types';
import { CHANNELS } from '../../persons/person';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';
import {
  APPROVAL_DECISIONS,
  REQUEST_ACTIONS,
  REQUEST_STATUSES,
  REVIEW_OUTCOMES,
  TARGET_RESULT_STATUSES,
  type RequestStatus,
} from '../request.entity';
import { RequestStatusEnum } from '../request-status.graphql';
import { OWNER_SOURCES } from '../../owners/owner.types';
import { PERSON_KINDS } from '../../persons/person';

@ObjectType('PostHocReview')
export class PostHocReviewModel {
  @ApiProperty({ enum: REVIEW_OUTCOMES }) @Field() outcome: string;
  @ApiProperty() @Field() comment: string;
  @ApiProperty() @Field() reviewer: string;
  @ApiProperty() @Field() reviewerName: string;
  @ApiProperty() @Field() at: string;
}

@ObjectType('Ticket')
export class TicketModel {
  @ApiProperty() @Field() system: string;
  @ApiProperty() @Field() id: string;
  @ApiPropertyOptional() @Field({ nullable: true }) url?: string;
}

@ObjectType('Person')
export class PersonModel {
  @ApiProperty({ description: 'What the workflow compares: sid:<SID> for an AD user, external:<id> otherwise' })
  @Field()
  key: string;
  @ApiProperty({ enum: PERSON_KINDS }) @Field() kind: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) sid: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) upn: string | null;
  @ApiProperty({ description: 'sAMAccountName, or the external id' }) @Field() name: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) domain: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) dn: string | null;
}

@ObjectType('RequestedBy')
export class RequestedByModel {
  @ApiProperty({ description: 'The credential: apikey:<name>, oidc:<sub> or slack:<user id>' }) @Field() id: string;
  @ApiNullableProperty('string', { enum: CHANNELS }) @Field(() => String, { nullable: true }) via: string | null;
  @ApiNullableProperty(PersonModel, { description: 'Null for a system key or an unlinked chat user' })
  @Field(() => PersonModel, { nullable: true })
  person: PersonModel | null;
}

@ObjectType('OwnerSource')
export class OwnerSourceModel {
  @ApiProperty({ enum: OWNER_SOURCES }) @Field() source: string;
  @ApiProperty() @Field() dn: string;
  @ApiProperty() @Field() sid: string;
  @ApiProperty() @Field() name: string;
  @ApiProperty({ description: 'A group owns through its members, transitively' }) @Field() isGroup: boolean;
  @ApiPropertyOptional({ description: 'ouGroup: the OU the policy names' }) @Field({ nullable: true }) ou?: string;
}

@ObjectType('OwnedTarget')
export class OwnedTargetModel {
  @ApiProperty() @Field() dn: string;
  @ApiProperty() @Field() sid: string;
  @ApiProperty() @Field() samAccountName: string;
}

@ObjectType('TargetOwners')
export class TargetOwnersModel {
  @ApiProperty({ type: OwnedTargetModel }) @Field(() => OwnedTargetModel) target: OwnedTargetModel;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Owner approvals this target needs' })
  @Field(() => Int)
  required: number;
  @ApiProperty({ type: OwnerSourceModel, isArray: true }) @Field(() => [OwnerSourceModel]) owners: OwnerSourceModel[];
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) approvedBy: string[];
  @ApiProperty({ type: 'integer', minimum: 0 }) @Field(() => Int) missing: number;
  @ApiNullableProperty('string', { enum: NO_OWNER_SETTINGS, description: 'Set when nobody owns the target' })
  @Field(() => String, { nullable: true })
  noOwner: string | null;
}

@ObjectType('ApprovalStatus')
export class ApprovalStatusModel {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Distinct persons who approved' })
  @Field(() => Int)
  approvers: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) @Field(() => Int) required: number;
  @ApiProperty({ type: TargetOwnersModel, isArray: true })
  @Field(() => [TargetOwnersModel])
  owners: TargetOwnersModel[];
  @ApiProperty({ type: String, isArray: true, description: 'What is still missing, in words' })
  @Field(() => [String])
  missing: string[];
}

@ObjectType('Approval')
export class ApprovalModel {
  @ApiProperty() @Field() approver: string;
  @ApiProperty() @Field() approverName: string;
  @ApiNullableProperty(PersonModel) @Field(() => PersonModel, { nullable: true }) person: PersonModel | null;
  @ApiNullableProperty('string', { enum: CHANNELS }) @Field(() => String, { nullable: true }) via: string | null;
  @ApiProperty({ type: String, isArray: true, description: 'Targets of the request this approver owned' })
  @Field(() => [String])
  ownerOf: string[];
  @ApiProperty({ enum: APPROVAL_DECISIONS }) @Field() decision: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) comment: string | null;
  @ApiProperty({ format: 'date-time' }) @Field() createdAt: string;
}

@ObjectType('TargetResult')
export class TargetResultModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty({ enum: TARGET_RESULT_STATUSES }) @Field() status: string;
  @ApiNullableProperty('string', { required: false }) @Field(() => String, { nullable: true }) sddlBefore?:
    string | null;
  @ApiNullableProperty('string', { required: false }) @Field(() => String, { nullable: true }) sddlAfter?:
    string | null;
  @ApiNullableProperty(ItemErrorModel, { required: false })
  @Field(() => ItemErrorModel, { nullable: true })
  error?: ItemErrorModel | null;
  @ApiPropertyOptional({ format: 'date-time' }) @Field({ nullable: true }) at?: string;
}

@ObjectType('RequestResult')
export class RequestResultModel {
  @ApiProperty({ type: TargetResultModel, isArray: true })
  @Field(() => [TargetResultModel])
  targets: TargetResultModel[];
  @ApiNullableProperty(ItemErrorModel, { required: false })
  @Field(() => ItemErrorModel, { nullable: true })
  error?: ItemErrorModel | null;
}

/** The request state machine, for the OpenAPI description of `status` (README shows the same). */
export const REQUEST_STATUS_DIAGRAM = [
  'pending → approved → applying → applied → expired | revoked;',
  'pending → scheduled (approved with startsAt ahead) → applying at startsAt (policy checked again);',
  'applying → failed; scheduled → cancelled | failed;',
  'pending → rejected | cancelled | timedOut (policy pendingTimeout). Final: failed, rejected, cancelled, expired, revoked, timedOut.',
].join(' ');

@ObjectType('Request')
export class RequestModel {
  @ApiProperty({ format: 'uuid' }) @Field() id: string;
  @ApiProperty({ enum: REQUEST_STATUSES, description: REQUEST_STATUS_DIAGRAM })
  @Field(() => RequestStatusEnum)
  status: RequestStatus;
  @ApiProperty({ enum: REQUEST_ACTIONS }) @Field() action: string;
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) targets: AccountRefModel[];
  @ApiProperty({ type: AccountRefModel, isArray: true }) @Field(() => [AccountRefModel]) principals: AccountRefModel[];
  @ApiProperty({ description: 'Identity of the caller who filed it' }) @Field() requester: string;
  @ApiProperty() @Field() requesterName: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) requestedFor: string | null;
  @ApiProperty({ type: RequestedByModel, description: 'Who filed it: credential, channel and person' })
  @Field(() => RequestedByModel)
  requestedBy: RequestedByModel;
  @ApiNullableProperty(PersonModel, { description: 'The person requestedFor resolved to' })
  @Field(() => PersonModel, { nullable: true })
  requestedForPerson: PersonModel | null;
  @ApiProperty() @Field() justification: string;
  @ApiNullableProperty(TicketModel) @Field(() => TicketModel, { nullable: true }) ticket: TicketModel | null;
  @ApiNullableProperty('string', {
    format: 'date-time',
    description: 'When the grant ends (set when applied, for a duration)',
  })
  @Field(() => String, { nullable: true })
  expiresAt: string | null;
  @ApiNullableProperty('string', {
    format: 'date-time',
    description: 'When an approved grant is applied (null: as soon as it is approved); it waits `scheduled` until then',
  })
  @Field(() => String, { nullable: true })
  startsAt: string | null;
  @ApiNullableProperty('string', { format: 'uuid', description: 'The grant this extension request extends' })
  @Field(() => String, { nullable: true })
  extendsRequestId: string | null;
  @ApiNullableProperty('string', {
    format: 'uuid',
    description: 'Set when this extension moved that live grant’s expiresAt (it has no grant of its own)',
  })
  @Field(() => String, { nullable: true })
  mergedInto: string | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) @Field(() => Int) requiredApprovals: number;
  @ApiProperty({ type: ApprovalModel, isArray: true }) @Field(() => [ApprovalModel]) approvals: ApprovalModel[];
  @ApiProperty({ type: ApprovalStatusModel }) @Field(() => ApprovalStatusModel) approvalStatus: ApprovalStatusModel;
  @ApiProperty({ format: 'date-time' }) @Field() createdAt: string;
  @ApiProperty({ format: 'date-time' }) @Field() updatedAt: string;
  @ApiNullableProperty('string', { format: 'date-time' }) @Field(() => String, { nullable: true }) appliedAt:
    string | null;
  @ApiNullableProperty(RequestResultModel)
  @Field(() => RequestResultModel, { nullable: true })
  result: RequestResultModel | null;
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) nextSteps: string[];
  @ApiProperty({ description: 'Break-glass: applied without approvals, reviewed afterwards' })
  @Field()
  emergency: boolean;
  @ApiNullableProperty('string', { description: 'Break-glass: when the post-hoc review is due' })
  @Field(() => String, { nullable: true })
  reviewDueAt: string | null;
  @ApiNullableProperty(PostHocReviewModel, { description: 'Break-glass: the post-hoc review, once made' })
  @Field(() => PostHocReviewModel, { nullable: true })
  review: PostHocReviewModel | null;
  @ApiNullableProperty('string', { description: 'Break-glass: when the overdue review was escalated' })
  @Field(() => String, { nullable: true })
  escalatedAt: string | null;
  @ApiProperty({ description: 'An adoption without expiry (access reviews decide whether it stays)' })
  @Field()
  standing: boolean;
  @ApiNullableProperty('string', { description: 'A standing adoption: when it is to be reviewed again' })
  @Field(() => String, { nullable: true })
  nextReviewAt: string | null;
}

@ObjectType('RequestPage')
export class RequestPageModel {
  @ApiProperty({ type: RequestModel, isArray: true }) @Field(() => [RequestModel]) items: RequestModel[];
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextCursor: string | null;
}
