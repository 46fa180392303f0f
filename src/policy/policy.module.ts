import { Global, Module } from '@nestjs/common';
import { BuiltinGuard } from './builtin-guard.service';
import { PolicyService } from './policy.service';
import { WritersService } from './writers.service';

@Global()
@Module({
  providers: [PolicyService, WritersService, BuiltinGuard],
  exports: [PolicyService, WritersService, BuiltinGuard],
})
export class PolicyModule {}
