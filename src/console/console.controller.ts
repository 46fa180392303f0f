import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Public } from '../auth/public.decorator';
import { identityKey, type Principal } from '../auth/roles';
import { ApiErrors, AUTHENTICATED } from '../common/openapi/api-errors.decorator';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { ConsoleConfigModel, MeModel } from './console.models';

/** What the web console asks before and right after sign-in. */
@ApiTags('console')
@Controller()
export class ConsoleController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('console/config')
  @Public()
  @ApiOperation({ summary: 'How the console signs in: the OIDC issuer and public client, or API keys only' })
  @ApiOkResponse({ type: ConsoleConfigModel })
  @ApiErrors(500)
  consoleConfig(): ConsoleConfigModel {
    const { oidc, console } = this.config;
    if (!oidc || !console.oidcClientId) return { oidc: null };
    return {
      oidc: {
        issuer: oidc.issuer,
        clientId: console.oidcClientId,
        scope: console.oidcScope,
        resource: console.oidcResource ?? null,
        approvalMaxAgeSeconds: oidc.approvalMaxAgeMs ? Math.floor(oidc.approvalMaxAgeMs / 1000) : null,
      },
    };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who this credential is: name, roles, the person behind it' })
  @ApiOkResponse({ type: MeModel })
  @ApiErrors(...AUTHENTICATED)
  me(@CurrentPrincipal() caller: Principal): MeModel {
    return {
      id: caller.id,
      name: caller.name,
      roles: caller.roles,
      via: caller.via,
      person: caller.person ?? null,
      identityKey: identityKey(caller),
      signedInAt: caller.authTime === undefined ? null : new Date(caller.authTime * 1000).toISOString(),
    };
  }
}
