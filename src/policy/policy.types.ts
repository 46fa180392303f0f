import type { ApproversRule, NoOwnerSetting } from '../config/config.types';
import type { TimeDecision } from './time-policy';

export interface PolicyDecision {
  allowed: boolean;
  /** The matching rule's owner rule: owner approvals per target plus others (requiredApprovals is their sum). */
  approvers?: ApproversRule;
  noOwner?: NoOwnerSetting;
  requiredApprovals: number;
  /** Longest grant the policy allows, in milliseconds. */
  maxDurationMs: number;
  /** Duration used when the request names none. */
  defaultDurationMs: number;
  requireTicket: boolean;
  /** Why the decision is what it is (rule matched, built-in protections). */
  reasons: string[];
  /** Scheduling, extension and pending-request timers (issue 13). */
  time: TimeDecision;
  /** The matching rule's break-glass setting (issue 14), when it has one. */
  breakGlass?: { allowed: boolean; maxDurationMs: number; reviewWithinMs: number };
  /** Index of the matching rule in the configuration, when one matched. */
  rule?: number;
}

/** Who can write a property outside the broker: Tier 0, a service account, the object itself, anyone else. */
export const WRITER_CLASSES = ['tier0', 'service', 'self', 'other'] as const;
export type WriterClass = (typeof WRITER_CLASSES)[number];
