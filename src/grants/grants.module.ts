import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { JobsModule } from '../jobs/jobs.module';
import { OutboxModule } from '../notifications/outbox.module';
import { PolicyModule } from '../policy/policy.module';
import { RequestStoreModule } from '../requests/request-store.module';
import { TimersModule } from '../timers/timers.module';
import { GrantStoreModule } from './grant-store.module';
import { ExpiryScheduler } from './expiry.scheduler';
import { ExtensionMerger } from './extension-merger';
import { AdoptWriter } from './adopt-writer';
import { GrantApplier } from './grant-applier';
import { GrantEnding } from './grant-ending';
import { GrantFailure } from './grant-failure';
import { GrantRemoval } from './grant-removal';
import { GrantWriter } from './grant-writer';
import { RevokeWriter } from './revoke-writer';
import { TargetChecks } from './target-checks';

/** Grants in force: apply an approved request, end a grant (expiry, revoke), take back a failed one. */
@Module({
  imports: [
    AuditModule,
    DirectoryModule,
    DirectoryWritesModule,
    GrantStoreModule,
    JobsModule,
    OutboxModule,
    PolicyModule,
    RequestStoreModule,
    TimersModule,
  ],
  providers: [
    GrantApplier,
    GrantWriter,
    RevokeWriter,
    AdoptWriter,
    GrantRemoval,
    GrantEnding,
    GrantFailure,
    TargetChecks,
    ExtensionMerger,
    ExpiryScheduler,
  ],
  exports: [GrantApplier, ExpiryScheduler],
})
export class GrantsModule {}
