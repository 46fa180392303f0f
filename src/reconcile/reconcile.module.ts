import { Module } from '@nestjs/common';
import { ReconcileController } from './reconcile.controller';
import { Reconciler } from './reconciler.service';

/** Drift detection (and optional repair) of the RBCD values the service manages. */
@Module({ controllers: [ReconcileController], providers: [Reconciler], exports: [Reconciler] })
export class ReconcileModule {}
