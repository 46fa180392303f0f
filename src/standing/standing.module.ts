import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { GrantCoverage } from './grant-coverage';
import { StandingController } from './standing.controller';
import { StandingResolver } from './standing.resolver';
import { StandingService } from './standing.service';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { PolicyModule } from '../policy/policy.module';

/** Standing entries: RBCD entries in force that the service does not manage (issue 14). */
@Module({
  imports: [AuditModule, DirectoryModule, DirectoryWritesModule, PolicyModule],
  controllers: [StandingController],
  providers: [StandingService, GrantCoverage, StandingResolver],
  exports: [StandingService, GrantCoverage],
})
export class StandingModule {}
