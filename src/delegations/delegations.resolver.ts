import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { DelegationPlanner } from './delegation-planner';
import { DelegationsService } from './delegations.service';
import { DiagnoseService } from './diagnose.service';
import type { WarningCode } from './delegation.types';
import { DiagnoseInput, PlanDelegationInput } from './inputs/delegation.inputs';
import { InventoryService, type InventoryKind } from './inventory.service';
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
  delegation(@Args('target') target: string, @Args('domain', { nullable: true }) domain?: string) {
    return this.delegations.forTarget(target, domain);
  }

  @Query(() => PrincipalDelegationsModel, { description: 'Where this principal may delegate' })
  delegationsForPrincipal(@Args('principal') principal: string, @Args('domain', { nullable: true }) domain?: string) {
    return this.delegations.forPrincipal(principal, domain);
  }

  @Query(() => InventoryPageModel)
  inventory(
    @Args('base', { nullable: true }) base?: string,
    @Args('kinds', { type: () => [String], nullable: true }) kinds?: InventoryKind[],
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
    @Args('writers', { nullable: true, description: 'Flag RBCD_WRITABLE_BY_NON_TIER0 (default true)' })
    writers?: boolean,
    @Args('risk', {
      type: () => String,
      nullable: true,
      description: 'Only the items that carry this risk code (risks.code); applied before paging',
    })
    risk?: WarningCode,
  ) {
    return this.inventoryService.inventory({ base, kinds, limit, cursor, writers, risk });
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
