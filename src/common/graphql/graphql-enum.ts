import { registerEnumType } from '@nestjs/graphql';

/**
 * A GraphQL enum made from one of the project's `as const` lists: each member is both the enum
 * value's name and its value, so the wire format is the same string REST sends. Only for lists
 * whose members are GraphQL names (letters, digits, `_`); audit event types (`request.created`)
 * are not, and stay String fields validated with `@IsIn`.
 */
export function graphqlEnum<T extends string>(values: readonly T[], name: string, description?: string): Record<T, T> {
  const enumObject = Object.fromEntries(values.map((value) => [value, value])) as Record<T, T>;
  registerEnumType(enumObject, { name, description });
  return enumObject;
}
