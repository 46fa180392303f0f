// Output shapes of the standing-entries read (REST and GraphQL).
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';
import { AccountRefModel, DelegationWriterModel, WarningModel } from '../../delegations/models/delegation.model';
import { CHANGE_TIME_SOURCES, STANDING_ORIGINS } from '../standing-origin';

@ObjectType('StandingPrincipal')
export class StandingPrincipalModel {
  @ApiProperty({ example: 'S-1-5-21-1-2-3-1104' }) @Field() sid: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) samAccountName: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) dn: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) domain: string | null;
  @ApiProperty() @Field() resolved: boolean;
}

@ObjectType('StandingEntry')
export class StandingEntryModel {
  @ApiProperty({
    example: 'S-1-5-21-1-2-3-1105|S-1-5-21-1-2-3-1104',
    description: '<target SID>|<principal SID>: names the entry in adoption and reviews',
  })
  @Field()
  id: string;
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty({ type: StandingPrincipalModel }) @Field(() => StandingPrincipalModel) principal: StandingPrincipalModel;
  @ApiProperty({ description: 'ACCESS_MASK as an unsigned 32-bit number' })
  @Field(() => Float)
  accessMask: number;
  @ApiProperty({ example: 'allow' }) @Field() aceType: string;
  @ApiProperty({ description: 'false when the KDC ignores the entry' }) @Field() effective: boolean;
  @ApiProperty({
    enum: STANDING_ORIGINS,
    description:
      'preExisting: there before the service (or carried unchanged through its own writes); outOfBand: written behind its back',
  })
  @Field()
  origin: string;
  @ApiProperty() @Field() originReason: string;
  @ApiNullableProperty('string', { description: 'When the RBCD attribute itself last changed (replPropertyMetaData)' })
  @Field(() => String, { nullable: true })
  rbcdChangedAt: string | null;
  @ApiProperty({ enum: CHANGE_TIME_SOURCES }) @Field() changedAtSource: string;
  @ApiNullableProperty('string', { description: "The target object's whenChanged" })
  @Field(() => String, { nullable: true })
  whenChanged: string | null;
  @ApiNullableProperty(DelegationWriterModel, {
    isArray: true,
    description: "Who can write the target's RBCD list outside the broker; null when its permissions are unreadable",
  })
  @Field(() => [DelegationWriterModel], { nullable: true })
  writers: DelegationWriterModel[] | null;
  @ApiProperty({ type: WarningModel, isArray: true }) @Field(() => [WarningModel]) risks: WarningModel[];
}

@ObjectType('StandingPage')
export class StandingPageModel {
  @ApiProperty({ type: StandingEntryModel, isArray: true })
  @Field(() => [StandingEntryModel])
  items: StandingEntryModel[];
  @ApiProperty({ type: 'integer' }) @Field(() => Int) total: number;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextCursor: string | null;
  @ApiNullableProperty('string', { description: "When the service's record began (its first audit event)" })
  @Field(() => String, { nullable: true })
  serviceSince: string | null;
}
