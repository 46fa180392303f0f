import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/roles';
import { Roles } from '../auth/roles.decorator';
import {
  ApiErrors,
  AUTHENTICATED,
  CHANGE,
  DIRECTORY,
  WITH_BODY,
  WITH_PATH_PARAMETER,
} from '../common/openapi/api-errors.decorator';
import { BreakGlassInput, ReviewInput } from '../requests/inputs/request.inputs';
import { RequestModel } from '../requests/models/request.model';
import { BreakGlassService } from './breakglass.service';

@ApiTags('break-glass')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400)
@Controller()
export class BreakGlassController {
  constructor(private readonly breakGlass: BreakGlassService) {}

  @Post('breakglass')
  @Roles('breakglass')
  @ApiOperation({
    summary:
      'Emergency grant: applies at once without approvals where a policy rule allows break-glass (never Tier 0); every approver is told, and it must be reviewed afterwards',
  })
  @ApiCreatedResponse({
    type: RequestModel,
    description: 'Filed approved (emergency: true); the worker applies it now',
  })
  @ApiErrors(...WITH_BODY, ...DIRECTORY, 422, ...CHANGE)
  file(@Body() body: BreakGlassInput, @CurrentPrincipal() caller: Principal) {
    return this.breakGlass.file(body, caller);
  }

  @Post('requests/:id/review')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary:
      'Post-hoc review of a break-glass request (never by its requester): confirm keeps it, revoke ends the grant',
  })
  @ApiOkResponse({ type: RequestModel })
  @ApiErrors(...WITH_BODY, ...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  review(@Param('id') id: string, @Body() body: ReviewInput, @CurrentPrincipal() caller: Principal) {
    return this.breakGlass.review(id, caller, body.outcome, body.comment);
  }
}
