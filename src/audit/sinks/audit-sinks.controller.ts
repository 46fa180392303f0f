import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Roles } from '../../auth/roles.decorator';
import { ApiErrors, AUTHENTICATED } from '../../common/openapi/api-errors.decorator';
import type { Principal } from '../../auth/roles';
import { ReplayAuditSinkInput } from './audit-sink.inputs';
import { AuditSinkModel } from './audit-sink.model';
import { AuditSinksService } from './audit-sinks.service';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin')
@ApiErrors(...AUTHENTICATED)
@Controller('audit/sinks')
export class AuditSinksController {
  constructor(private readonly sinks: AuditSinksService) {}

  @Get()
  @ApiOperation({ summary: 'Each audit sink (audit.sinks) and its position in the chain: delivered, lag, failures' })
  @ApiOkResponse({ type: [AuditSinkModel] })
  list() {
    return this.sinks.list();
  }

  @Post(':name/replay')
  @HttpCode(200)
  @ApiErrors(400, 404)
  @ApiOperation({ summary: 'Send the audit events to this sink again, from a sequence number' })
  @ApiOkResponse({ type: AuditSinkModel })
  replay(@Param('name') name: string, @Body() body: ReplayAuditSinkInput, @CurrentPrincipal() caller: Principal) {
    return this.sinks.replay(name, body.fromSeq, caller.id);
  }
}
