import { Args, Query, Resolver } from '@nestjs/graphql';
import { DelegationPlanner } from './delegation-planner';
import { DelegationsService } from './delegations.service';
import { DiagnoseService } from './diagnose.service';
import {
  DiagnoseInput,
  InventoryQueryInput,
  PlanDelegationInput,
  PrincipalQueryInput,
  TargetDelegationInput,
} from './inputs/delegation.inputs';
import { InventoryService } from './inventory.service';
import {
  DelegationModel,
  DiagnoseModel,
  InventoryPageModel,
  PlanModel,
  PrincipalDelegationsModel,
} from './models/delegation.model';

@Resolver()
export class DelegationsResolver {
  constructor(
    private readonly delegations: DelegationsService,
    private readonly inventoryService: InventoryService,
    private readonly planner: DelegationPlanner,
    private readonly diagnoser: DiagnoseService,
  ) {}

  @Query(() => DelegationModel, { description: 'Who may delegate to this target now' })
  delegation(@Args() { target, domain }: TargetDelegationInput) {
    return this.delegations.forTarget(target, domain);
  }

  @Query(() => PrincipalDelegationsModel, { description: 'Where this principal may delegate' })
  delegationsForPrincipal(@Args() { principal, domain }: PrincipalQueryInput) {
    return this.delegations.forPrincipal(principal, domain);
  }

  @Query(() => InventoryPageModel)
  inventory(@Args() query: InventoryQueryInput) {
    return this.inventoryService.inventory(query);
  }

  @Query(() => PlanModel)
  planDelegation(@Args('input') input: PlanDelegationInput) {
    return this.planner.plan(input);
  }

  @Query(() => DiagnoseModel)
  diagnose(@Args('input') input: DiagnoseInput) {
    return this.diagnoser.diagnose(input);
  }
}
