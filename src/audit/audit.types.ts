export const AUDIT_EVENT_TYPES = [
  'request.created',
  'request.denied',
  'request.approval',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.applying',
  'request.applied',
  'request.failed',
  'request.expired',
  'request.revoked',
  'request.revoke-requested',
  'request.rolled-back',
  'request.scheduled',
  'request.extended',
  'request.reminded',
  'request.escalated',
  'request.timed-out',
  'request.breakglass',
  'request.breakglass-escalated',
  'request.reviewed',
  'review.opened',
  'review.decision',
  'review.closed',
  'directory.intent',
  'directory.write',
  'directory.write-failed',
  'directory.adopt',
  'apikey.created',
  'apikey.revoked',
  'drift.detected',
  'webhook.retried',
  'audit.sink-replayed',
] as const;
/** Every event type the service writes: the audit API documents them as an enum. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface NewAuditEvent {
  actor: string;
  type: AuditEventType;
  requestId?: string | null;
  target?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditEventView {
  seq: number;
  id: string;
  at: string;
  actor: string;
  type: string;
  requestId: string | null;
  target: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
