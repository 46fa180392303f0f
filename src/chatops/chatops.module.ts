import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DelegationsModule } from '../delegations/delegations.module';
import { DelegationsService } from '../delegations/delegations.service';
import { RequestsModule } from '../requests/requests.module';
import { ChatopsService } from './chatops.service';
import { ReplayGuard } from './replay-guard';
import { SlackController } from './slack.controller';
import { SlackSignatureGuard } from './slack-signature.guard';

/** Slack-compatible chat: slash commands and Approve/Reject buttons over the request workflow. */
@Module({
  imports: [AuthModule, RequestsModule, DelegationsModule],
  controllers: [SlackController],
  // DelegationsModule does not export its service; it is stateless, so chat holds its own instance.
  providers: [ChatopsService, SlackSignatureGuard, ReplayGuard, DelegationsService],
})
export class ChatopsModule {}
