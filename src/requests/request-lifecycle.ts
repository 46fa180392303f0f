import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditEventType } from '../audit/audit.types';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { type DomainEvent, EventPublisher } from '../notifications/event-publisher';
import { requestEvent } from './request-events';
import type { RequestEntity, RequestStatus } from './request.entity';
import { type RequestChanges, RequestRepository } from './request.repository';
import { assertTransition } from './request-state';

/** What a status change records: its audit event and the domain event it announces. */
export interface TransitionRecord {
  /** Who made the change (the audit event's actor). */
  actor: string;
  /** The audit event's type. */
  audit: AuditEventType;
  /** The audit event's data. */
  data?: Record<string, unknown>;
  /** The domain event's type (default: the audit event's type); null: the change announces none. */
  event?: string | null;
  /** Fields the domain event carries next to the request. */
  eventData?: Record<string, unknown>;
}

/**
 * The one way a request's status changes, in the caller's transaction: the state machine is
 * checked, the row is written only if it is still in the status it was read in (with updatedAt),
 * the audit event is appended and the domain event published. Other fields of a request change
 * through RequestRepository.update.
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly rows: RequestRepository,
    private readonly audit: AuditService,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  async transition(
    m: EntityManager,
    request: RequestEntity,
    to: RequestStatus,
    record: TransitionRecord,
    changes: RequestChanges = {},
  ): Promise<void> {
    const from = request.status;
    assertTransition(request.id, from, to, to);
    if (!(await this.rows.updateStatus(m, request, from, to, changes)))
      throw new DomainError('INVALID_STATE', `Request ${request.id} is no longer ${from}: it cannot be ${to}`, {
        status: from,
        wanted: to,
      });
    await this.audit.append(m, {
      actor: record.actor,
      type: record.audit,
      requestId: request.id,
      ...(record.data ? { data: record.data } : {}),
    });
    const event = record.event === undefined ? record.audit : record.event;
    if (event) await this.announce(m, request, event, record.eventData);
  }

  /**
   * Publishes a domain event of the request without a status change (created, reminders, reviews,
   * expiry notices); returns it. `idSuffix` keeps repeated events of one type apart.
   */
  async announce(
    m: EntityManager,
    request: RequestEntity,
    type: string,
    extra: Record<string, unknown> = {},
    idSuffix?: string,
  ): Promise<DomainEvent> {
    const event = requestEvent(type, request, this.clock.nowIso(), extra, idSuffix);
    await this.events.publish(m, event);
    return event;
  }
}
