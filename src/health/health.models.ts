import { ApiProperty, type ApiPropertyOptions, ApiPropertyOptional } from '@nestjs/swagger';

const CHECK: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
    additionalProperties: true,
  },
  description:
    'Per check (database, directory): up or down, with what was found (the answering DC per domain, or the error)',
  example: {
    database: { status: 'up' },
    directory: { status: 'up', 'contoso.test': { status: 'up', dc: 'ldaps://127.0.0.1:636' } },
  },
};

export class LivenessModel {
  @ApiProperty({ enum: ['ok'] }) status: string;
}

/** What /health/ready answers when ready (the terminus report; not ready is 503 NOT_READY). */
export class ReadinessModel {
  @ApiProperty({ enum: ['ok'] }) status: string;
  @ApiPropertyOptional(CHECK) info?: Record<string, unknown>;
  @ApiPropertyOptional(CHECK) error?: Record<string, unknown>;
  @ApiProperty(CHECK) details: Record<string, unknown>;
}
