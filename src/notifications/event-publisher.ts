import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { JobQueue } from '../jobs/job-queue.service';

export interface DomainEvent {
  /** request.created, request.approved, request.applied, ..., drift.detected */
  type: string;
  /** A stable id for de-duplication by receivers. */
  id: string;
  at: string;
  data: Record<string, unknown>;
}

/**
 * What the chat channel is told: owners first (their own message), every new request and its
 * reminder, and every decision and step the requester must hear of (the message names them);
 * break-glass loudly, naming every approver.
 */
export const CHAT_EVENTS = [
  'request.owner_approval_needed',
  'request.created',
  'request.reminder',
  'request.approved',
  'request.scheduled',
  'request.rejected',
  'request.applied',
  'request.failed',
  'request.extended',
  'grant.expiring',
  'request.expired',
  'request.timed_out',
  'request.breakglass',
  'request.breakglass.escalated',
];

/**
 * Publishes workflow events durably: one outbox job per configured webhook (and the chat channel)
 * that wants the event, in the caller's transaction, so a committed state change is always announced.
 */
@Injectable()
export class EventPublisher {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sends an event to the escalation target of a policy rule (null: of the defaults). */
  async escalate(manager: EntityManager, event: DomainEvent, rule: number | null): Promise<void> {
    await this.jobs.enqueue(manager, {
      kind: 'webhook',
      requestId: typeof event.data.requestId === 'string' ? event.data.requestId : null,
      payload: { target: 'escalation', rule, event },
      dedupeKey: `escalation:${event.id}`,
    });
  }

  async publish(manager: EntityManager, event: DomainEvent): Promise<void> {
    for (const [index, hook] of this.config.webhooks.entries()) {
      if (!hook.events.includes(event.type)) continue;
      await this.jobs.enqueue(manager, {
        kind: 'webhook',
        requestId: typeof event.data.requestId === 'string' ? event.data.requestId : null,
        payload: { target: 'webhook', index, event },
        dedupeKey: `webhook:${index}:${event.id}`,
      });
    }
    if (this.config.chat.slack?.notifyUrl && CHAT_EVENTS.includes(event.type)) {
      await this.jobs.enqueue(manager, {
        kind: 'webhook',
        requestId: typeof event.data.requestId === 'string' ? event.data.requestId : null,
        payload: { target: 'slack', event },
        dedupeKey: `slack:${event.id}`,
      });
    }
    if (this.config.chat.teams?.events.includes(event.type) && event.data.request) {
      await this.jobs.enqueue(manager, {
        kind: 'webhook',
        requestId: typeof event.data.requestId === 'string' ? event.data.requestId : null,
        payload: { target: 'teams', event },
        dedupeKey: `teams:${event.id}`,
      });
    }
  }
}
