import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { REVIEW_DECISIONS, type ReviewDecision } from '../review.entities';

@InputType()
export class OpenReviewInput {
  @ApiProperty({ type: String, isArray: true, example: ['OU=Servers,DC=contoso,DC=test'] })
  @Field(() => [String])
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  scope: string[];

  @ApiProperty({
    type: String,
    isArray: true,
    example: ['role:approver', 'apikey:alice'],
    description: 'role:<role>, or a credential / person id (apikey:<name>, oidc:<sub>, slack:<id>, sid:<SID>)',
  })
  @Field(() => [String])
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  reviewers: string[];

  @ApiProperty({ example: '2026-12-15T17:00:00Z' }) @Field() @IsISO8601({ strict: true }) dueAt: string;

  @ApiProperty({ enum: REVIEW_DECISIONS, description: 'What entries nobody decided by dueAt get' })
  @Field(() => String)
  @IsIn(REVIEW_DECISIONS)
  defaultDecision: ReviewDecision;

  @ApiPropertyOptional({ example: 'P90D', description: 'A kept standing entry is reviewed again after this' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  nextReviewIn?: string;
}

@InputType()
export class ReviewDecisionInput {
  @ApiProperty({ enum: REVIEW_DECISIONS }) @Field(() => String) @IsIn(REVIEW_DECISIONS) decision: ReviewDecision;
  @ApiProperty({ example: 'Still needed for the nightly backup' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  comment: string;
}

/** GraphQL reviewCampaign: as REST's GET /reviews/{id}. */
@ArgsType()
export class ReviewCampaignIdInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(200) id: string;
}

/** GraphQL decideReviewItem: REST's path parameters and body in one argument set. */
@ArgsType()
export class DecideReviewItemMutationInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(200) campaignId: string;
  @Field() @IsString() @IsNotEmpty() @MaxLength(200) itemId: string;
  @Field(() => ReviewDecisionInput) @ValidateNested() @Type(() => ReviewDecisionInput) input: ReviewDecisionInput;
}
