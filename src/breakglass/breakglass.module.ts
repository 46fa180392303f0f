import { Module } from '@nestjs/common';
import { RequestsModule } from '../requests/requests.module';
import { BreakGlassController } from './breakglass.controller';
import { BreakGlassResolver } from './breakglass.resolver';
import { BreakGlassScheduler } from './breakglass.scheduler';
import { BreakGlassService } from './breakglass.service';

/** Break-glass requests and their post-hoc review (issue 14). */
@Module({
  imports: [RequestsModule],
  controllers: [BreakGlassController],
  providers: [BreakGlassService, BreakGlassResolver, BreakGlassScheduler],
  exports: [BreakGlassService, BreakGlassScheduler],
})
export class BreakGlassModule {}
