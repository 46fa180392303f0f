import { DomainError } from '../common/errors/domain-error';
import type { RequestStatus } from './request.entity';

/**
 * The state machine of API.md; anything else is INVALID_STATE.
 *
 *   pending ──approve (quorum)──▶ approved ──▶ applying ──▶ applied ──▶ expired | revoked
 *      │                                          ▲   └──▶ failed
 *      ├──approve, startsAt ahead──▶ scheduled ───┘ (at startsAt; policy checked again)
 *      │                                └──▶ cancelled | failed
 *      └──▶ rejected | cancelled | timedOut (pendingTimeout)
 */
const TRANSITIONS: Record<RequestStatus, RequestStatus[]> = {
  pending: ['approved', 'scheduled', 'rejected', 'cancelled', 'timedOut'],
  // approved → applied: an extension merged into its live grant (no directory write).
  approved: ['applying', 'applied', 'failed'],
  scheduled: ['applying', 'cancelled', 'failed'],
  applying: ['applied', 'failed'],
  applied: ['expired', 'revoked'],
  failed: [],
  rejected: [],
  cancelled: [],
  expired: [],
  revoked: [],
  timedOut: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(id: string, from: RequestStatus, to: RequestStatus, verb: string): void {
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_STATE', `Request ${id} is ${from}: it cannot be ${verb}`, {
      status: from,
      wanted: to,
    });
  }
}
