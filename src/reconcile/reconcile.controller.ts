import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AUTHENTICATED, CHANGE } from '../common/openapi/api-errors.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import { ReconcileReportModel } from './reconcile.models';
import { Reconciler } from './reconciler.service';

@ApiTags('reconcile')
@ApiBearerAuth()
@Controller('reconcile')
export class ReconcileController {
  constructor(private readonly reconciler: Reconciler) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Compare the directory with the active grants now; drift is audited and announced (drift.detected)',
  })
  @ApiOkResponse({ type: ReconcileReportModel })
  @ApiErrors(...AUTHENTICATED, ...CHANGE)
  run(@CurrentPrincipal() caller: Principal) {
    return this.reconciler.reconcile(caller.id);
  }
}
