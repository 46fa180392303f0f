import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { WebhookSender } from '../notifications/webhook-sender';
import { chatMentions } from './requester-messages';
import { slackMessageFor } from './slack-messages';

/** Chat posts of events (notify URL, chat escalations) read as Slack messages with Approve/Reject buttons. */
@Injectable()
export class ChatFormatRegistration implements OnModuleInit {
  constructor(
    private readonly webhooks: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.webhooks.useChatFormat((event) => slackMessageFor(event, chatMentions(event, this.config.chat.slack)));
  }
}
