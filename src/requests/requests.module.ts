import { Module } from '@nestjs/common';
import { DelegationsModule } from '../delegations/delegations.module';
import { RequestsController } from './requests.controller';
import { RequestsResolver } from './requests.resolver';
import { RequestsService } from './requests.service';
import { TimerHandler } from './time/timer-handler';

@Module({
  imports: [DelegationsModule],
  controllers: [RequestsController],
  providers: [RequestsService, RequestsResolver, TimerHandler],
  exports: [RequestsService],
})
export class RequestsModule {}
