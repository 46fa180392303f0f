import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';
import { NO_OWNER_SETTINGS } from '../config/config.types';
import { OWNER_SOURCES } from './owner.types';

@ObjectType('PlanOwner')
export class PlanOwnerModel {
  @ApiProperty({ enum: OWNER_SOURCES }) @Field() source: string;
  @ApiProperty() @Field() dn: string;
  @ApiProperty() @Field() name: string;
  @ApiProperty() @Field() isGroup: boolean;
  @ApiPropertyOptional({ description: 'ouGroup: the OU the policy names' }) @Field({ nullable: true }) ou?: string;
  @ApiProperty({
    type: String,
    isArray: true,
    description: 'The users it stands for (a group: its members, transitively; the first 20)',
  })
  @Field(() => [String])
  people: string[];
}

@ObjectType('PlanOwners')
export class PlanOwnersModel {
  @ApiProperty({
    type: 'integer',
    description: 'Owner approvals this target needs (0 when nobody owns it and noOwner is approvers)',
  })
  @Field(() => Int)
  required: number;
  @ApiProperty({ type: 'integer', description: 'Approvals from any approver on top' }) @Field(() => Int) others: number;
  @ApiProperty({ type: PlanOwnerModel, isArray: true }) @Field(() => [PlanOwnerModel]) owners: PlanOwnerModel[];
  @ApiNullableProperty('string', {
    enum: NO_OWNER_SETTINGS,
    description: 'Set when nobody owns the target: what the rule says',
  })
  @Field(() => String, { nullable: true })
  noOwner: string | null;
  @ApiProperty({ description: 'Who has to approve, in words' }) @Field() summary: string;
}
