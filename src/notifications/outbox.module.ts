import { Global, Module } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue.service';
import { EventPublisher } from './event-publisher';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

/** The durable outbox every module enqueues into (jobs, webhooks, chat notifications), and its admin view. */
@Global()
@Module({
  controllers: [WebhookDeliveriesController],
  providers: [JobQueue, EventPublisher, WebhookDeliveriesService],
  exports: [JobQueue, EventPublisher],
})
export class OutboxModule {}
