import type { Clock } from '../common/clock';
import { RateLimitedError, RateLimiter } from './rate-limiter';

class FakeClock {
  ms = Date.parse('2026-01-01T00:00:00Z');
  now() {
    return new Date(this.ms);
  }
  nowIso() {
    return this.now().toISOString();
  }
}

function limiter(perMinute: number, clock = new FakeClock()) {
  return { clock, limiter: new RateLimiter({ limits: { maxTargets: 1, mutationsPerMinute: perMinute } }, clock as unknown as Clock) };
}

function refusal(fn: () => void): RateLimitedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
  throw new Error('expected RATE_LIMITED');
}

describe('RateLimiter (sliding minute per identity)', () => {
  it('allows the limit, then refuses with the seconds until the oldest call leaves the window', () => {
    const { clock, limiter: rl } = limiter(3);
    rl.consume('a');
    clock.ms += 20_000;
    rl.consume('a');
    rl.consume('a');
    const error = refusal(() => rl.consume('a'));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(40);
    expect(error.details).toEqual({ retryAfterSeconds: 40, limitPerMinute: 3 });
  });

  it('slides: a call is allowed again once the oldest one is a minute old', () => {
    const { clock, limiter: rl } = limiter(2);
    rl.consume('a');
    clock.ms += 30_000;
    rl.consume('a');
    expect(() => rl.consume('a')).toThrow(RateLimitedError);
    clock.ms += 30_001;
    expect(() => rl.consume('a')).not.toThrow();
    expect(() => rl.consume('a')).toThrow(RateLimitedError);
  });

  it('counts each identity on its own, and refused calls do not extend the wait', () => {
    const { clock, limiter: rl } = limiter(1);
    rl.consume('a');
    rl.consume('b');
    expect(() => rl.consume('a')).toThrow(RateLimitedError);
    clock.ms += 59_000;
    expect(refusal(() => rl.consume('a')).retryAfterSeconds).toBe(1);
    clock.ms += 1_001;
    expect(() => rl.consume('a')).not.toThrow();
  });

  it('is off at 0', () => {
    const { limiter: rl } = limiter(0);
    for (let i = 0; i < 1000; i++) rl.consume('a');
  });
});
