// Output shapes of the read API, shared by REST (OpenAPI) and GraphQL (code-first).
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiNullableProperty } from '../../common/openapi/api-nullable-property.decorator';
import { PlanOwnersModel } from '../../owners/owner.models';
import { WARNING_CODES } from '../delegation.types';
import { DIAGNOSE_CHECK_IDS, DIAGNOSE_CHECK_STATUSES } from '../diagnose-checks';
import { WRITER_CLASSES } from '../../policy/policy.types';
import { WRITER_VIAS } from '../../security-descriptor/writers';

@ObjectType('AccountRef')
export class AccountRefModel {
  @ApiProperty({ example: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test' }) @Field() dn: string;
  @ApiProperty({ example: 'S-1-5-21-1-2-3-1105' }) @Field() sid: string;
  @ApiProperty({ example: 'SERVERC$' }) @Field() samAccountName: string;
  @ApiNullableProperty('string', { required: false, example: 'serverc.contoso.test' })
  @Field(() => String, { nullable: true })
  dnsHostName?: string | null;
  @ApiProperty({ example: 'contoso.test' }) @Field() domain: string;
}

@ObjectType('Warning')
export class WarningModel {
  @ApiProperty({ enum: WARNING_CODES, example: 'INEFFECTIVE_MASK' }) @Field() code: string;
  @ApiProperty() @Field() message: string;
  @ApiPropertyOptional() @Field({ nullable: true }) sid?: string;
}

@ObjectType('DelegationPrincipal')
export class DelegationPrincipalModel {
  @ApiProperty() @Field() sid: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) samAccountName: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) dn: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) domain: string | null;
  @ApiProperty() @Field() resolved: boolean;
  // Float, not Int: GraphQL Int is signed 32-bit and masks with GENERIC_READ (0x80000000) set exceed it.
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    example: 983551,
    description: 'ACCESS_MASK as an unsigned 32-bit number',
  })
  @Field(() => Float, { description: 'ACCESS_MASK as an unsigned 32-bit number' })
  accessMask: number;
  @ApiProperty({ example: 'allow', description: 'allow, deny, or the raw ACE type number' }) @Field() aceType: string;
  @ApiProperty({
    description:
      'true only for what the KDC honours: a plain allow ACE (type 0) with 0x100, not decided earlier by a deny; otherwise a warning says why',
  })
  @Field()
  effective: boolean;
}

@ObjectType('DelegationWriter', {
  description: 'Someone who can write the RBCD list outside the broker (no approval, audit or expiry)',
})
export class DelegationWriterModel {
  @ApiProperty() @Field() sid: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) samAccountName: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) dn: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) domain: string | null;
  @ApiProperty() @Field() resolved: boolean;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['WriteProperty'],
    description: 'GenericAll, GenericWrite, WriteDacl, WriteOwner, WriteProperty',
  })
  @Field(() => [String])
  rights: string[];
  @ApiProperty({ enum: WRITER_VIAS }) @Field() via: string;
  @ApiProperty({ enum: WRITER_CLASSES }) @Field() class: string;
}

@ObjectType('Delegation')
export class DelegationModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty({ type: DelegationPrincipalModel, isArray: true })
  @Field(() => [DelegationPrincipalModel])
  principals: DelegationPrincipalModel[];
  @ApiProperty({
    type: DelegationWriterModel,
    isArray: true,
    description: 'Who can write this list outside the broker (from nTSecurityDescriptor)',
  })
  @Field(() => [DelegationWriterModel])
  writers: DelegationWriterModel[];
  @ApiNullableProperty('string', { example: 'O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-1104)' })
  @Field(() => String, { nullable: true })
  sddl: string | null;
  @ApiNullableProperty('string', { description: 'The stored bytes, base64' })
  @Field(() => String, { nullable: true })
  raw: string | null;
  @ApiProperty({ type: WarningModel, isArray: true }) @Field(() => [WarningModel]) warnings: WarningModel[];
}

@ObjectType('DelegationTarget')
export class DelegationTargetModel extends AccountRefModel {
  @ApiProperty({ type: String, isArray: true, example: ['direct'] }) @Field(() => [String]) via: string[];
  @ApiProperty({
    type: WarningModel,
    isArray: true,
    description: 'Why the KDC ignores the entries (ignored targets), or RBCD_ACE_GROUP_SCOPE',
  })
  @Field(() => [WarningModel])
  warnings: WarningModel[];
}

@ObjectType('PrincipalDelegations')
export class PrincipalDelegationsModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) principal: AccountRefModel;
  @ApiProperty({
    type: DelegationTargetModel,
    isArray: true,
    description: 'Targets the KDC lets the principal delegate to',
  })
  @Field(() => [DelegationTargetModel])
  targets: DelegationTargetModel[];
  @ApiProperty({
    type: DelegationTargetModel,
    isArray: true,
    description: 'Targets whose value names the principal (or a group of it) but the KDC refuses it; warnings say why',
  })
  @Field(() => [DelegationTargetModel])
  ignored: DelegationTargetModel[];
}

