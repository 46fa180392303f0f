import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { EventPublisher } from './event-publisher';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookSender } from './webhook-sender';

/** Outbound notifications: domain events to webhooks and chat (as jobs), and the deliveries' admin view. */
@Module({
  imports: [AuditModule, JobsModule],
  controllers: [WebhookDeliveriesController],
  providers: [EventPublisher, WebhookSender, WebhookDeliveriesService],
  exports: [EventPublisher, WebhookSender],
})
export class OutboxModule {}
