import { Module } from '@nestjs/common';
import { GrantRepository } from './grant.repository';

/** The grants table. A module of its own: standing, reconcile and metrics read it without the applier. */
@Module({
  providers: [GrantRepository],
  exports: [GrantRepository],
})
export class GrantStoreModule {}
