import { Readable } from 'node:stream';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors, AUTHENTICATED } from '../common/openapi/api-errors.decorator';
import { AuditExportQueryInput, AuditQueryInput } from './audit.inputs';
import { AuditPageModel, AuditVerificationModel } from './audit.models';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED)
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit events, newest first, filtered and paged (auditor)' })
  @ApiOkResponse({ type: AuditPageModel })
  @ApiErrors(400)
  list(@Query() query: AuditQueryInput) {
    return this.audit.search(query);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain from the first event: ok, or where it breaks (auditor)' })
  @ApiOkResponse({ type: AuditVerificationModel })
  verify() {
    return this.audit.verify();
  }

  @Get('export')
  @ApiOperation({
    summary:
      'The chain from a starting point to its end, oldest first, as JSON Lines (verifiable offline with `rbcd audit verify`)',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One audit event per line, in chain order, with no gap', schema: { type: 'string' } })
  @ApiErrors(400)
  async export(@Query() query: AuditExportQueryInput, @Res() reply: FastifyReply): Promise<void> {
    const events = this.audit.export(query);
    const lines = Readable.from(
      (async function* () {
        for await (const event of events) yield `${JSON.stringify(event)}\n`;
      })(),
    );
    await reply.header('Content-Type', 'application/x-ndjson; charset=utf-8').send(lines);
  }
}
