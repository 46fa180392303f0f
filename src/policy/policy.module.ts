import { Module } from '@nestjs/common';
import { BuiltinGuard } from './builtin-guard.service';
import { PolicyService } from './policy.service';
import { WriterBaselineRepository } from './writer-baseline.repository';
import { WritersService } from './writers.service';
import { DirectoryModule } from '../directory/directory.module';

@Module({
  imports: [DirectoryModule],
  providers: [PolicyService, WritersService, BuiltinGuard, WriterBaselineRepository],
  exports: [PolicyService, WritersService, BuiltinGuard, WriterBaselineRepository],
})
export class PolicyModule {}
