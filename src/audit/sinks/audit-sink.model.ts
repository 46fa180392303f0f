import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';
import { AUDIT_SINK_TYPES } from '../../config/config.types';

@ObjectType('AuditSink')
export class AuditSinkModel {
  @ApiProperty() @Field() name: string;
  @ApiProperty({ enum: AUDIT_SINK_TYPES }) @Field() type: string;
  @ApiProperty({ description: 'host:port (syslog) or the HEC URL without query' }) @Field() destination: string;
  @ApiNullableProperty('string', { description: 'json or cef (syslog)' })
  @Field(() => String, { nullable: true })
  format: string | null;
  @ApiProperty({ description: 'Last event the sink acknowledged' }) @Field(() => Int) deliveredSeq: number;
  @ApiProperty({ description: 'Last event written' }) @Field(() => Int) headSeq: number;
  @ApiProperty({ description: 'Events written but not yet acknowledged' }) @Field(() => Int) lag: number;
  @ApiProperty() @Field(() => Int) consecutiveFailures: number;
  @ApiProperty() @Field(() => Int) totalFailures: number;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) lastError: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) lastAttemptAt: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) lastDeliveredAt: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextAttemptAt: string | null;
}
