import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  ApiErrors,
  AUTHENTICATED,
  CHANGE,
  DIRECTORY,
  WITH_BODY,
  WITH_PATH_PARAMETER,
} from '../common/openapi/api-errors.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { OwnersMay, Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import {
  CommentInput,
  CreateRequestInput,
  ExtendRequestInput,
  ListRequestsQueryInput,
  RequiredCommentInput,
} from './inputs/request.inputs';
import { ExtensionsService } from './extensions.service';
import { FILED_REQUEST_EXAMPLE, GRANT_REQUEST_EXAMPLE } from './models/request.examples';
import { RequestModel, RequestPageModel } from './models/request.model';
import { RequestsService } from './requests.service';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from './inputs/request-arguments.inputs';

@ApiTags('requests')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400)
@Controller('requests')
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly extensions: ExtensionsService,
  ) {}

  @Post()
  @Roles('requester')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'The same key from the same caller returns the first request',
  })
  @ApiOperation({
    summary: 'File a grant or revoke request; policy says how many approvals it needs (or denies it now)',
  })
  @ApiBody({
    type: CreateRequestInput,
    examples: { grant: { summary: 'SERVERB$ may delegate to SERVERC for 8 hours', value: GRANT_REQUEST_EXAMPLE } },
  })
  @ApiCreatedResponse({
    type: RequestModel,
    description: 'Filed (or the request an earlier call with the same Idempotency-Key filed)',
    example: FILED_REQUEST_EXAMPLE,
  })
  @ApiErrors(...WITH_BODY, ...DIRECTORY, 422, ...CHANGE)
  create(
    @Body() body: CreateRequestInput,
    @CurrentPrincipal() caller: Principal,
    @Headers() headers: Record<string, string | string[] | undefined>,
  ) {
    // Read from all headers (not @Headers('idempotency-key')), so the spec holds the one optional header above.
    const raw = headers['idempotency-key'];
    const idempotencyKey = Array.isArray(raw) ? raw.join(', ') : raw;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new DomainError('VALIDATION_FAILED', `Idempotency-Key ${IDEMPOTENCY_KEY_RULE}`);
    }
    return this.requests.create(body, caller, idempotencyKey);
  }

  @Get()
  @Roles('requester', 'approver', 'auditor')
  @ApiOperation({ summary: 'Requests, newest first, filtered and paged' })
  @ApiOkResponse({ type: RequestPageModel })
  list(@Query() query: ListRequestsQueryInput) {
    return this.requests.list(query);
  }

  @Get(':id')
  // breakglass too: whoever filed an emergency request must be able to follow it (status, review due).
  @Roles('requester', 'approver', 'auditor', 'breakglass')
  @ApiOperation({ summary: 'One request: status, approvals, per-target result and next steps' })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description:
      'The ETag of an earlier answer: while the request has not changed, 304 with no body (poll a large request this way)',
  })
  @ApiOkResponse({
    type: RequestModel,
    headers: {
      ETag: {
        description: 'Changes whenever the request does (status, result, approvals)',
        schema: { type: 'string' },
      },
    },
  })
  @ApiResponse({ status: 304, description: 'Unchanged since the ETag sent in If-None-Match; no body' })
  @ApiErrors(404, ...WITH_PATH_PARAMETER)
  async get(
    @Param('id') id: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Read from all headers (not @Headers('if-none-match')), so the spec holds the one optional header above.
    const raw = headers['if-none-match'];
    const { tag, view } = await this.requests.getIfChanged(id, Array.isArray(raw) ? raw.join(', ') : raw);
    reply.header('ETag', tag);
    await (view ? reply.send(view) : reply.status(304).send());
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary: 'Approve (never your own request, or one filed for you); the quorum met, it is written to the directory',
  })
  @OwnersMay()
  @ApiOkResponse({ type: RequestModel })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, 404, 409, 502, 503, ...CHANGE)
  approve(@Param('id') id: string, @Body() body: CommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.approve(id, caller, body.comment);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({ summary: 'Reject a pending request, with a reason' })
  @OwnersMay()
  @ApiOkResponse({ type: RequestModel })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, 404, 409, 502, 503, ...CHANGE)
  reject(@Param('id') id: string, @Body() body: RequiredCommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.reject(id, caller, body.comment);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('requester')
  @ApiOperation({ summary: 'Withdraw a pending request (its requester)' })
  @ApiOkResponse({ type: RequestModel })
  @ApiErrors(...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  cancel(@Param('id') id: string, @CurrentPrincipal() caller: Principal) {
    return this.requests.cancel(id, caller);
  }

  @Post(':id/extend')
  @Roles('requester')
  @ApiOperation({
    summary:
      'Ask for more time on an applied grant (its requester, the person it was filed for, or an admin): a linked extension request for the same targets and principals',
    description:
      'Approved under the policy (maxTotalDuration, approvals; autoApproveExtensions approves up to N per grant without a human), it moves the live grant’s expiresAt without a directory write; when that grant has ended by then, the extension is applied as a grant of its own. The answer is the extension request (pending, or approved when it approved itself).',
  })
  @ApiCreatedResponse({ type: RequestModel, description: 'The extension request' })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, ...DIRECTORY, 422, ...CHANGE)
  extend(@Param('id') id: string, @Body() body: ExtendRequestInput, @CurrentPrincipal() caller: Principal) {
    return this.extensions.extend(id, body, caller);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('requester', 'approver')
  @ApiOperation({
    summary: 'End an applied grant before it expires: its ACEs are removed unless another grant needs them',
  })
  @ApiOkResponse({ type: RequestModel })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  revoke(@Param('id') id: string, @Body() body: CommentInput, @CurrentPrincipal() caller: Principal) {
    return this.requests.revoke(id, caller, body.comment);
  }
}
