import { Inject, Injectable } from '@nestjs/common';
import { parseIsoDuration } from '../common/iso-duration';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, PolicyRule } from '../config/config.types';
import type { DirectoryObject } from '../directory/directory.types';
import { isDomainController, isKrbtgt } from './tier0';
import type { PolicyDecision } from './policy.types';
import { resolveTimePolicy } from './time-policy';
import { normaliseDn } from '../directory/dn';

/** Why a target may never be a target, whatever any rule says (DCs, RODCs, krbtgt), or undefined. */
export function neverTargetReason(target: DirectoryObject): string | undefined {
  if (isDomainController(target)) return `${target.samAccountName} is a domain controller`;
  if (isKrbtgt(target)) return `${target.samAccountName} is a krbtgt account`;
  return undefined;
}

/**
 * Why a target is protected by the built-in rules unless a rule names its DN exactly: adminCount=1,
 * or membership (at any depth) of a Tier 0 group, which the caller looked up (`tier0Group`).
 */
export function protectedReason(target: DirectoryObject, tier0Group?: string): string | undefined {
  if (target.adminCount === 1) return `${target.samAccountName} is a protected (adminCount=1, Tier 0) account`;
  if (tier0Group) return `${target.samAccountName} is a member of the Tier 0 group ${tier0Group}`;
  return undefined;
}

/**
 * The approval policy: the first matching rule of the YAML `policy.rules` (by target DN suffix or
 * domain), else the defaults. Built in and not configurable away: domain controllers (RODCs too)
 * and krbtgt accounts are never targets; adminCount=1 objects and members of Tier 0 groups are
 * denied unless a rule names the object's DN exactly and allows it.
 */
@Injectable()
export class PolicyService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The decision for one target. `facts.tier0Group`: the Tier 0 group the target sits in, looked up
   * by BuiltinGuard.tier0Membership (the caller's job: this method does not read the directory).
   */
  evaluate(target: DirectoryObject, facts: { tier0Group?: string } = {}): PolicyDecision {
    const { defaults, rules } = this.config.policy;
    const dn = normaliseDn(target.dn);
    const index = rules.findIndex((rule) => matches(rule, dn, target.domain));
    const rule: PolicyRule | undefined = index >= 0 ? rules[index] : undefined;
    const maxDuration = rule?.maxDuration ?? defaults.maxDuration;
    const maxDurationMs = parseIsoDuration(maxDuration) as number;
    const defaultDuration = rule?.defaultDuration ?? defaults.defaultDuration;
    const decision: PolicyDecision = {
      allowed: true,
      requiredApprovals: rule?.approvers
        ? rule.approvers.owners + rule.approvers.others
        : (rule?.requiredApprovals ?? defaults.requiredApprovals),
      ...(rule?.approvers ? { approvers: rule.approvers, noOwner: rule.noOwner ?? 'deny' } : {}),
      maxDurationMs,
      defaultDurationMs: Math.min(
        defaultDuration ? (parseIsoDuration(defaultDuration) as number) : maxDurationMs,
        maxDurationMs,
      ),
      requireTicket: rule?.requireTicket ?? defaults.requireTicket,
      time: resolveTimePolicy(rule, defaults, maxDurationMs),
      reasons: [rule ? `policy rule ${index + 1} matched (${describe(rule)})` : 'policy defaults (no rule matched)'],
      ...(rule ? { rule: index } : {}),
      ...(rule?.breakGlass
        ? {
            breakGlass: {
              allowed: rule.breakGlass.allowed,
              maxDurationMs: parseIsoDuration(rule.breakGlass.maxDuration) as number,
              reviewWithinMs: parseIsoDuration(rule.breakGlass.reviewWithin) as number,
            },
          }
        : {}),
    };
    if (rule?.deny) {
      decision.allowed = false;
      decision.reasons.push(rule.deny);
    }
    const never = neverTargetReason(target);
    if (never) {
      decision.allowed = false;
      decision.reasons.push(`${never}: never a delegation target (built in; no rule overrides it)`);
      return decision;
    }
    const protectedWhy = protectedReason(target, facts.tier0Group);
    const namedExplicitly =
      rule?.match.targetDnSuffix !== undefined && normaliseDn(rule.match.targetDnSuffix) === dn && !rule.deny;
    if (protectedWhy && !namedExplicitly) {
      decision.allowed = false;
      decision.reasons.push(`${protectedWhy}: never a delegation target unless a policy rule names it exactly`);
    }
    return decision;
  }
}

function matches(rule: PolicyRule, dn: string, domain: string): boolean {
  if (rule.match.domain && rule.match.domain !== domain.toLowerCase()) return false;
  if (rule.match.targetDnSuffix) {
    const suffix = normaliseDn(rule.match.targetDnSuffix);
    if (dn !== suffix && !dn.endsWith(`,${suffix}`)) return false;
  }
  return true;
}

function describe(rule: PolicyRule): string {
  return [
    rule.match.targetDnSuffix && `under ${rule.match.targetDnSuffix}`,
    rule.match.domain && `domain ${rule.match.domain}`,
    rule.approvers &&
      `${rule.approvers.owners} owner + ${rule.approvers.others} other approval(s), noOwner: ${rule.noOwner ?? 'deny'}`,
  ]
    .filter(Boolean)
    .join(', ');
}
