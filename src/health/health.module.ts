import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DirectoryHealthIndicator } from './directory.health';
import { HealthController } from './health.controller';
import { DirectoryModule } from '../directory/directory.module';

@Module({
  imports: [TerminusModule, DirectoryModule],
  controllers: [HealthController],
  providers: [DirectoryHealthIndicator],
})
export class HealthModule {}
