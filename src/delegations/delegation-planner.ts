import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { OwnersService } from '../owners/owners.service';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { PolicyService } from '../policy/policy.service';
import type { PolicyDecision } from '../policy/policy.types';
import { type DirectoryObject, type AccountRef, toAccountRef } from '../directory/directory.types';
import { toSddl } from '../security-descriptor';
import type { DelegationPrincipal, Warning } from './delegation.types';
import { DelegationReader } from './delegation-reader';
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
  policy: { allowed: boolean; requiredApprovals: number; reasons: string[]; owners?: PlanOwners | null };
  /** Allowed, but worth knowing (PRINCIPAL_IS_USER_ACCOUNT). */
  warnings: Warning[];
  error?: { code: string; message: string };
}

/** The owners a target's rule asks an approval from, and who they are. */
export interface PlanOwners {
  required: number;
  others: number;
  owners: { source: string; dn: string; name: string; isGroup: boolean; ou?: string; people: string[] }[];
  noOwner: 'deny' | 'approvers' | null;
  summary: string;
}

/** What a grant, revoke or clear would do to each target, before and after; writes nothing. */
@Injectable()
export class DelegationPlanner {
  constructor(
    private readonly expander: TargetExpander,
    private readonly reader: DelegationReader,
    private readonly policy: PolicyService,
    private readonly owners: OwnersService,
    private readonly guard: BuiltinGuard,
  ) {}

  async plan(input: PlanInput): Promise<{ items: PlanItem[] }> {
    if (input.action !== 'clear' && !input.principals?.length) {
      throw new DomainError('VALIDATION_FAILED', `principals are required for ${input.action}`);
    }
    const principals = input.action === 'clear' ? [] : await this.expander.principals(input.principals ?? []);
    const targets = await this.expander.targets(input, { withRbcd: true });
    const sids = principals.map((p) => p.sid);
    const verdict =
      input.action === 'grant' ? await this.guard.checkPrincipals(principals) : { refusals: [], warnings: [] };
    const refusals = verdict.refusals;
    const items = await mapLimit(targets, 8, async (target): Promise<PlanItem> => {
      const decision = this.policy.evaluate(target, { tier0Group: await this.guard.tier0Membership(target) });
      const owners = input.action === 'clear' ? null : await this.planOwners(target, decision);
      const ownerRefusal = owners?.noOwner === 'deny' ? [`${target.samAccountName}: ${owners.summary}`] : [];
      const policy = {
        allowed: decision.allowed && refusals.length === 0 && ownerRefusal.length === 0,
        requiredApprovals: decision.requiredApprovals,
        reasons: [...decision.reasons, ...refusals, ...ownerRefusal],
        ...(owners ? { owners } : {}),
      };
      const beforeView = await this.reader.view(target);
      const base = {
        target: toAccountRef(target),
        policy,
        warnings: verdict.warnings,
        before: { principals: beforeView.principals },
        sddlBefore: beforeView.sddl,
      };
      try {
        const change = planRbcdChange(input.action, target.rbcd ?? null, sids);
        const afterView = await this.reader.view({
          ...target,
          rbcd: change.next === undefined ? (target.rbcd ?? null) : change.next,
        });
        return {
          ...base,
          changed: change.next !== undefined,
          after: { principals: afterView.principals },
          sddlAfter: change.after ? toSddl(change.after) : afterView.sddl,
        };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return {
          ...base,
          changed: false,
          after: { principals: beforeView.principals },
          sddlAfter: beforeView.sddl,
          error: { code: error.code, message: error.message },
        };
      }
    });
    return { items };
  }

  /** Who owns the target (managedBy, OU owner group) when its rule asks for owner approvals. */
  private async planOwners(target: DirectoryObject, decision: PolicyDecision): Promise<PlanOwners | null> {
    const rule = decision.approvers;
    if (!rule || rule.owners === 0) return null;
    const sources = await this.owners.ownersOf(target);
    const owners = await Promise.all(
      sources.map(async (o) => ({
        source: o.source,
        dn: o.dn,
        name: o.name,
        isGroup: o.isGroup,
        ...(o.ou ? { ou: o.ou } : {}),
        people: await this.owners.people(o),
      })),
    );
    if (owners.length === 0) {
      const noOwner = decision.noOwner ?? 'deny';
      const summary =
        noOwner === 'deny'
          ? 'nobody owns it (no managedBy, no OU owner group) and the policy rule says noOwner: deny'
          : `nobody owns it (no managedBy, no OU owner group): noOwner: approvers, so ${decision.requiredApprovals} approval(s) from any approver`;
      return { required: 0, others: rule.others, owners, noOwner, summary };
    }
    const names = owners
      .map((o) => (o.isGroup ? `${o.name} (${o.people.join(', ') || 'no members'})` : o.name))
      .join('; ');
    const summary = `${rule.owners} approval(s) from an owner (${names})${rule.others ? ` and ${rule.others} more from any approver` : ''}; never the requester`;
    return { required: rule.owners, others: rule.others, owners, noOwner: null, summary };
  }
}
