import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_EVENT_TYPES, type AuditEventType } from './audit.types';

/** The filters of the audit log: REST GET /audit and GraphQL auditEvents share them (and their rules). */
@ArgsType()
export class AuditFilterInput {
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) requestId?: string;
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) target?: string;
  @ApiPropertyOptional() @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPES })
  @Field(() => String, { nullable: true, description: 'One audit event type, e.g. request.created' })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES)
  type?: AuditEventType;
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z' })
  @Field({ nullable: true })
  @IsOptional()
  @IsISO8601()
  since?: string;
}

/** REST GET /audit. */
export class AuditQueryInput extends AuditFilterInput {
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() cursor?: string;
}

/** GraphQL auditEvents: as REST's AuditQueryInput (first = limit, after = cursor). */
@ArgsType()
export class AuditEventPageInput extends AuditFilterInput {
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(1000) first?: number;
  @Field({ nullable: true }) @IsOptional() @IsString() after?: string;
}

export class AuditExportQueryInput {
  @ApiPropertyOptional({
    example: '2026-11-01T00:00:00Z',
    description: 'start at the first event written at or after this time',
  })
  @IsOptional()
  @IsISO8601()
  since?: string;
  @ApiPropertyOptional({ minimum: 1, description: 'start at this sequence number' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  fromSeq?: number;
}
