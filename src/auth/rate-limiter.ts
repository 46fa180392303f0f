import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';

const WINDOW_MS = 60_000;
/** Identities are swept from memory once this many are tracked (only their stale entries go). */
const SWEEP_AT = 10_000;

/** 429: carries Retry-After for the REST filter (and the GraphQL response header set by the guard). */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number, limitPerMinute: number) {
    super('RATE_LIMITED', `Too many changes: at most ${limitPerMinute} per minute per caller; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
      limitPerMinute,
    });
  }
}

/**
 * Mutations per identity in a sliding one-minute window, in memory (per process: with several
 * replicas the effective limit is per replica, which is enough to stop a runaway client).
 */
@Injectable()
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'limits'>,
    private readonly clock: Clock,
  ) {}

  /** Counts one mutation by `identity`, or throws RateLimitedError when the window is full. */
  consume(identity: string): void {
    const limit = this.config.limits.mutationsPerMinute;
    if (limit <= 0) return;
    const now = this.clock.now().getTime();
    const recent = (this.hits.get(identity) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= limit) {
      this.hits.set(identity, recent);
      throw new RateLimitedError(Math.max(1, Math.ceil((recent[0] + WINDOW_MS - now) / 1000)), limit);
    }
    recent.push(now);
    this.hits.set(identity, recent);
    if (this.hits.size > SWEEP_AT) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [identity, times] of this.hits) {
      if (times[times.length - 1] <= now - WINDOW_MS) this.hits.delete(identity);
    }
  }
}
