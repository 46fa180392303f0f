import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from './domain-error';

function flatten(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) Object.assign(out, flatten(e.children, path));
  }
  return out;
}

type QueryClass = new () => object;

function isEmptyPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** The same own properties with the same values (what a transformed empty query holds vs a new instance). */
function sameOwnValues(a: object, b: object): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k])
  );
}

/**
 * ValidationPipe with one shortcut: a query string with no parameters (the common read, e.g.
 * GET /delegations/{target}) gives the same answer every time for a given query class. It is
 * validated in full the first time; when that passes and yields just a new instance of the class,
 * later empty queries of that class get a new instance without the walk (class-transformer and
 * class-validator were a few per cent of a read's CPU). Any parameter, body or argument: in full.
 */
export class GlobalValidationPipe extends ValidationPipe {
  private readonly emptyQueryAccepted = new WeakSet<QueryClass>();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as QueryClass | undefined;
    if (metadata.type !== 'query' || typeof metatype !== 'function' || !isEmptyPlainObject(value))
      return super.transform(value, metadata);
    if (this.emptyQueryAccepted.has(metatype)) return new metatype();
    const result: unknown = await super.transform(value, metadata);
    if (result instanceof metatype && sameOwnValues(result, new metatype())) this.emptyQueryAccepted.add(metatype);
    return result;
  }
}

/** The global ValidationPipe: unknown fields refused, values transformed, failures as VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new GlobalValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const first = Object.entries(fields)[0];
      const message = first ? `${first[0]}: ${first[1][0]}` : 'Invalid input';
      return new DomainError('VALIDATION_FAILED', message, { fields });
    },
  });
}
