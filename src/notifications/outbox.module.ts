import { Global, Module } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue.service';
import { EventPublisher } from './event-publisher';

/** The durable outbox every module enqueues into (jobs, webhooks, chat notifications). */
@Global()
@Module({ providers: [JobQueue, EventPublisher], exports: [JobQueue, EventPublisher] })
export class OutboxModule {}
