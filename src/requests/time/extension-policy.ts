import type { TimeDecision } from '../../policy/time-policy';
import type { RequestEntity } from '../request.entity';
import { describeMs } from './schedule';

/** The grant an extension request extends, and what the policy needs to know about its extensions. */
export interface ExtensionOf {
  original: RequestEntity;
  /** Extensions of this grant approved without a human so far. */
  priorAutoApproved: number;
  /** The caller filed the grant (or it was filed for them): only then may an extension approve itself. */
  mayAutoApprove: boolean;
}

/**
 * Whether an extension by `durationMs` stays within maxTotalDuration (counted from the grant's apply
 * to its new expiry, which the extension moves from the current expiry, or from now once that has
 * passed), and whether it approves itself (autoApproveExtensions: up to N per grant).
 */
export function extensionVerdict(
  extension: ExtensionOf,
  durationMs: number,
  time: TimeDecision,
  now: Date,
): { reasons: string[]; autoApprove: boolean; expiresAt: Date } {
  const { original } = extension;
  const from = Math.max(original.expiresAt ? Date.parse(original.expiresAt) : now.getTime(), now.getTime());
  const expiresAt = new Date(from + durationMs);
  const start = original.appliedAt ? Date.parse(original.appliedAt) : now.getTime();
  const total = expiresAt.getTime() - start;
  const reasons =
    total > time.maxTotalDurationMs
      ? [
          `with this extension the grant would run ${describeMs(total)} in all, more than the policy's maxTotalDuration of ${describeMs(time.maxTotalDurationMs)}`,
        ]
      : [];
  const autoApprove =
    reasons.length === 0 && extension.mayAutoApprove && extension.priorAutoApproved < time.autoApproveExtensions;
  return { reasons, autoApprove, expiresAt };
}
