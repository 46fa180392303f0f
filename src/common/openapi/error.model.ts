import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS } from '../errors/error-codes';

/** Every code of the contract, from the one `as const` table the code maps errors with. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[];

export class ErrorDetailModel {
  @ApiProperty({
    enum: ERROR_CODES,
    example: 'TARGET_NOT_FOUND',
    description: 'Stable code; the HTTP status follows from it',
  })
  code: string;

  @ApiProperty({ example: 'No computer named SERVERX in contoso.test', description: 'Safe to show to the caller' })
  message: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Structured context (e.g. fields of a failed validation)',
  })
  details?: Record<string, unknown>;
}

/** The body of every REST error: {"error": {code, message, details?}}. */
export class ErrorModel {
  @ApiProperty({ type: ErrorDetailModel }) error: ErrorDetailModel;
}
