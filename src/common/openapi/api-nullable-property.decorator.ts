import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';

type Scalar = 'string' | 'integer' | 'number' | 'boolean';

export interface NullablePropertyOptions {
  description?: string;
  example?: unknown;
  /** JSON Schema format of a scalar (date-time, uuid, uri ...). */
  format?: string;
  enum?: readonly string[];
  isArray?: boolean;
  /** Present in every answer (default), or left out when it has no value. */
  required?: boolean;
}

/**
 * A field that may be null, in OpenAPI 3.1 terms: `oneOf: [<type>, {type: null}]`. (3.0's
 * `nullable: true` next to a `$ref` leaves null refused by strict validators, and 3.1 has no
 * `nullable` keyword at all.) A model type is registered with the spec, so its `$ref` resolves.
 */
export function ApiNullableProperty(
  type: Scalar | Type<unknown>,
  options: NullablePropertyOptions = {},
): PropertyDecorator {
  const { description, example, format, isArray, required = true } = options;
  const base: Record<string, unknown> =
    typeof type === 'string'
      ? { type, ...(format ? { format } : {}), ...(options.enum ? { enum: [...options.enum] } : {}) }
      : { $ref: getSchemaPath(type) };
  const schema = isArray ? { type: 'array', items: base } : base;
  const property = ApiProperty({
    required,
    ...(description ? { description } : {}),
    ...(example !== undefined ? { example } : {}),
    oneOf: [schema, { type: 'null' }],
  });
  if (typeof type === 'string') return property;
  return applyDecorators(property, (target: object) => ApiExtraModels(type)(target.constructor));
}
