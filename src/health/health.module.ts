import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DirectoryHealthIndicator } from './directory.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [DirectoryHealthIndicator],
})
export class HealthModule {}
