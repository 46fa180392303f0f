import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DelegationsModule } from '../delegations/delegations.module';
import { RequestsModule } from '../requests/requests.module';
import { ChatopsService } from './chatops.service';
import { ReplayGuard } from './replay-guard';
import { SeenSignatureRepository } from './seen-signature.repository';
import { SlackController } from './slack.controller';
import { SlackSignatureGuard } from './slack-signature.guard';
import { OutboxModule } from '../notifications/outbox.module';
import { PersonsModule } from '../persons/persons.module';
import { ChatFormatRegistration } from './chat-format.registration';

/** Slack-compatible chat: slash commands and Approve/Reject buttons over the request workflow. */
@Module({
  imports: [AuthModule, DelegationsModule, OutboxModule, PersonsModule, RequestsModule],
  controllers: [SlackController],
  providers: [ChatopsService, SlackSignatureGuard, ReplayGuard, SeenSignatureRepository, ChatFormatRegistration],
})
export class ChatopsModule {}
