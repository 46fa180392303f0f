/**
 * What a timer job (kind `timer`) does when it fires. `remind`, `escalate` and `timeout` act on a
 * request still pending; `expiring` announces an applied grant's coming expiry. A scheduled start is
 * not a timer of its own: it is the request's `apply` job, due at startsAt.
 */
export const TIMER_KINDS = ['remind', 'escalate', 'timeout', 'expiring'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export interface TimerPayload {
  timer: TimerKind;
  /** `expiring`: the lead (ISO 8601) and the expiry it was set for (an extension sets new ones). */
  lead?: string;
  expiresAt?: string;
  /** `escalate`: the policy rule the request matched (null: the defaults), to find escalateTo when it fires. */
  rule?: number | null;
}
