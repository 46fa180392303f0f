import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { parseIsoDuration } from '../common/iso-duration';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { JobQueue } from '../jobs/job-queue.service';
import type { TimeDecision } from '../policy/time-policy';
import type { TimerKind, TimerPayload } from './timer.types';

interface TimedRequest {
  id: string;
  createdAt: string;
  expiresAt: string | null;
}

/**
 * Sets a request's timers: durable jobs (kind `timer`) due when they fire, written in the caller's
 * transaction. The job id comes from the request, the timer and its moment, so a timer is set once
 * however often (or by however many replicas) it is asked for; the queue leases each to one worker.
 */
@Injectable()
export class RequestTimers {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Reminder, escalation and time-out of a new pending request (those the policy configures). */
  async pending(m: EntityManager, request: TimedRequest, time: TimeDecision, rule: number | null): Promise<void> {
    const created = Date.parse(request.createdAt);
    const timers: [TimerKind, number | null][] = [
      ['remind', time.remindAfterMs],
      ['escalate', time.escalateAfterMs],
      ['timeout', time.pendingTimeoutMs],
    ];
    for (const [timer, after] of timers) {
      if (after === null) continue;
      await this.set(m, request.id, { timer, ...(timer === 'escalate' ? { rule } : {}) }, new Date(created + after));
    }
  }

  /** `grant.expiring` at each configured lead before the grant's current expiry (leads already past: none). */
  async expiring(m: EntityManager, request: TimedRequest, now: Date): Promise<void> {
    if (!request.expiresAt) return;
    const expires = Date.parse(request.expiresAt);
    for (const lead of this.config.notifications.expiringLeads) {
      const at = expires - (parseIsoDuration(lead) as number);
      if (at <= now.getTime()) continue;
      await this.set(m, request.id, { timer: 'expiring', lead, expiresAt: request.expiresAt }, new Date(at));
    }
  }

  private async set(m: EntityManager, requestId: string, payload: TimerPayload, runAt: Date): Promise<void> {
    const moment = payload.timer === 'expiring' ? `:${payload.lead}:${payload.expiresAt}` : '';
    await this.jobs.enqueue(m, {
      kind: 'timer',
      requestId,
      payload: payload as unknown as Record<string, unknown>,
      dedupeKey: `timer:${payload.timer}:${requestId}${moment}`,
      runAt,
    });
  }
}
