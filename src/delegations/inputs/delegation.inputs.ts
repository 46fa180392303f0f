// Inputs of the read API, validated at the edge; shared by REST bodies/queries and GraphQL inputs.
import { applyDecorators } from '@nestjs/common';
import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { WARNING_CODES, type WarningCode } from '../delegation.types';
import { INVENTORY_KINDS, type InventoryKind } from '../inventory.service';
import { RBCD_ACTIONS, type RbcdAction } from '../rbcd-change';

@InputType()
export class TargetSearchInput {
  @ApiProperty({ example: 'OU=Servers,DC=contoso,DC=test' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  base: string;

  @ApiPropertyOptional({ example: '(name=WEB*)', description: 'LDAP filter, ANDed with (objectClass=computer)' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  filter?: string;
}

/** A list of account identifiers (names, DNs, SIDs ...): REST schema, GraphQL field and validation in one. */
export function IdentifierListField(options: { required?: boolean; max: number; example: string[] }) {
  const openApi = { type: String, isArray: true, example: options.example };
  return applyDecorators(
    ...(options.required
      ? [ApiProperty(openApi), Field(() => [String]), ArrayNotEmpty()]
      : [ApiPropertyOptional(openApi), Field(() => [String], { nullable: true }), IsOptional()]),
    IsArray(),
    ArrayMaxSize(options.max),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
  );
}

/** The optional `targetSearch` (an OU to expand into computers). */
export function TargetSearchField() {
  return applyDecorators(
    ApiPropertyOptional({ type: TargetSearchInput }),
    Field(() => TargetSearchInput, { nullable: true }),
    IsOptional(),
    ValidateNested(),
    Type(() => TargetSearchInput),
  );
}

@InputType()
export class PlanDelegationInput {
  @ApiProperty({ enum: RBCD_ACTIONS })
  @Field(() => String)
  @IsIn(RBCD_ACTIONS)
  action: RbcdAction;

  @IdentifierListField({ max: 5000, example: ['SERVERC'] })
  targets?: string[];

  @TargetSearchField()
  targetSearch?: TargetSearchInput;

  @IdentifierListField({ max: 100, example: ['SERVERB$'] })
  principals?: string[];
}

@InputType('DiagnoseInput')
export class DiagnoseInput {
  @ApiProperty({ example: 'alice' }) @Field() @IsString() @IsNotEmpty() @MaxLength(1024) user: string;
  @ApiProperty({ example: 'SERVERB$' }) @Field() @IsString() @IsNotEmpty() @MaxLength(1024) frontEnd: string;
  @ApiProperty({ example: 'SERVERC' }) @Field() @IsString() @IsNotEmpty() @MaxLength(1024) backEnd: string;
  @ApiPropertyOptional({ example: 'cifs/serverc.contoso.test' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  spn?: string;
}

/** REST GET /delegations/{target}?domain= */
@ArgsType()
export class DelegationQueryInput {
  @ApiPropertyOptional({ description: 'DNS name of the domain to look in' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  domain?: string;
}

/** GraphQL delegation: REST's path parameter and query in one argument set. */
@ArgsType()
export class TargetDelegationInput extends DelegationQueryInput {
  @Field() @IsString() @IsNotEmpty() @MaxLength(1024) target: string;
}

/** REST GET /delegations?principal= and GraphQL delegationsForPrincipal. */
@ArgsType()
export class PrincipalQueryInput {
  @ApiProperty({ example: 'SERVERB$' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  principal: string;

  @ApiPropertyOptional()
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  domain?: string;
}

/** REST GET /inventory and GraphQL inventory: the same arguments and rules. */
@ArgsType()
export class InventoryQueryInput {
  @ApiPropertyOptional({ example: 'OU=Servers,DC=contoso,DC=test' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  base?: string;

  @ApiPropertyOptional({ description: `Comma-separated: ${INVENTORY_KINDS.join(',')}`, example: 'rbcd,unconstrained' })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s: string) => s.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @IsIn(INVENTORY_KINDS, { each: true })
  kinds?: InventoryKind[];

  @ApiPropertyOptional({ default: 500, minimum: 1, maximum: 5000 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional()
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({
    default: true,
    description:
      "Read each object's permissions (nTSecurityDescriptor) and flag RBCD_WRITABLE_BY_NON_TIER0; false skips that read",
  })
  @Field({ nullable: true, description: 'Flag RBCD_WRITABLE_BY_NON_TIER0 (default true)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  writers?: boolean;

  @ApiPropertyOptional({
    enum: WARNING_CODES,
    description:
      'Only the items that carry this risk code (risks[].code); applied before paging, so total and nextCursor count only them',
    example: 'UNCONSTRAINED_ON_NON_DC',
  })
  @Field(() => String, {
    nullable: true,
    description: 'Only the items that carry this risk code (risks.code); applied before paging',
  })
  @IsOptional()
  @IsIn(WARNING_CODES)
  risk?: WarningCode;
}
