import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiErrors,
  AUTHENTICATED,
  CHANGE,
  WITH_BODY,
  WITH_PATH_PARAMETER,
} from '../common/openapi/api-errors.decorator';
import { CreateApiKeyInput } from './api-keys.inputs';
import { ApiKeyModel, IssuedApiKeyModel } from './api-key.models';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal } from './current-principal.decorator';
import { Roles } from './roles.decorator';
import type { Principal } from './roles';

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED)
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Issue an API key with roles (admin); the key is in this answer only, stored as a hash' })
  @ApiCreatedResponse({ type: IssuedApiKeyModel })
  @ApiErrors(...WITH_BODY, 422, 502, 503, ...CHANGE)
  create(@Body() body: CreateApiKeyInput, @CurrentPrincipal() principal: Principal) {
    return this.apiKeys.issue(body, principal);
  }

  @Get()
  @ApiOperation({ summary: 'The API keys issued through the API (admin); never the keys themselves' })
  @ApiOkResponse({ type: ApiKeyModel, isArray: true })
  list() {
    return this.apiKeys.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key (admin): it stops working at once' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(400, ...WITH_PATH_PARAMETER, 404, ...CHANGE)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    await this.apiKeys.revoke(id, principal);
  }
}
