import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IdentifierListField, TargetSearchField, TargetSearchInput } from '../../delegations/inputs/delegation.inputs';
import {
  REQUEST_ACTIONS,
  REQUEST_STATUSES,
  REVIEW_OUTCOMES,
  type RequestAction,
  type RequestStatus,
  type ReviewOutcome,
} from '../request.entity';
import { RequestStatusEnum } from '../request-status.graphql';

@InputType()
export class TicketInput {
  @ApiProperty({ example: 'servicenow' }) @Field() @IsString() @IsNotEmpty() @MaxLength(100) system: string;
  @ApiProperty({ example: 'CHG0012345' }) @Field() @IsString() @IsNotEmpty() @MaxLength(200) id: string;
  @ApiPropertyOptional({ example: 'https://tickets.example.com/CHG0012345' })
  @Field({ nullable: true })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  url?: string;
}

@InputType()
export class CreateRequestInput {
  @ApiProperty({ enum: REQUEST_ACTIONS }) @Field(() => String) @IsIn(REQUEST_ACTIONS) action: RequestAction;

  @IdentifierListField({ max: 5000, example: ['SERVERC'] })
  targets?: string[];

  @TargetSearchField()
  targetSearch?: TargetSearchInput;

  @IdentifierListField({ required: true, max: 100, example: ['SERVERB$'] })
  principals: string[];

  @ApiProperty({ example: 'Admins manage SERVERC from the jump box (CHG0012345)' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  justification: string;

  @ApiPropertyOptional({ type: TicketInput })
  @Field(() => TicketInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TicketInput)
  ticket?: TicketInput;

  @ApiPropertyOptional({ example: 'PT8H', description: 'ISO 8601 duration, counted from when the grant is applied' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  duration?: string;

  @ApiPropertyOptional({ example: '2026-12-01T18:00:00Z' })
  @Field({ nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({
    example: '2026-12-02T22:00:00Z',
    description:
      'Apply the grant at this time, not on approval (status `scheduled` until then; at most the policy maxLeadTime ahead). The duration counts from the real apply.',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({
    example: 'alice@contoso.test',
    description: 'The person this is filed for (keys that may act on behalf only)',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  requestedFor?: string;

  @ApiPropertyOptional({
    description: 'adopt only: no expiry (instead of a duration); access reviews decide whether the entries stay',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  standing?: boolean;
}

/** A break-glass request: a grant that applies at once; justification and ticket are required. */
@InputType()
export class BreakGlassInput {
  @IdentifierListField({ required: true, max: 50, example: ['SERVERC'] })
  targets: string[];

  @IdentifierListField({ required: true, max: 10, example: ['SERVERB$'] })
  principals: string[];

  @ApiProperty({ example: 'P1 incident: backups fail, nobody can approve before morning' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  justification: string;

  @ApiProperty({ type: TicketInput, description: 'The incident this is for' })
  @Field(() => TicketInput)
  @ValidateNested()
  @Type(() => TicketInput)
  ticket: TicketInput;

  @ApiPropertyOptional({
    example: 'PT2H',
    description: "ISO 8601; default and maximum: the rule's breakGlass.maxDuration",
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  duration?: string;
}

@InputType()
export class ReviewInput {
  @ApiProperty({ enum: REVIEW_OUTCOMES, description: 'confirm keeps the grant; revoke ends it' })
  @Field(() => String)
  @IsIn(REVIEW_OUTCOMES)
  outcome: ReviewOutcome;

  @ApiProperty({ example: 'Checked with the on-call lead: needed for the restore' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  comment: string;
}

@InputType()
export class ExtendRequestInput {
  @ApiProperty({
    example: 'PT4H',
    description: 'ISO 8601 duration added to the grant’s current expiry (or counted from the apply, if it has ended)',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  duration: string;

  @ApiProperty({ example: 'The patching ran over (CHG0012345)' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  justification: string;
}

export class CommentInput {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) comment?: string;
}

export class RequiredCommentInput {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(2000) comment: string;
}

@InputType()
export class RequestFilterInput {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @Field(() => RequestStatusEnum, { nullable: true })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) target?: string;
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) principal?: string;
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) requester?: string;
}

export class ListRequestsQueryInput extends RequestFilterInput {
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() cursor?: string;
}
