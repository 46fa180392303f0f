import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { PolicyService } from '../policy/policy.service';
import { toSddl } from '../security-descriptor';
import type { DelegationPrincipal, AccountRef } from './delegation.types';
import { DelegationReader, toAccountRef } from './delegation-reader';
import { planRbcdChange, type RbcdAction } from './rbcd-change';
import { mapLimit, TargetExpander, type TargetSearch } from './target-expander';

export interface PlanInput {
  action: RbcdAction;
  targets?: string[];
  targetSearch?: TargetSearch;
  principals?: string[];
}

export interface PlanItem {
  target: AccountRef;
  changed: boolean;
  before: { principals: DelegationPrincipal[] };
  after: { principals: DelegationPrincipal[] };
  sddlBefore: string | null;
  sddlAfter: string | null;
  policy: { allowed: boolean; requiredApprovals: number; reasons: string[] };
  error?: { code: string; message: string };
}

/** What a grant, revoke or clear would do to each target, before and after; writes nothing. */
@Injectable()
export class DelegationPlanner {
  constructor(
    private readonly expander: TargetExpander,
    private readonly reader: DelegationReader,
    private readonly policy: PolicyService,
  ) {}

  async plan(input: PlanInput): Promise<{ items: PlanItem[] }> {
    if (input.action !== 'clear' && !input.principals?.length) {
      throw new DomainError('VALIDATION_FAILED', `principals are required for ${input.action}`);
    }
    const principals = input.action === 'clear' ? [] : await this.expander.principals(input.principals ?? []);
    const targets = await this.expander.targets(input, { withRbcd: true });
    const sids = principals.map((p) => p.sid);
    const refusals = input.action === 'grant' ? principals.flatMap((p) => this.policy.principalRefusal(p) ?? []) : [];
    const items = await mapLimit(targets, 8, async (target): Promise<PlanItem> => {
      const decision = this.policy.evaluate(target);
      const policy = { allowed: decision.allowed && refusals.length === 0, requiredApprovals: decision.requiredApprovals, reasons: [...decision.reasons, ...refusals] };
      const beforeView = await this.reader.view(target);
      const base = { target: toAccountRef(target), policy, before: { principals: beforeView.principals }, sddlBefore: beforeView.sddl };
      try {
        const change = planRbcdChange(input.action, target.rbcd ?? null, sids);
        const afterView = await this.reader.view({ ...target, rbcd: change.next === undefined ? (target.rbcd ?? null) : change.next });
        return { ...base, changed: change.next !== undefined, after: { principals: afterView.principals }, sddlAfter: change.after ? toSddl(change.after) : afterView.sddl };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { ...base, changed: false, after: { principals: beforeView.principals }, sddlAfter: beforeView.sddl, error: { code: error.code, message: error.message } };
      }
    });
    return { items };
  }
}
