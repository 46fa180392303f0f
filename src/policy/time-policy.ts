import { parseIsoDuration } from '../common/iso-duration';
import type { PolicyConfig, PolicyRule, TimePolicy } from '../config/config.types';

/** A rule's time settings with the defaults filled in, in milliseconds (null: not configured). */
export interface TimeDecision {
  /** How far ahead `startsAt` may be (default 30 days). */
  maxLeadTimeMs: number;
  /** Longest a grant may run from its apply with every extension (default: maxDuration). */
  maxTotalDurationMs: number;
  /** Extensions approved without a human, per grant (default 0). */
  autoApproveExtensions: number;
  remindAfterMs: number | null;
  escalateAfterMs: number | null;
  /** Whether an escalation target is configured (looked up again from the rule when it fires). */
  escalates: boolean;
  pendingTimeoutMs: number | null;
}

const DEFAULT_MAX_LEAD_TIME = 'P30D';

function ms(value: string | undefined): number | null {
  return value ? (parseIsoDuration(value) ?? null) : null;
}

export function resolveTimePolicy(
  rule: PolicyRule | undefined,
  defaults: PolicyConfig['defaults'],
  maxDurationMs: number,
): TimeDecision {
  const pick = <K extends keyof TimePolicy>(key: K): TimePolicy[K] => rule?.[key] ?? defaults[key];
  return {
    maxLeadTimeMs: ms(pick('maxLeadTime') ?? DEFAULT_MAX_LEAD_TIME) as number,
    maxTotalDurationMs: ms(pick('maxTotalDuration')) ?? maxDurationMs,
    autoApproveExtensions: pick('autoApproveExtensions') ?? 0,
    remindAfterMs: ms(pick('remindAfter')),
    escalateAfterMs: pick('escalateTo') ? ms(pick('escalateAfter')) : null,
    escalates: pick('escalateTo') !== undefined,
    pendingTimeoutMs: ms(pick('pendingTimeout')),
  };
}

/** The strictest of several targets' settings: a request is as patient as its least patient target. */
export function strictest(decisions: TimeDecision[]): TimeDecision {
  const least = (values: (number | null)[]) => {
    const set = values.filter((v): v is number => v !== null);
    return set.length ? Math.min(...set) : null;
  };
  return {
    maxLeadTimeMs: Math.min(...decisions.map((d) => d.maxLeadTimeMs)),
    maxTotalDurationMs: Math.min(...decisions.map((d) => d.maxTotalDurationMs)),
    autoApproveExtensions: Math.min(...decisions.map((d) => d.autoApproveExtensions)),
    remindAfterMs: least(decisions.map((d) => d.remindAfterMs)),
    escalateAfterMs: least(decisions.map((d) => d.escalateAfterMs)),
    escalates: decisions.some((d) => d.escalates),
    pendingTimeoutMs: least(decisions.map((d) => d.pendingTimeoutMs)),
  };
}

/** The escalation target of the rule a request matched (or of the defaults). */
export function escalationTarget(policy: PolicyConfig, rule: number | null) {
  return (rule !== null ? policy.rules[rule]?.escalateTo : undefined) ?? policy.defaults.escalateTo;
}
