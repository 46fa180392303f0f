// The limiter on a real (in-memory SQLite) database with the real migrations; the scale-out test
// runs it on PostgreSQL across two replicas.
import { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { buildDataSourceOptions } from '../database/data-source-options';
import { UnitOfWork } from '../database/unit-of-work';
import { RateLimitedError, RateLimiter } from './rate-limiter';
import { RateLimitRepository } from './rate-limit.repository';

class FakeClock {
  ms = Date.parse('2026-01-01T00:00:00Z');
  now() {
    return new Date(this.ms);
  }
  nowIso() {
    return this.now().toISOString();
  }
}

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = new DataSource(buildDataSourceOptions({ type: 'sqlite', path: ':memory:' }));
  await dataSource.initialize();
  await dataSource.runMigrations();
});

afterAll(async () => {
  await dataSource.destroy();
});

beforeEach(async () => {
  await dataSource.query('DELETE FROM rate_limit_hits');
});

function limiter(perMinute: number, clock = new FakeClock()) {
  const uow = new UnitOfWork(dataSource);
  return {
    clock,
    limiter: new RateLimiter(
      { limits: { maxTargets: 1, mutationsPerMinute: perMinute } },
      clock as unknown as Clock,
      uow,
      new RateLimitRepository(uow),
    ),
  };
}

async function refusal(attempt: Promise<void>): Promise<RateLimitedError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof RateLimitedError) return error;
  throw error ?? new Error('expected RATE_LIMITED');
}

describe('RateLimiter (sliding minute per identity, in the database)', () => {
  it('allows the limit, then refuses with the seconds until the oldest call leaves the window', async () => {
    const { clock, limiter: rl } = limiter(3);
    await rl.consume('a');
    clock.ms += 20_000;
    await rl.consume('a');
    await rl.consume('a');
    const error = await refusal(rl.consume('a'));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(40);
    expect(error.details).toEqual({ retryAfterSeconds: 40, limitPerMinute: 3 });
  });

  it('slides: a call is allowed again once the oldest one is a minute old', async () => {
    const { clock, limiter: rl } = limiter(2);
    await rl.consume('a');
    clock.ms += 30_000;
    await rl.consume('a');
    await expect(rl.consume('a')).rejects.toThrow(RateLimitedError);
    clock.ms += 30_001;
    await rl.consume('a');
    await expect(rl.consume('a')).rejects.toThrow(RateLimitedError);
  });

  it('counts each identity on its own, and refused calls do not extend the wait', async () => {
    const { clock, limiter: rl } = limiter(1);
    await rl.consume('a');
    await rl.consume('b');
    await expect(rl.consume('a')).rejects.toThrow(RateLimitedError);
    clock.ms += 59_000;
    expect((await refusal(rl.consume('a'))).retryAfterSeconds).toBe(1);
    clock.ms += 1_001;
    await rl.consume('a');
  });

  it('is off at 0', async () => {
    const { limiter: rl } = limiter(0);
    for (let i = 0; i < 200; i++) await rl.consume('a');
    expect(await dataSource.query('SELECT COUNT(*) AS n FROM rate_limit_hits')).toEqual([{ n: 0 }]);
  });

  it('keeps only the hits inside the window (older ones are deleted as it goes)', async () => {
    const { clock, limiter: rl } = limiter(5);
    for (let i = 0; i < 3; i++) await rl.consume('a');
    clock.ms += 61_000;
    await rl.consume('a');
    expect(await dataSource.query("SELECT COUNT(*) AS n FROM rate_limit_hits WHERE identity = 'a'")).toEqual([
      { n: 1 },
    ]);
  });
});
