import { ArgsType, Field, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CreateRequestInput, ExtendRequestInput, RequestFilterInput, ReviewInput } from './request.inputs';

/** What an Idempotency-Key may hold (the REST header and the GraphQL argument alike). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
export const IDEMPOTENCY_KEY_RULE = 'must be 1-200 visible ASCII characters';

/*
 * The argument sets of the GraphQL operations on requests, with the same validation rules as the
 * REST bodies, queries and headers (the global ValidationPipe checks them). The schema keeps its
 * flat arguments (id, comment, idempotencyKey, first, after).
 */

@ArgsType()
export class CreateRequestMutationInput {
  @Field(() => CreateRequestInput) @ValidateNested() @Type(() => CreateRequestInput) input: CreateRequestInput;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `idempotencyKey ${IDEMPOTENCY_KEY_RULE}` })
  idempotencyKey?: string;
}

/** request, cancelRequest. */
@ArgsType()
export class RequestIdInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(200) id: string;
}

/** approve, revoke: as REST's CommentInput. */
@ArgsType()
export class RequestCommentInput extends RequestIdInput {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) comment?: string;
}

/** reject: as REST's RequiredCommentInput. */
@ArgsType()
export class RequestRequiredCommentInput extends RequestIdInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(2000) comment: string;
}

/** extendRequest: as REST's POST /requests/{id}/extend. */
@ArgsType()
export class ExtendRequestMutationInput extends RequestIdInput {
  @Field(() => ExtendRequestInput) @ValidateNested() @Type(() => ExtendRequestInput) input: ExtendRequestInput;
}

/** reviewRequest (break-glass post-hoc review): as REST's POST /requests/{id}/review. */
@ArgsType()
export class ReviewRequestMutationInput extends RequestIdInput {
  @Field(() => ReviewInput) @ValidateNested() @Type(() => ReviewInput) input: ReviewInput;
}

/** requests: as REST's ListRequestsQueryInput (first = limit, after = cursor). */
@ArgsType()
export class RequestPageInput {
  @Field(() => RequestFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequestFilterInput)
  filter?: RequestFilterInput;

  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(500) first?: number;

  @Field({ nullable: true }) @IsOptional() @IsString() after?: string;
}
