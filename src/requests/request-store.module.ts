import { Module } from '@nestjs/common';
import { RequestRepository } from './request.repository';

/**
 * The requests and approvals tables. A module of its own so that grants, reconcile and metrics can
 * use them without importing the requests feature (which imports standing, which reads grants).
 */
@Module({
  providers: [RequestRepository],
  exports: [RequestRepository],
})
export class RequestStoreModule {}
