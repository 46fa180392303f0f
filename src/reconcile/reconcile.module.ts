import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { ReconcileController } from './reconcile.controller';
import { Reconciler } from './reconciler.service';

/** Drift detection (and optional repair) of the RBCD values the service manages. */
@Module({
  imports: [DirectoryWritesModule],
  controllers: [ReconcileController],
  providers: [Reconciler],
  exports: [Reconciler],
})
export class ReconcileModule {}
