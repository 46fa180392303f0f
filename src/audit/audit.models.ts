// Output shapes of the audit log, shared by REST (OpenAPI) and GraphQL (code-first).
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import GraphQLJSON from 'graphql-type-json';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';
import { AUDIT_EVENT_TYPES } from './audit.types';

@ObjectType('AuditEvent')
export class AuditEventModel {
  @ApiProperty({ type: 'integer', description: 'Position in the hash chain, from 1' }) @Field(() => Int) seq: number;
  @ApiProperty({ format: 'uuid' }) @Field() id: string;
  @ApiProperty({ format: 'date-time' }) @Field() at: string;
  @ApiProperty({ example: 'apikey:7d0c…', description: 'Who did it (identity), or "system"' }) @Field() actor: string;
  @ApiProperty({ enum: AUDIT_EVENT_TYPES }) @Field() type: string;
  @ApiNullableProperty('string', { format: 'uuid' }) @Field(() => String, { nullable: true }) requestId: string | null;
  @ApiNullableProperty('string', { description: 'DN of the target, when the event is about one' })
  @Field(() => String, { nullable: true })
  target: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Event-specific facts (SDDL before/after, approver, error ...)',
  })
  @Field(() => GraphQLJSON)
  data: Record<string, unknown>;
  @ApiProperty({ description: 'SHA-256 (hex) of the event before it' }) @Field() prevHash: string;
  @ApiProperty({ description: 'SHA-256 (hex) over prevHash and this event' }) @Field() hash: string;
}

@ObjectType('AuditPage')
export class AuditPageModel {
  @ApiProperty({ type: AuditEventModel, isArray: true, description: 'Newest first' })
  @Field(() => [AuditEventModel])
  items: AuditEventModel[];
  @ApiNullableProperty('string', { description: 'Pass as cursor for the next page; null on the last page' })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

export class AuditVerificationModel {
  @ApiProperty({ description: 'The whole chain links and every hash matches' }) ok: boolean;
  @ApiProperty({ type: 'integer', description: 'Events verified (before the first bad one)' }) events: number;
  @ApiPropertyOptional({ type: 'integer', description: 'The first event that does not verify (when ok is false)' })
  firstBadSeq?: number;
  @ApiPropertyOptional({ example: 'event 12 was altered after it was written' }) reason?: string;
}
