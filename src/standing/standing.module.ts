import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { GrantStoreModule } from '../grants/grant-store.module';
import { StandingController } from './standing.controller';
import { StandingResolver } from './standing.resolver';
import { StandingService } from './standing.service';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { PolicyModule } from '../policy/policy.module';

/** Standing entries: RBCD entries in force that the service does not manage (issue 14). */
@Module({
  imports: [AuditModule, DirectoryModule, DirectoryWritesModule, GrantStoreModule, PolicyModule],
  controllers: [StandingController],
  providers: [StandingService, StandingResolver],
  exports: [StandingService],
})
export class StandingModule {}
