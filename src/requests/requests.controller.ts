import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { CommentInput, CreateRequestInput, ListRequestsQuery, RequiredCommentInput } from './dto/request.inputs';
import { RequestModel, RequestPageModel } from './models/request.model';
import { RequestsService } from './requests.service';

@ApiTags('requests')
@ApiBearerAuth()
@Controller('requests')
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Post()
  @Roles('requester')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key from the same caller returns the first request' })
  @ApiCreatedResponse({ type: RequestModel })
  create(@Body() body: CreateRequestInput, @CurrentPrincipal() caller: Principal, @Headers('idempotency-key') idempotencyKey?: string) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1-200 visible ASCII characters');
    }
    return this.requests.create(body, caller, idempotencyKey);
  }

  @Get()
  @Roles('requester', 'approver', 'auditor')
  @ApiOkResponse({ type: RequestPageModel })
  list(@Query() query: ListRequestsQuery) {
    return this.requests.list(query);
  }

  @Get(':id')
  @Roles('requester', 'approver', 'auditor')
  @ApiOkResponse({ type: RequestModel })
  get(@Param('id') id: string) {
    return this.requests.get(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver')
  @ApiOkResponse({ type: RequestModel })
  approve(@Param('id') id: string, @Body() body: CommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.approve(id, caller, body.comment);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver')
  @ApiOkResponse({ type: RequestModel })
  reject(@Param('id') id: string, @Body() body: RequiredCommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.reject(id, caller, body.comment);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('requester')
  @ApiOkResponse({ type: RequestModel })
  cancel(@Param('id') id: string, @CurrentPrincipal() caller: Principal) {
    return this.requests.cancel(id, caller);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('requester', 'approver')
  @ApiOkResponse({ type: RequestModel })
  revoke(@Param('id') id: string, @Body() body: CommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.revoke(id, caller, body.comment);
  }
}
