import { Module } from '@nestjs/common';
import { DelegationPlanner } from './delegation-planner';
import { DelegationReader } from './delegation-reader';
import { DelegationsController } from './delegations.controller';
import { DelegationsResolver } from './delegations.resolver';
import { DelegationsService } from './delegations.service';
import { DiagnoseService } from './diagnose.service';
import { InventoryService } from './inventory.service';
import { TargetExpander } from './target-expander';

@Module({
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
  exports: [DelegationReader, TargetExpander],
})
export class DelegationsModule {}
