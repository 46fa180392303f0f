import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { UnitOfWork } from '../../database/unit-of-work';
import { JobHandlers } from '../../jobs/job-handlers';
import { JobQueue } from '../../jobs/job-queue.service';
import type { JobEntity } from '../../jobs/job.entity';
import { EventPublisher } from '../../notifications/event-publisher';
import { RequestLifecycle } from '../request-lifecycle';
import type { TimerPayload } from '../../timers/timer.types';
import { canTransition } from '../request-state';
import type { RequestEntity } from '../request.entity';
import { RequestRepository } from '../request.repository';

/**
 * Fires a request's timers (jobs of kind `timer`). Each runs in one transaction that also marks its
 * job done while this worker still holds the lease: a timer whose lease ran out and was taken over
 * changes nothing here, so every reminder, escalation, time-out and expiry notice happens once
 * across replicas. A timer whose moment has passed (the request was decided, the grant extended)
 * does nothing.
 */
@Injectable()
export class TimerHandler implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly requests: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly jobs: JobQueue,
    private readonly handlers: JobHandlers,
    private readonly events: EventPublisher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Every failure (a database that was busy) is worth another attempt: a timer changes nothing twice.
    this.handlers.register('timer', (job) => this.fire(job), { retryable: () => true });
  }

  async fire(job: JobEntity): Promise<void> {
    const payload = job.payload as unknown as TimerPayload;
    await this.uow.run(async (m) => {
      const request = await this.requests.lock(m, job.requestId ?? '');
      if (!(await this.jobs.completeIfHeld(job, m))) return;
      if (!request) return;
      switch (payload.timer) {
        case 'remind':
          return this.remind(m, request);
        case 'escalate':
          return this.escalate(m, request, payload.rule ?? null);
        case 'timeout':
          return this.timeOut(m, request);
        case 'expiring':
          return this.expiring(m, request, payload);
      }
    });
  }

  private async remind(m: EntityManager, request: RequestEntity): Promise<void> {
    if (request.status !== 'pending') return;
    await this.audit.append(m, { actor: 'system', type: 'request.reminded', requestId: request.id });
    await this.lifecycle.announce(m, request, 'request.reminder');
  }

  private async escalate(m: EntityManager, request: RequestEntity, rule: number | null): Promise<void> {
    if (request.status !== 'pending') return;
    await this.audit.append(m, { actor: 'system', type: 'request.escalated', requestId: request.id });
    const event = await this.lifecycle.announce(m, request, 'request.escalated');
    await this.events.escalate(m, event, rule);
  }

  /** pending → timedOut: nobody decided within the policy's pendingTimeout. */
  private async timeOut(m: EntityManager, request: RequestEntity): Promise<void> {
    if (!canTransition(request.status, 'timedOut')) return;
    await this.lifecycle.transition(
      m,
      request,
      'timedOut',
      { actor: 'system', audit: 'request.timed-out', event: 'request.timed_out' },
      { closedAt: this.clock.nowIso() },
    );
  }

  /** `grant.expiring` for one lead, while the grant still ends when this timer was set for. */
  private async expiring(m: EntityManager, request: RequestEntity, payload: TimerPayload): Promise<void> {
    if (request.status !== 'applied' || request.expiresAt !== payload.expiresAt) return;
    await this.lifecycle.announce(
      m,
      request,
      'grant.expiring',
      { lead: payload.lead, expiresAt: payload.expiresAt },
      `${payload.lead}:${payload.expiresAt}`,
    );
  }
}
