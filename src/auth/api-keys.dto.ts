import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from './roles';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'servicenow' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9._@-]+$/, { message: 'name may hold letters, digits and . _ @ - only' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['requester'] })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(ROLES, { each: true })
  roles: Role[];

  @ApiPropertyOptional({ description: 'May file requests on behalf of a person (requestedFor)', default: false })
  @IsOptional()
  @IsBoolean()
  mayActOnBehalf?: boolean;

  @ApiPropertyOptional({
    example: 'alice@contoso.test',
    description: "A person's key: the AD user it belongs to (UPN, DOMAIN\\name, mail). Without it: a system key",
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  owner?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty() mayActOnBehalf: boolean;
  @ApiNullableProperty('string', { description: "The person a person's key belongs to (UPN); null for a system key" })
  owner: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() createdBy: string;
  @ApiNullableProperty('string', { format: 'date-time' }) lastUsedAt: string | null;
}

export class IssuedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash' })
  key: string;
}
