import { Module } from '@nestjs/common';
import { DelegationsModule } from '../delegations/delegations.module';
import { StandingModule } from '../standing/standing.module';
import { RequestsController } from './requests.controller';
import { RequestsResolver } from './requests.resolver';
import { ExtensionsService } from './extensions.service';
import { FilingPolicy } from './filing-policy';
import { PostHocReviews } from './post-hoc-reviews';
import { RequestClosing } from './request-closing';
import { RequestDecisions } from './request-decisions';
import { RequestsService } from './requests.service';
import { RequestStoreModule } from './request-store.module';
import { TimerHandler } from './time/timer-handler';
import { AuditModule } from '../audit/audit.module';
import { JobsModule } from '../jobs/jobs.module';
import { OutboxModule } from '../notifications/outbox.module';
import { OwnersModule } from '../owners/owners.module';
import { PersonsModule } from '../persons/persons.module';
import { PolicyModule } from '../policy/policy.module';
import { TimersModule } from '../timers/timers.module';

@Module({
  imports: [
    AuditModule,
    DelegationsModule,
    JobsModule,
    OutboxModule,
    OwnersModule,
    PersonsModule,
    PolicyModule,
    RequestStoreModule,
    StandingModule,
    TimersModule,
  ],
  controllers: [RequestsController],
  providers: [
    RequestsService,
    FilingPolicy,
    RequestDecisions,
    RequestClosing,
    PostHocReviews,
    ExtensionsService,
    RequestsResolver,
    TimerHandler,
  ],
  exports: [RequestsService, ExtensionsService],
})
export class RequestsModule {}
