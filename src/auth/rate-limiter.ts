import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { RateLimitRepository } from './rate-limit.repository';

const WINDOW_MS = 60_000;

/** 429: carries Retry-After for the REST filter (and the GraphQL response header set by the guard). */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    limitPerMinute: number,
  ) {
    super(
      'RATE_LIMITED',
      `Too many changes: at most ${limitPerMinute} per minute per caller; retry in ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
        limitPerMinute,
      },
    );
  }
}

/**
 * Changes per identity in a sliding one-minute window, counted in the database, so the limit holds
 * across every replica. Each check runs in one transaction, serialised per identity (an advisory
 * lock on PostgreSQL; SQLite has one writer), and deletes that identity's hits older than the window.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'limits'>,
    private readonly clock: Clock,
    private readonly uow: UnitOfWork,
    private readonly hits: RateLimitRepository,
  ) {}

  /** Counts one change by `identity`, or throws RateLimitedError when the window is full. */
  async consume(identity: string): Promise<void> {
    const limit = this.config.limits.mutationsPerMinute;
    if (limit <= 0) return;
    const now = this.clock.now().getTime();
    const windowStart = new Date(now - WINDOW_MS).toISOString();
    await this.uow.run(async (m) => {
      const recent = await this.hits.hitsInWindow(m, identity, windowStart, limit);
      if (recent.length >= limit) {
        const oldest = Date.parse(recent[0]);
        throw new RateLimitedError(Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)), limit);
      }
      await this.hits.insert(m, identity, new Date(now).toISOString());
    });
  }
}
