import type { Transact } from '../database/target-lock';
import { storedSddl } from '../delegations/delegation-reader';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import type { NewIntent } from '../directory-writes/directory-intent.repository';
import { type DirectoryWrites, fromBase64 } from '../directory-writes/directory-writes';
import type { AccountRef, CasResult } from '../directory/directory.types';
import type { TargetResult } from '../requests/request.entity';

/** A write on one target: its intent, and whether an earlier (crashed) attempt made it. */
export interface GrantPlan {
  intent: DirectoryIntentEntity;
  resumed: boolean;
}

export function sameValue(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** The target's result and the fields of its `directory.write` event (SDDL before and after). */
export function writeOutcome(
  target: AccountRef,
  action: 'grant' | 'revoke',
  principals: string[],
  cas: CasResult,
  at: string,
  plan: GrantPlan,
): { result: TargetResult; data: Record<string, unknown> } {
  const done = action === 'grant' ? 'applied' : 'removed';
  // A resumed write compares with the value before its first attempt (that attempt may have written).
  const before = plan.resumed ? fromBase64(plan.intent.valueBefore) : cas.before;
  const changed = plan.resumed ? !sameValue(before, cas.after) : cas.changed;
  const result: TargetResult = {
    target,
    status: changed ? done : 'unchanged',
    sddlBefore: storedSddl(before),
    sddlAfter: storedSddl(cas.after),
    at,
  };
  return {
    result,
    data: {
      action,
      changed,
      principals,
      sddlBefore: result.sddlBefore,
      sddlAfter: result.sddlAfter,
      attempts: cas.attempts,
      ...(plan.resumed ? { resumed: true } : {}),
    },
  };
}

/**
 * The intent a removal on one target works under: the one an interrupted run left (its ACEs are
 * ours to finish), or a new one committed before the write.
 */
export async function planRemoval(
  writes: DirectoryWrites,
  tx: Transact,
  earlier: DirectoryIntentEntity | undefined,
  intent: NewIntent,
): Promise<GrantPlan> {
  if (earlier) return { intent: earlier, resumed: true };
  const [announced] = await tx((m) => writes.announce(m, [intent]));
  return { intent: announced, resumed: false };
}
