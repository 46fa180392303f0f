import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ReadsOnly } from '../auth/reads-only.decorator';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  AUTHENTICATED,
  DIRECTORY,
  WITH_BODY,
  WITH_PATH_PARAMETER,
} from '../common/openapi/api-errors.decorator';
import { DelegationPlanner } from './delegation-planner';
import { DelegationsService } from './delegations.service';
import { DiagnoseService } from './diagnose.service';
import {
  DelegationQueryInput,
  DiagnoseInput,
  InventoryQueryInput,
  PlanDelegationInput,
  PrincipalQueryInput,
} from './inputs/delegation.inputs';
import { InventoryService } from './inventory.service';
import { DELEGATION_EXAMPLE, DIAGNOSE_EXAMPLE, DIAGNOSE_INPUT_EXAMPLE } from './models/delegation.examples';
import {
  DelegationModel,
  DiagnoseModel,
  InventoryPageModel,
  PlanModel,
  PrincipalDelegationsModel,
} from './models/delegation.model';

/** Live, read-only questions about delegation. Any authenticated role may ask. */
@ApiTags('delegations')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400, ...DIRECTORY)
@Controller()
export class DelegationsController {
  constructor(
    private readonly delegations: DelegationsService,
    private readonly inventoryService: InventoryService,
    private readonly planner: DelegationPlanner,
    private readonly diagnoser: DiagnoseService,
  ) {}

  @Get('delegations/:target')
  @ApiOperation({ summary: 'Who may delegate to this target now (its RBCD list, decoded)' })
  @ApiOkResponse({ type: DelegationModel, example: DELEGATION_EXAMPLE })
  @ApiErrors(...WITH_PATH_PARAMETER)
  forTarget(@Param('target') target: string, @Query() query: DelegationQueryInput) {
    return this.delegations.forTarget(target, query.domain);
  }

  @Get('delegations')
  @ApiOperation({ summary: 'Where this principal may delegate (directly or through its groups)' })
  @ApiOkResponse({ type: PrincipalDelegationsModel })
  forPrincipal(@Query() query: PrincipalQueryInput) {
    return this.delegations.forPrincipal(query.principal, query.domain);
  }

  @Get('inventory')
  @ApiOperation({ summary: 'Every delegation setting under a base, with risk flags' })
  @ApiOkResponse({ type: InventoryPageModel })
  inventory(@Query() query: InventoryQueryInput) {
    return this.inventoryService.inventory(query);
  }

  @Post('delegations/plan')
  @ReadsOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Before/after of a grant, revoke or clear; writes nothing' })
  @ApiOkResponse({ type: PlanModel })
  @ApiErrors(...WITH_BODY, 422)
  plan(@Body() body: PlanDelegationInput) {
    return this.planner.plan(body);
  }

  @Post('diagnose')
  @ReadsOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Why the double hop user → frontEnd → backEnd would fail' })
  @ApiBody({
    type: DiagnoseInput,
    examples: { doubleHop: { summary: 'alice through SERVERB to SERVERC (SMB)', value: DIAGNOSE_INPUT_EXAMPLE } },
  })
  @ApiOkResponse({ type: DiagnoseModel, description: 'ok is false when any check fails', example: DIAGNOSE_EXAMPLE })
  @ApiErrors(...WITH_BODY)
  diagnose(@Body() body: DiagnoseInput) {
    return this.diagnoser.diagnose(body);
  }
}
