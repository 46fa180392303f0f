import type { DomainEvent } from '../notifications/event-publisher';
import type { RequestEntity } from './request.entity';
import { toRequestView } from './request.view';

/**
 * A request's workflow event: who asked and for whom travel with every event (webhooks and chat
 * tell the requester of every decision). `idSuffix` keeps repeated events of one kind apart
 * (one `grant.expiring` per lead and expiry).
 */
export function requestEvent(
  type: string,
  request: RequestEntity,
  at: string,
  extra: Record<string, unknown> = {},
  idSuffix?: string,
): DomainEvent {
  return {
    type,
    id: `${type}:${request.id}${idSuffix ? `:${idSuffix}` : ''}`,
    at,
    data: {
      requestId: request.id,
      requester: { id: request.requester, name: request.requesterName, person: request.requesterPerson ?? null },
      requestedFor: request.requestedFor
        ? { id: request.requestedFor, person: request.requestedForPerson ?? null }
        : null,
      ...extra,
      request: toRequestView(request, []),
    },
  };
}
