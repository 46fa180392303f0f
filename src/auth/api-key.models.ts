import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from './roles';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';

export class ApiKeyModel {
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

export class IssuedApiKeyModel extends ApiKeyModel {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash' })
  key: string;
}
