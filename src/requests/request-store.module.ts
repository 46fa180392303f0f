import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OutboxModule } from '../notifications/outbox.module';
import { RequestLifecycle } from './request-lifecycle';
import { RequestRepository } from './request.repository';

/**
 * The requests and approvals tables and the one way a request's status changes. A module of its
 * own so that grants, reconcile and metrics use them without importing the requests feature (which
 * imports standing, which reads grants).
 */
@Module({
  imports: [AuditModule, OutboxModule],
  providers: [RequestRepository, RequestLifecycle],
  exports: [RequestRepository, RequestLifecycle],
})
export class RequestStoreModule {}
