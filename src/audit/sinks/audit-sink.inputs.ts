import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';

/** REST body of POST /audit/sinks/{name}/replay. */
@ArgsType()
export class ReplayAuditSinkInput {
  @ApiProperty({ minimum: 1, description: 'Send again from this event (receivers de-duplicate on seq)' })
  @Field(() => Int)
  @Type(() => Number)
  @IsInt()
  @Min(1)
  fromSeq: number;
}

/** GraphQL replayAuditSink: REST's path parameter and body in one argument set. */
@ArgsType()
export class ReplayAuditSinkMutationInput extends ReplayAuditSinkInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(200) name: string;
}