@ObjectType('InventoryPrincipal')
export class InventoryPrincipalModel {
  @ApiProperty() @Field() sid: string;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) samAccountName: string | null;
  @ApiProperty() @Field() effective: boolean;
  @ApiProperty() @Field() aceType: string;
}

@ObjectType('InventoryItem')
export class InventoryItemModel extends AccountRefModel {
  @ApiProperty({ type: String, isArray: true, example: ['rbcd'] }) @Field(() => [String]) kinds: string[];
  @ApiProperty({ type: InventoryPrincipalModel, isArray: true })
  @Field(() => [InventoryPrincipalModel])
  rbcdPrincipals: InventoryPrincipalModel[];
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) allowedToDelegateTo: string[];
  @ApiProperty({ type: WarningModel, isArray: true }) @Field(() => [WarningModel]) risks: WarningModel[];
}

@ObjectType('InventoryDomain')
export class InventoryDomainModel {
  @ApiProperty() @Field() domain: string;
  @ApiNullableProperty('integer', { description: 'ms-DS-MachineAccountQuota: computers any user may create' })
  @Field(() => Int, { nullable: true })
  machineAccountQuota: number | null;
  @ApiProperty({ type: WarningModel, isArray: true, description: 'MACHINE_ACCOUNT_QUOTA when above 0' })
  @Field(() => [WarningModel])
  risks: WarningModel[];
}

@ObjectType('InventoryPage')
export class InventoryPageModel {
  @ApiProperty({ type: InventoryItemModel, isArray: true })
  @Field(() => [InventoryItemModel])
  items: InventoryItemModel[];
  @ApiProperty({ type: InventoryDomainModel, isArray: true })
  @Field(() => [InventoryDomainModel])
  domains: InventoryDomainModel[];
  @ApiProperty({ type: 'integer' }) @Field(() => Int) total: number;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) nextCursor: string | null;
}

@ObjectType('PlanPrincipals')
export class PlanPrincipalsModel {
  @ApiProperty({ type: DelegationPrincipalModel, isArray: true })
  @Field(() => [DelegationPrincipalModel])
  principals: DelegationPrincipalModel[];
}

@ObjectType('PlanPolicy')
export class PlanPolicyModel {
  @ApiProperty() @Field() allowed: boolean;
  @ApiProperty({ type: 'integer' }) @Field(() => Int) requiredApprovals: number;
  @ApiProperty({ type: String, isArray: true }) @Field(() => [String]) reasons: string[];
  @ApiNullableProperty(PlanOwnersModel, {
    required: false,
    description: 'The owners whose approval the rule asks for (approvers: {owners: N}); absent otherwise',
  })
  @Field(() => PlanOwnersModel, { nullable: true })
  owners?: PlanOwnersModel | null;
}

@ObjectType('ItemError')
export class ItemErrorModel {
  @ApiProperty() @Field() code: string;
  @ApiProperty() @Field() message: string;
}

@ObjectType('PlanItem')
export class PlanItemModel {
  @ApiProperty({ type: AccountRefModel }) @Field(() => AccountRefModel) target: AccountRefModel;
  @ApiProperty() @Field() changed: boolean;
  @ApiProperty({ type: PlanPrincipalsModel }) @Field(() => PlanPrincipalsModel) before: PlanPrincipalsModel;
  @ApiProperty({ type: PlanPrincipalsModel }) @Field(() => PlanPrincipalsModel) after: PlanPrincipalsModel;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) sddlBefore: string | null;
  @ApiNullableProperty('string') @Field(() => String, { nullable: true }) sddlAfter: string | null;
  @ApiProperty({ type: PlanPolicyModel }) @Field(() => PlanPolicyModel) policy: PlanPolicyModel;
  @ApiProperty({
    type: WarningModel,
    isArray: true,
    description: 'Allowed, but worth knowing (PRINCIPAL_IS_USER_ACCOUNT)',
  })
  @Field(() => [WarningModel])
  warnings: WarningModel[];
  @ApiPropertyOptional({ type: ItemErrorModel })
  @Field(() => ItemErrorModel, { nullable: true })
  error?: ItemErrorModel;
}

@ObjectType('DelegationPlan')
export class PlanModel {
  @ApiProperty({ type: PlanItemModel, isArray: true }) @Field(() => [PlanItemModel]) items: PlanItemModel[];
}

@ObjectType('DiagnoseCheck')
export class DiagnoseCheckModel {
  @ApiProperty({ enum: DIAGNOSE_CHECK_IDS, example: 'RBCD_ACE' }) @Field() id: string;
  @ApiProperty({ enum: DIAGNOSE_CHECK_STATUSES }) @Field() status: string;
  @ApiProperty() @Field() message: string;
}

@ObjectType('DiagnoseResult')
export class DiagnoseModel {
  @ApiProperty() @Field() ok: boolean;
  @ApiProperty({ type: DiagnoseCheckModel, isArray: true })
  @Field(() => [DiagnoseCheckModel])
  checks: DiagnoseCheckModel[];
}
