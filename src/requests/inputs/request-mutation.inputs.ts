import { ArgsType, Field } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { CreateRequestInput } from './request.inputs';

/** What an Idempotency-Key may hold (the REST header and the GraphQL argument alike). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
export const IDEMPOTENCY_KEY_RULE = 'must be 1-200 visible ASCII characters';

/*
 * GraphQL arguments with the same validation rules as the REST bodies and headers (the global
 * ValidationPipe checks them): the schema keeps its flat arguments (id, comment, idempotencyKey).
 */

@ArgsType()
export class CreateRequestMutationInput {
  @Field(() => CreateRequestInput) @ValidateNested() @Type(() => CreateRequestInput) input: CreateRequestInput;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `idempotencyKey ${IDEMPOTENCY_KEY_RULE}` })
  idempotencyKey?: string;
}

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
