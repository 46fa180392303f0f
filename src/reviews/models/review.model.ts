// Output shapes of access review campaigns (REST and GraphQL).
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';
import { STANDING_ORIGINS } from '../../standing/standing-origin';
import { CAMPAIGN_STATUSES, DECISION_SOURCES, REVIEW_DECISIONS, REVIEW_ITEM_KINDS } from '../review.entities';

@ObjectType('ReviewTarget')
export class ReviewTargetModel {
  @ApiProperty() @Field() dn: string;
  @ApiProperty() @Field() sid: string;
  @ApiProperty() @Field() samAccountName: string;
  @ApiProperty() @Field() domain: string;
}

@ObjectType('ReviewPrincipal')
export class ReviewPrincipalModel {
  @ApiProperty() @Field() sid: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) samAccountName: string | null;
}

@ObjectType('ReviewItem')
export class ReviewItemModel {
  @ApiProperty({ format: 'uuid' }) @Field() id: string;
  @ApiProperty({ enum: REVIEW_ITEM_KINDS }) @Field() kind: string;
  @ApiProperty({ type: ReviewTargetModel }) @Field(() => ReviewTargetModel) target: ReviewTargetModel;
  @ApiProperty({ type: ReviewPrincipalModel }) @Field(() => ReviewPrincipalModel) principal: ReviewPrincipalModel;
  @ApiNullableProperty('string', { description: 'managed: the grant request that put it in force' })
  @Field(() => String, { nullable: true })
  grantRequestId: string | null;
  @ApiNullableProperty('string', { enum: STANDING_ORIGINS }) @Field(() => String, { nullable: true }) origin:
    string | null;
  @ApiNullableProperty('string', { enum: REVIEW_DECISIONS }) @Field(() => String, { nullable: true }) decision:
    string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) comment: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) decidedBy: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) decidedByName: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) decidedAt: string | null;
  @ApiNullableProperty('string', { enum: DECISION_SOURCES }) @Field(() => String, { nullable: true }) decidedVia:
    string | null;
  @ApiNullableProperty('string', { description: 'The revoke (remove) or adopt (keep a standing entry) request filed' })
  @Field(() => String, { nullable: true })
  followUpRequestId: string | null;
  @ApiNullableProperty('string', { description: 'Why the follow-up request could not be filed' })
  @Field(() => String, { nullable: true })
  followUpError: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextReviewAt: string | null;
}

@ObjectType('ReviewCounts')
export class ReviewCountsModel {
  @ApiProperty({ type: 'integer' }) @Field(() => Int) total: number;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) managed: number;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) standing: number;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) keep: number;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) remove: number;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) undecided: number;
}

@ObjectType('ReviewCampaign')
export class ReviewCampaignModel {
  @ApiProperty({ format: 'uuid' }) @Field() id: string;
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) scope: string[];
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) reviewers: string[];
  @ApiProperty() @Field() dueAt: string;
  @ApiProperty({ enum: REVIEW_DECISIONS }) @Field() defaultDecision: string;
  @ApiProperty() @Field() nextReviewIn: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) @Field() status: string;
  @ApiProperty() @Field() createdBy: string;
  @ApiProperty() @Field() createdAt: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) closedAt: string | null;
  @ApiProperty({ type: ReviewCountsModel }) @Field(() => ReviewCountsModel) counts: ReviewCountsModel;
  @ApiProperty({ type: ReviewItemModel, isArray: true, required: false, description: 'Left out of lists' })
  @Field(() => [ReviewItemModel], { nullable: true })
  items?: ReviewItemModel[];
}

@ObjectType('ReviewCampaignList')
export class ReviewCampaignListModel {
  @ApiProperty({ type: ReviewCampaignModel, isArray: true })
  @Field(() => [ReviewCampaignModel])
  items: ReviewCampaignModel[];
}
