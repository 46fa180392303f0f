import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../auth/roles';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';
import { PersonModel } from '../requests/models/request.model';

export class ConsoleOidcModel {
  @ApiProperty({ description: 'The issuer the console signs in at (authorization code + PKCE)' })
  issuer: string;

  @ApiProperty({ description: 'The public client id of the console (OIDC_CONSOLE_CLIENT_ID)' })
  clientId: string;

  @ApiProperty({ example: 'openid profile' })
  scope: string;

  @ApiNullableProperty('string', { description: 'RFC 8707 resource indicator sent with the sign-in' })
  resource: string | null;

  @ApiNullableProperty('integer', {
    description: 'OIDC_APPROVAL_MAX_AGE in seconds: approving needs a sign-in at most this old',
  })
  approvalMaxAgeSeconds: number | null;
}

export class ConsoleConfigModel {
  @ApiNullableProperty(ConsoleOidcModel, { description: 'null: the console signs in with an API key only' })
  oidc: ConsoleOidcModel | null;
}

export class MeModel {
  @ApiProperty({ example: 'oidc:7d1c0f', description: 'The credential: apikey:<name>, oidc:<sub>' })
  id: string;

  @ApiProperty({ example: 'alice' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles: Role[];

  @ApiProperty({ enum: ['api-key', 'oidc', 'chat', 'system'] })
  via: string;

  @ApiNullableProperty(PersonModel, { description: 'The person behind the credential; null for a system key' })
  person: PersonModel | null;

  @ApiProperty({ description: "Requests whose requester or beneficiary has this key are this caller's own" })
  identityKey: string;

  @ApiNullableProperty('string', {
    format: 'date-time',
    description: 'OIDC: when this person last signed in at the provider (auth_time)',
  })
  signedInAt: string | null;
}
