import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiErrors, WITH_BODY } from '../common/openapi/api-errors.decorator';
import { Public } from '../auth/public.decorator';
import { DomainError } from '../common/errors/domain-error';
import { type BlockActionsPayload, ChatopsService } from './chatops.service';
import { SlackSignatureGuard } from './slack-signature.guard';
import { ChatReplyModel } from './chat-reply.model';

/**
 * Slack-compatible callbacks. Public to the API-key guard (Slack holds no key) but every request
 * is verified with the signing secret over the raw body. The body is read as a plain record
 * because Slack adds fields freely (the global pipe refuses unknown DTO fields).
 */
@ApiTags('chatops')
@ApiHeader({
  name: 'X-Slack-Signature',
  required: true,
  description: 'v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">',
})
@ApiHeader({
  name: 'X-Slack-Request-Timestamp',
  required: true,
  description: 'Unix seconds; older than 5 minutes is refused',
})
@ApiExtraModels(ChatReplyModel)
@ApiErrors(...WITH_BODY, 401, 404, 500)
@Public()
@UseGuards(SlackSignatureGuard)
@Controller('chatops/slack')
export class SlackController {
  constructor(private readonly chat: ChatopsService) {}

  @Post('commands')
  @HttpCode(200)
  @ApiOperation({ summary: 'Slash command (form-encoded: user_id, user_name, command, text)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOkResponse({
    description: "The reply; {} to Slack's ssl_check",
    schema: { oneOf: [{ $ref: getSchemaPath(ChatReplyModel) }, { type: 'object', maxProperties: 0 }] },
  })
  command(@Body() body: Record<string, unknown>) {
    if (body.ssl_check) return {};
    const userId = field(body, 'user_id');
    if (!userId) throw new DomainError('VALIDATION_FAILED', 'user_id is required');
    return this.chat.command(
      { id: userId, name: field(body, 'user_name') },
      field(body, 'text') ?? '',
      field(body, 'command') || '/rbcd',
    );
  }

  @Post('interactions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Button presses (form field `payload`: block_actions JSON; action_id approve|reject, value = request id)',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOkResponse({ type: ChatReplyModel })
  interaction(@Body() body: Record<string, unknown>) {
    let payload: BlockActionsPayload;
    try {
      payload = JSON.parse(field(body, 'payload') ?? '') as BlockActionsPayload;
    } catch {
      throw new DomainError('VALIDATION_FAILED', 'payload must be a JSON document');
    }
    if (!payload || typeof payload !== 'object')
      throw new DomainError('VALIDATION_FAILED', 'payload must be a JSON object');
    return this.chat.interaction(payload);
  }
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
}
