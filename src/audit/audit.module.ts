import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditResolver } from './audit.resolver';
import { AuditService } from './audit.service';
import { AuditSinkDelivery } from './sinks/audit-sink-delivery';
import { AuditSinkPositionRepository } from './sinks/audit-sink-position.repository';
import { AuditSinksController } from './sinks/audit-sinks.controller';
import { AuditSinksResolver } from './sinks/audit-sinks.resolver';
import { AuditSinksService } from './sinks/audit-sinks.service';
import { JobsModule } from '../jobs/jobs.module';

@Module({
  imports: [JobsModule],
  controllers: [AuditController, AuditSinksController],
  providers: [
    AuditService,
    AuditRepository,
    AuditResolver,
    AuditSinkPositionRepository,
    AuditSinkDelivery,
    AuditSinksService,
    AuditSinksResolver,
  ],
  exports: [AuditService, AuditSinkDelivery, AuditSinksService],
})
export class AuditModule {}
