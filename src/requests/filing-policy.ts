import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { parseIsoDuration } from '../common/iso-duration';
import type { TargetSearch } from '../delegations/target-expander';
import type { DirectoryObject } from '../directory/directory.types';
import type { OwnerRequirement, TargetOwners } from '../owners/owner.types';
import { OwnersService } from '../owners/owners.service';
import type { Person } from '../persons/person';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { neverTargetReason, PolicyService, protectedReason } from '../policy/policy.service';
import type { PolicyDecision } from '../policy/policy.types';
import { strictest } from '../policy/time-policy';
import { StandingService } from '../standing/standing.service';
import type { RequestAction } from './request.entity';
import { readStartsAt } from './time/schedule';

export interface CreateRequestInput {
  action: RequestAction;
  targets?: string[];
  targetSearch?: TargetSearch;
  principals: string[];
  justification: string;
  ticket?: { system: string; id: string; url?: string };
  duration?: string;
  expiresAt?: string;
  /** A grant applied later (status `scheduled` once approved); its duration counts from the real apply. */
  startsAt?: string;
  requestedFor?: string;
  /** adopt: no expiry; the entries stay managed until revoked (access reviews look at them again). */
  standing?: boolean;
  /** Break-glass (issue 14): applies at once without approvals; filed through BreakGlassService. */
  emergency?: boolean;
  /** adopt (filed by an access review's keep): when the adopted entries are to be reviewed again. */
  nextReviewAt?: string;
}

/**
 * What policy says of a new request before it is filed: the built-in guard, the rules of each
 * target (approvals, durations, tickets, time), the owners who must approve, and for an adoption
 * that its entries are standing ones. Reads the directory; writes nothing.
 */
@Injectable()
export class FilingPolicy {
  constructor(
    private readonly policy: PolicyService,
    private readonly guard: BuiltinGuard,
    private readonly owners: OwnersService,
    private readonly standing: StandingService,
  ) {}

  /** What the built-in policy needs from the directory: principal refusals, targets' Tier 0 groups. */
  async builtinFacts(action: RequestAction, targets: DirectoryObject[], principals: DirectoryObject[]) {
    if (action === 'revoke') return { refusals: [] as string[], tier0Groups: new Map<string, string | undefined>() };
    const verdict = await this.guard.checkPrincipals(principals);
    const tier0Groups = new Map<string, string | undefined>();
    for (const target of targets) tier0Groups.set(target.sid, await this.guard.tier0Membership(target));
    return { refusals: verdict.refusals, tier0Groups };
  }

  decide(
    input: CreateRequestInput,
    targets: DirectoryObject[],
    facts: { refusals: string[]; tier0Groups: Map<string, string | undefined> },
    now: Date,
  ) {
    const decisions = targets.map((t) => ({
      target: t,
      decision: this.policy.evaluate(t, { tier0Group: facts.tier0Groups.get(t.sid) }),
    }));
    const reasons: string[] = [];
    let allowed = true;
    // An adoption is judged as a grant of the same entries: adopting must not launder an entry that
    // policy would refuse into a sanctioned one (remove it instead).
    const grantLike = input.action === 'grant' || input.action === 'adopt';
    if (grantLike) {
      if (facts.refusals.length) {
        allowed = false;
        reasons.push(...facts.refusals);
      }
      for (const { target, decision } of decisions) {
        if (!decision.allowed) {
          allowed = false;
          reasons.push(`${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`);
        }
      }
    }
    const requiredApprovals = Math.max(...decisions.map((d) => d.decision.requiredApprovals));
    const time = strictest(decisions.map((d) => d.decision.time));
    const timeRule = decisions.find((d) => d.decision.time.escalates)?.decision.rule ?? null;
    const schedule = readStartsAt(input.startsAt, input.action, now, time.maxLeadTimeMs);
    const startsAt = schedule.startsAt;
    if (schedule.reasons.length) {
      allowed = false;
      reasons.push(...schedule.reasons);
    }
    let durationMs: number | null = null;
    let reviewWithinMs: number | null = null;
    if (input.emergency) {
      const windows = decisions.map((d) => d.decision.breakGlass?.reviewWithinMs ?? 0).filter((ms) => ms > 0);
      reviewWithinMs = windows.length ? Math.min(...windows) : null;
    }
    if (input.action === 'adopt' && input.standing) {
      if (input.duration || input.expiresAt)
        throw new DomainError('VALIDATION_FAILED', 'Give standing: true or a duration (or expiresAt), not both');
    } else if (grantLike) {
      const maxMs = input.emergency
        ? Math.min(...decisions.map((d) => d.decision.breakGlass?.maxDurationMs ?? 0))
        : Math.min(...decisions.map((d) => d.decision.maxDurationMs));
      if (input.duration && input.expiresAt)
        throw new DomainError('VALIDATION_FAILED', 'Give duration or expiresAt, not both');
      if (input.duration) {
        durationMs = parseIsoDuration(input.duration) ?? null;
        if (!durationMs)
          throw new DomainError(
            'VALIDATION_FAILED',
            `duration "${input.duration}" is not an ISO 8601 duration such as PT8H`,
          );
      } else if (input.expiresAt) {
        const at = Date.parse(input.expiresAt);
        if (Number.isNaN(at)) throw new DomainError('VALIDATION_FAILED', 'expiresAt is not an ISO 8601 date-time');
        durationMs = at - (startsAt ?? now).getTime();
        if (durationMs <= 0)
          throw new DomainError(
            'VALIDATION_FAILED',
            startsAt ? 'expiresAt is before startsAt' : 'expiresAt is in the past',
          );
      } else {
        durationMs = input.emergency ? maxMs : Math.min(...decisions.map((d) => d.decision.defaultDurationMs));
      }
      if (durationMs > maxMs && maxMs > 0) {
        allowed = false;
        reasons.push(`the requested duration exceeds the policy maximum of ${Math.round(maxMs / 60_000)} minutes`);
      }
      if (decisions.some((d) => d.decision.requireTicket) && !input.ticket) {
        allowed = false;
        reasons.push('the policy requires a ticket reference for these targets');
      }
    }
    return { allowed, reasons, requiredApprovals, durationMs, reviewWithinMs, decisions, startsAt, time, timeRule };
  }

