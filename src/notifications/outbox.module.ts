import { Global, Module } from '@nestjs/common';
import { JobHandlers } from '../jobs/job-handlers';
import { JobQueue } from '../jobs/job-queue.service';
import { RequestTimers } from '../timers/request-timers';
import { EventPublisher } from './event-publisher';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

/** The durable outbox every module enqueues into (jobs, timers, webhooks, chat notifications), and its admin view. */
@Global()
@Module({
  controllers: [WebhookDeliveriesController],
  providers: [JobQueue, JobHandlers, RequestTimers, EventPublisher, WebhookDeliveriesService],
  exports: [JobQueue, JobHandlers, RequestTimers, EventPublisher],
})
export class OutboxModule {}
