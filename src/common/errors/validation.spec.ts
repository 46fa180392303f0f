import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainError } from './domain-error';
import { createValidationPipe } from './validation';

class OptionalQuery {
  @IsOptional()
  @IsString()
  domain?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Max(500)
  limit = 50;
}

class RequiredQuery {
  @IsString()
  principal: string;
}

const query = (metatype: new () => object): ArgumentMetadata => ({ type: 'query', metatype });

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('the global validation pipe', () => {
  it('answers an empty query with a new instance of its class, defaults included, every time', async () => {
    const pipe = createValidationPipe();
    const fullWalk = jest.spyOn(ValidationPipe.prototype, 'transform');
    const first = await pipe.transform({}, query(OptionalQuery));
    expect(fullWalk).toHaveBeenCalledTimes(1);
    const second = await pipe.transform({}, query(OptionalQuery));
    expect(fullWalk).toHaveBeenCalledTimes(1); // the shortcut
    fullWalk.mockRestore();
    expect(first).toBeInstanceOf(OptionalQuery);
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(second).toEqual({ limit: 50 });
    expect(second).not.toBe(first); // never one shared (mutable) object
  });

  it('still validates a query with parameters after an empty one passed', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({}, query(OptionalQuery));
    expect(await pipe.transform({ limit: '7' }, query(OptionalQuery))).toEqual({ limit: 7 });
    expect((await refusal(pipe.transform({ limit: '900' }, query(OptionalQuery)))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(pipe.transform({ other: 'x' }, query(OptionalQuery)))).code).toBe('VALIDATION_FAILED');
  });

  it('refuses an empty query every time when the class requires a parameter', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++) {
      const error = await refusal(pipe.transform({}, query(RequiredQuery)));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({ fields: { principal: [expect.stringContaining('string')] } });
    }
    expect(await pipe.transform({ principal: 'SERVERB$' }, query(RequiredQuery))).toEqual({ principal: 'SERVERB$' });
  });

  it('takes no shortcut for an empty body', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({}, query(RequiredQuery)).catch(() => undefined);
    const body: ArgumentMetadata = { type: 'body', metatype: RequiredQuery };
    expect((await refusal(pipe.transform({}, body))).code).toBe('VALIDATION_FAILED');
    const optionalBody: ArgumentMetadata = { type: 'body', metatype: OptionalQuery };
    expect(await pipe.transform({}, optionalBody)).toEqual({ limit: 50 });
  });
});
