import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RequestTimers } from './request-timers';

/** A request's timers (reminder, escalation, time-out, expiry notices) as jobs of kind `timer`. */
@Module({
  imports: [JobsModule],
  providers: [RequestTimers],
  exports: [RequestTimers],
})
export class TimersModule {}
