import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { WebhookSender } from '../notifications/webhook-sender';
import { ExpiryScheduler } from '../grants/expiry.scheduler';
import { GrantApplier } from '../grants/grant-applier';
import { JobRunner } from './job-runner';

@Module({
  imports: [DirectoryWritesModule],
  providers: [GrantApplier, JobRunner, ExpiryScheduler, WebhookSender],
  exports: [JobRunner, ExpiryScheduler, GrantApplier],
})
export class JobsModule {}
