import { Inject, Injectable } from '@nestjs/common';
import { parseIsoDuration } from '../common/iso-duration';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, PolicyRule } from '../config/config.types';
import type { DirectoryObject } from '../directory/directory.types';
import { UAC } from '../directory/directory.types';
import { heldByAnyAccount } from '../directory/well-known-sids';
import type { PolicyDecision } from './policy.types';

const DC_PRIMARY_GROUPS = new Set([516, 521]);

function normaliseDn(dn: string): string {
  return dn.toLowerCase().replace(/\s*,\s*/g, ',').trim();
}

/** Why a target is protected by the built-in rules, or undefined. */
export function protectedReason(target: DirectoryObject): string | undefined {
  if (
    (target.userAccountControl & (UAC.SERVER_TRUST_ACCOUNT | UAC.PARTIAL_SECRETS_ACCOUNT)) !== 0 ||
    (target.primaryGroupId !== undefined && DC_PRIMARY_GROUPS.has(target.primaryGroupId))
  ) {
    return `${target.samAccountName} is a domain controller`;
  }
  if (target.adminCount === 1) return `${target.samAccountName} is a protected (adminCount=1, Tier 0) account`;
  return undefined;
}

/**
 * The approval policy: the first matching rule of the YAML `policy.rules` (by target DN suffix or
 * domain), else the defaults. Built in and not configurable away: domain controllers and
 * adminCount=1 objects are denied unless a rule names the object's DN exactly and allows it.
 */
@Injectable()
export class PolicyService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Why a principal may never be granted delegation (built in, not configurable): a SID that any
   * account holds or can obtain (Authenticated Users, Domain Computers, ...). Undefined when allowed.
   */
  principalRefusal(principal: Pick<DirectoryObject, 'sid' | 'samAccountName'>): string | undefined {
    const name = heldByAnyAccount(principal.sid);
    if (!name) return undefined;
    return `${principal.samAccountName || name} (${principal.sid}) is held by any account, or by any computer account anyone may create: granting it lets every such account delegate`;
  }

  evaluate(target: DirectoryObject): PolicyDecision {
    const { defaults, rules } = this.config.policy;
    const dn = normaliseDn(target.dn);
    const index = rules.findIndex((rule) => matches(rule, dn, target.domain));
    const rule: PolicyRule | undefined = index >= 0 ? rules[index] : undefined;
    const maxDuration = rule?.maxDuration ?? defaults.maxDuration;
    const maxDurationMs = parseIsoDuration(maxDuration) as number;
    const defaultDuration = rule?.defaultDuration ?? defaults.defaultDuration;
    const decision: PolicyDecision = {
      allowed: true,
      requiredApprovals: rule?.approvers ? rule.approvers.owners + rule.approvers.others : (rule?.requiredApprovals ?? defaults.requiredApprovals),
      ...(rule?.approvers ? { approvers: rule.approvers, noOwner: rule.noOwner ?? 'deny' } : {}),
      maxDurationMs,
      defaultDurationMs: Math.min(defaultDuration ? (parseIsoDuration(defaultDuration) as number) : maxDurationMs, maxDurationMs),
      requireTicket: rule?.requireTicket ?? defaults.requireTicket,
      reasons: [rule ? `policy rule ${index + 1} matched (${describe(rule)})` : 'policy defaults (no rule matched)'],
      ...(rule ? { rule: index } : {}),
    };
    if (rule?.deny) {
      decision.allowed = false;
      decision.reasons.push(rule.deny);
    }
    const protectedWhy = protectedReason(target);
    const namedExplicitly = rule?.match.targetDnSuffix !== undefined && normaliseDn(rule.match.targetDnSuffix) === dn && !rule.deny;
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
    rule.approvers && `${rule.approvers.owners} owner + ${rule.approvers.others} other approval(s), noOwner: ${rule.noOwner ?? 'deny'}`,
  ]
    .filter(Boolean)
    .join(', ');
}
