import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AUTHENTICATED, CHANGE, WITH_PATH_PARAMETER } from '../common/openapi/api-errors.decorator';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/roles';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';
import { DELIVERY_TARGETS } from './delivery-target';

const STATUSES = ['queued', 'running', 'done', 'failed'] as const;

export class WebhookDeliveriesQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class WebhookDeliveryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DELIVERY_TARGETS }) target: string;
  @ApiProperty({ example: 'request.created' }) eventType: string;
  @ApiProperty({ description: 'Sent as X-RBCD-Event-Id; the same on every retry' }) eventId: string;
  @ApiNullableProperty('string') requestId: string | null;
  @ApiNullableProperty('string', { description: 'Without credentials' }) url: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiNullableProperty('string') lastError: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the next attempt is due (queued) or was made' }) runAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: WebhookDeliveryDto, isArray: true }) items: WebhookDeliveryDto[];
}

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(...AUTHENTICATED, 400)
@Roles('admin')
@Controller('webhooks')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'Outbound webhook and chat deliveries with their attempts (admin)' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  list(@Query() query: WebhookDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a failed delivery (retries exhausted) again (admin)' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiErrors(...WITH_PATH_PARAMETER, 404, 409, ...CHANGE)
  retry(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() caller: Principal) {
    return this.deliveries.retry(id, caller);
  }
}
