import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditResolver } from './audit.resolver';
import { AuditService } from './audit.service';
import { AuditSinkDelivery } from './sinks/audit-sink-delivery';
import { AuditSinkPositions } from './sinks/audit-sink-positions';
import { AuditSinksController } from './sinks/audit-sinks.controller';
import { AuditSinksResolver } from './sinks/audit-sinks.resolver';
import { AuditSinksService } from './sinks/audit-sinks.service';
import { JobsModule } from '../jobs/jobs.module';

@Module({
  imports: [JobsModule],
  controllers: [AuditController, AuditSinksController],
  providers: [
    AuditService,
    AuditResolver,
    AuditSinkPositions,
    AuditSinkDelivery,
    AuditSinksService,
    AuditSinksResolver,
  ],
  exports: [AuditService, AuditSinkDelivery, AuditSinksService],
})
export class AuditModule {}
