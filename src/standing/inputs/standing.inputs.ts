import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** REST GET /standing and GraphQL standingEntries: the same arguments and rules. */
@ArgsType()
export class StandingQueryInput {
  @ApiPropertyOptional({ example: 'OU=Servers,DC=contoso,DC=test', description: 'Every configured domain when absent' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  base?: string;

  @ApiPropertyOptional({ default: 200, minimum: 1, maximum: 1000 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
