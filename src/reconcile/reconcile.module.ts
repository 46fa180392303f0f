import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { ReconcileController } from './reconcile.controller';
import { Reconciler } from './reconciler.service';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { JobsModule } from '../jobs/jobs.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OutboxModule } from '../notifications/outbox.module';
import { PolicyModule } from '../policy/policy.module';
import { GrantStoreModule } from '../grants/grant-store.module';
import { RequestStoreModule } from '../requests/request-store.module';

/** Drift detection (and optional repair) of the RBCD values the service manages. */
@Module({
  imports: [
    AuditModule,
    DirectoryModule,
    DirectoryWritesModule,
    GrantStoreModule,
    JobsModule,
    MetricsModule,
    OutboxModule,
    PolicyModule,
    RequestStoreModule,
  ],
  controllers: [ReconcileController],
  providers: [Reconciler],
  exports: [Reconciler],
})
export class ReconcileModule {}
