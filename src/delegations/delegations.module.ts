import { Module } from '@nestjs/common';
import { DelegationPlanner } from './delegation-planner';
import { DelegationReader } from './delegation-reader';
import { DelegationsController } from './delegations.controller';
import { DelegationsResolver } from './delegations.resolver';
import { DelegationsService } from './delegations.service';
import { DiagnoseService } from './diagnose.service';
import { InventoryService } from './inventory.service';
import { TargetExpander } from './target-expander';
import { DirectoryModule } from '../directory/directory.module';
import { OwnersModule } from '../owners/owners.module';
import { PolicyModule } from '../policy/policy.module';

@Module({
  imports: [DirectoryModule, OwnersModule, PolicyModule],
  controllers: [DelegationsController],
  providers: [
    DelegationsService,
    DelegationReader,
    DelegationPlanner,
    DiagnoseService,
    InventoryService,
    TargetExpander,
    DelegationsResolver,
  ],
  exports: [DelegationsService, DelegationReader, TargetExpander],
})
export class DelegationsModule {}
