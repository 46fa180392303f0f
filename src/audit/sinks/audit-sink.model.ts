import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { AUDIT_SINK_TYPES } from '../../config/config.types';

const nullableString = { nullable: true, type: String } as const;

@ObjectType('AuditSink')
export class AuditSinkModel {
  @ApiProperty() @Field() name: string;
  @ApiProperty({ enum: AUDIT_SINK_TYPES }) @Field() type: string;
  @ApiProperty({ description: 'host:port (syslog) or the HEC URL without query' }) @Field() destination: string;
  @ApiProperty({ ...nullableString, description: 'json or cef (syslog)' }) @Field(() => String, { nullable: true }) format: string | null;
  @ApiProperty({ description: 'Last event the sink acknowledged' }) @Field(() => Int) deliveredSeq: number;
  @ApiProperty({ description: 'Last event written' }) @Field(() => Int) headSeq: number;
  @ApiProperty({ description: 'Events written but not yet acknowledged' }) @Field(() => Int) lag: number;
  @ApiProperty() @Field(() => Int) consecutiveFailures: number;
  @ApiProperty() @Field(() => Int) totalFailures: number;
  @ApiProperty(nullableString) @Field(() => String, { nullable: true }) lastError: string | null;
  @ApiProperty(nullableString) @Field(() => String, { nullable: true }) lastAttemptAt: string | null;
  @ApiProperty(nullableString) @Field(() => String, { nullable: true }) lastDeliveredAt: string | null;
  @ApiProperty(nullableString) @Field(() => String, { nullable: true }) nextAttemptAt: string | null;
}

@InputType('ReplayAuditSinkInput')
export class ReplayAuditSinkInput {
  @ApiProperty({ minimum: 1, description: 'Send again from this event (receivers de-duplicate on seq)' })
  @Field(() => Int)
  @Type(() => Number)
  @IsInt()
  @Min(1)
  fromSeq: number;
}
