import { Global, Module } from '@nestjs/common';
import { NotificationChannels } from './notification-channels';
import { SchemaCheck } from './schema-check';
import { TargetLocks } from './target-lock';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  providers: [UnitOfWork, TargetLocks, NotificationChannels, SchemaCheck],
  exports: [UnitOfWork, TargetLocks, NotificationChannels],
})
export class DatabaseModule {}
