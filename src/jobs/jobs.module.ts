import { Module } from '@nestjs/common';
import { JobHandlers } from './job-handlers';
import { JobQueue } from './job-queue.service';
import { JobRunner } from './job-runner';
import { JobRepository } from './job.repository';

/**
 * The durable queue (outbox) and the worker that runs it. Jobs imports no feature: each feature
 * registers the handler of its kinds with JobHandlers at start.
 */
@Module({
  providers: [JobQueue, JobRepository, JobHandlers, JobRunner],
  exports: [JobQueue, JobHandlers, JobRunner],
})
export class JobsModule {}
