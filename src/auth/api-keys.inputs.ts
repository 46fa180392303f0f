import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from './roles';

export class CreateApiKeyInput {
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
