import { Module } from '@nestjs/common';
import { DirectoryWritesModule } from '../directory-writes/directory-writes.module';
import { GrantCoverage } from './grant-coverage';
import { StandingController } from './standing.controller';
import { StandingResolver } from './standing.resolver';
import { StandingService } from './standing.service';

/** Standing entries: RBCD entries in force that the service does not manage (issue 14). */
@Module({
  imports: [DirectoryWritesModule],
  controllers: [StandingController],
  providers: [StandingService, GrantCoverage, StandingResolver],
  exports: [StandingService, GrantCoverage],
})
export class StandingModule {}
