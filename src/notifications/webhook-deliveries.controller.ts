import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AUTHENTICATED, CHANGE, WITH_PATH_PARAMETER } from '../common/openapi/api-errors.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDeliveriesQueryInput } from './webhook-deliveries.inputs';
import { WebhookDeliveryModel, WebhookDeliveryPageModel } from './webhook-delivery.models';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400)
@Roles('admin')
@Controller('webhooks')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'Outbound webhook and chat deliveries with their attempts (admin)' })
  @ApiOkResponse({ type: WebhookDeliveryPageModel })
  list(@Query() query: WebhookDeliveriesQueryInput) {
    return this.deliveries.list(query);
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a failed delivery (retries exhausted) again (admin)' })
  @ApiOkResponse({ type: WebhookDeliveryModel })
  @ApiErrors(...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  retry(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() caller: Principal) {
    return this.deliveries.retry(id, caller);
  }
}
