import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableProperty } from '../common/openapi/api-nullable-property.decorator';
import { JOB_STATUSES } from '../jobs/job.entity';
import { DELIVERY_TARGETS } from './delivery-target';

export class WebhookDeliveryModel {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DELIVERY_TARGETS }) target: string;
  @ApiProperty({ example: 'request.created' }) eventType: string;
  @ApiProperty({ description: 'Sent as X-RBCD-Event-Id; the same on every retry' }) eventId: string;
  @ApiNullableProperty('string') requestId: string | null;
  @ApiNullableProperty('string', { description: 'Without credentials' }) url: string | null;
  @ApiProperty({ enum: JOB_STATUSES }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiNullableProperty('string') lastError: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the next attempt is due (queued) or was made' }) runAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class WebhookDeliveryPageModel {
  @ApiProperty({ type: WebhookDeliveryModel, isArray: true }) items: WebhookDeliveryModel[];
}
