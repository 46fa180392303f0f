import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What a Slack callback answers (Slack's own field names). */
export class ChatReplyModel {
  @ApiProperty({ enum: ['ephemeral', 'in_channel'] }) response_type: string;
  @ApiProperty() text: string;
  @ApiPropertyOptional({ description: 'Button presses: whether the message with the buttons is replaced' })
  replace_original?: boolean;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Slack Block Kit blocks (the request with Approve/Reject buttons)',
  })
  blocks?: Record<string, unknown>[];
}