  /**
   * The owner approvals each target needs, from the rules that say `approvers: {owners: N}`. The
   * requester's own person (and the person it is filed for) is never counted as an owner: a target
   * only they own counts as one nobody owns (noOwner decides).
   */
  async ownerRequirement(
    decisions: { target: DirectoryObject; decision: PolicyDecision }[],
    excluded: (Person | null | undefined)[],
  ): Promise<{ requirement: OwnerRequirement | null; reasons: string[] }> {
    const covered = decisions.filter((d) => (d.decision.approvers?.owners ?? 0) > 0);
    if (covered.length === 0) return { requirement: null, reasons: [] };
    const excludedSids = new Set(excluded.flatMap((p) => (p?.sid ? [p.sid.toUpperCase()] : [])));
    const found = await this.owners.ownersOfAll(covered.map((d) => d.target));
    const reasons: string[] = [];
    const targets = covered.map(({ target, decision }, i): TargetOwners => {
      const owners = found[i].filter((o) => o.isGroup || !excludedSids.has(o.sid));
      const ref = { dn: target.dn, sid: target.sid, samAccountName: target.samAccountName };
      if (owners.length > 0) return { target: ref, required: decision.approvers?.owners ?? 0, owners, noOwner: null };
      const noOwner = decision.noOwner ?? 'deny';
      const why = found[i].length
        ? 'its only owner is the requester'
        : 'nobody owns it (no managedBy, no OU owner group)';
      if (noOwner === 'deny') reasons.push(`${target.samAccountName}: ${why} and the policy rule says noOwner: deny`);
      return { target: ref, required: 0, owners: [], noOwner };
    });
    return { requirement: { targets }, reasons };
  }

  /**
   * An adoption names entries in force now that no active grant covers (standing entries): anything
   * else is ENTRY_NOT_STANDING, naming each missing pair. Read before any transaction.
   */
  async assertStanding(targets: DirectoryObject[], principals: DirectoryObject[]): Promise<void> {
    const missing: string[] = [];
    for (const target of targets) {
      const found = await this.standing.find(
        target,
        principals.map((p) => p.sid),
      );
      for (const principal of principals) {
        const entry = found.get(principal.sid.toUpperCase());
        if (!entry)
          missing.push(`${principal.samAccountName} -> ${target.samAccountName}: not in force, or already managed`);
        else if (!entry.effective)
          missing.push(
            `${principal.samAccountName} -> ${target.samAccountName}: the entry is not effective (the KDC ignores it)`,
          );
      }
    }
    if (missing.length)
      throw new DomainError('ENTRY_NOT_STANDING', `Only standing entries can be adopted: ${missing.join('; ')}`, {
        entries: missing,
      });
  }
}

/** What the policy said of each target (the rule that matched and its terms), for the approvers. */
export function policyReasons(decisions: { target: DirectoryObject; decision: { reasons: string[] } }[]): string[] {
  return [...new Set(decisions.map((d) => `${d.target.samAccountName}: ${d.decision.reasons.join('; ')}`))];
}

/** Shapes the transports cannot express: what an adoption and a break-glass request may carry. */
export function assertShape(input: CreateRequestInput, caller: Principal): void {
  if (input.standing && input.action !== 'adopt')
    throw new DomainError('VALIDATION_FAILED', 'standing: true is for adopt requests only');
  if (!input.emergency) return;
  if (!caller.roles.includes('breakglass') && !caller.roles.includes('admin'))
    throw new DomainError('FORBIDDEN', 'Break-glass needs the breakglass role');
  if (input.action !== 'grant') throw new DomainError('VALIDATION_FAILED', 'Break-glass files grants only');
  if (!input.ticket?.id?.trim())
    throw new DomainError('VALIDATION_FAILED', 'Break-glass needs a ticket (the incident it is for)');
  if (input.requestedFor)
    throw new DomainError('VALIDATION_FAILED', 'Break-glass is filed by the person who needs it (no requestedFor)');
}

/**
 * Break-glass on top of the ordinary decision: every target needs a rule that says breakGlass.allowed,
 * and Tier 0 (DCs, krbtgt, adminCount=1, Tier 0 groups) is refused even where a rule names the object.
 */
export function applyBreakGlassPolicy(
  decision: { allowed: boolean; reasons: string[]; decisions: { target: DirectoryObject; decision: PolicyDecision }[] },
  tier0Groups: Map<string, string | undefined>,
  input: CreateRequestInput,
): void {
  for (const { target, decision: d } of decision.decisions) {
    const tier0 = neverTargetReason(target) ?? protectedReason(target, tier0Groups.get(target.sid));
    if (tier0) {
      decision.allowed = false;
      decision.reasons.push(`${target.samAccountName}: ${tier0}: break-glass never applies to Tier 0`);
    } else if (!d.breakGlass?.allowed) {
      decision.allowed = false;
      decision.reasons.push(`${target.samAccountName}: no policy rule allows break-glass here`);
    }
  }
  if (!input.ticket) decision.allowed = false;
}
