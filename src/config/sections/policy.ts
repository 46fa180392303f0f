// RBCD_CONFIG `policy`: who must approve, how long a grant may run, owner rules and break-glass.
import { ConfigError } from '../config.error';
import {
  NO_OWNER_SETTINGS,
  type ApproversRule,
  type BreakGlassRule,
  type NoOwnerSetting,
  type PolicyConfig,
  type PolicyRule,
} from '../setting-types';
import { DN_SHAPE, optionalString, readDuration } from '../sources/yaml-values';
import { readTimePolicy } from './time-policy';

/** The policy's defaults where the YAML says nothing. */
export const POLICY_DEFAULTS = { requiredApprovals: 1, maxDuration: 'P30D' } as const;

function readApprovals(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10) {
    throw new ConfigError(name, 'must be a whole number from 1 to 10');
  }
  return value;
}

function readBreakGlass(raw: unknown, label: string): { breakGlass?: BreakGlassRule } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(label, 'must be a mapping');
  const b = raw as Record<string, unknown>;
  if (typeof b.allowed !== 'boolean') throw new ConfigError(`${label}.allowed`, 'must be true or false');
  const maxDuration = readDuration(b.maxDuration, `${label}.maxDuration`);
  if (!maxDuration) throw new ConfigError(`${label}.maxDuration`, 'is required (an ISO 8601 duration such as PT4H)');
  return {
    breakGlass: {
      allowed: b.allowed,
      maxDuration,
      reviewWithin: readDuration(b.reviewWithin, `${label}.reviewWithin`) ?? 'PT24H',
    },
  };
}

/** RBCD_CONFIG `policy`: defaults, rules, owner groups, extra Tier 0 groups. */
export function readPolicy(raw: unknown): PolicyConfig {
  const policy = (raw ?? {}) as Record<string, unknown>;
  if (typeof policy !== 'object' || Array.isArray(policy))
    throw new ConfigError('RBCD_CONFIG policy', 'must be a mapping');
  const d = (policy.defaults ?? {}) as Record<string, unknown>;
  const defaults = {
    requiredApprovals:
      readApprovals(d.requiredApprovals, 'policy.defaults.requiredApprovals') ?? POLICY_DEFAULTS.requiredApprovals,
    maxDuration: readDuration(d.maxDuration, 'policy.defaults.maxDuration') ?? POLICY_DEFAULTS.maxDuration,
    defaultDuration: readDuration(d.defaultDuration, 'policy.defaults.defaultDuration'),
    requireTicket: d.requireTicket === true,
    ...readTimePolicy(d, 'policy.defaults'),
  };
  const rawRules = policy.rules ?? [];
  if (!Array.isArray(rawRules)) throw new ConfigError('RBCD_CONFIG policy.rules', 'must be a list');
  const rules: PolicyRule[] = rawRules.map((r, i) => {
    const label = `policy.rules[${i}]`;
    const rule = (r ?? {}) as Record<string, unknown>;
    const match = (rule.match ?? {}) as Record<string, unknown>;
    if (!match.targetDnSuffix && !match.domain)
      throw new ConfigError(`${label}.match`, 'needs targetDnSuffix or domain');
    return {
      match: {
        targetDnSuffix: optionalString(match.targetDnSuffix, `${label}.match.targetDnSuffix`),
        domain: optionalString(match.domain, `${label}.match.domain`)?.toLowerCase(),
      },
      deny: optionalString(rule.deny, `${label}.deny`),
      requiredApprovals: readApprovals(rule.requiredApprovals, `${label}.requiredApprovals`),
      ...readOwnerRule(rule, label),
      maxDuration: readDuration(rule.maxDuration, `${label}.maxDuration`),
      defaultDuration: readDuration(rule.defaultDuration, `${label}.defaultDuration`),
      requireTicket: rule.requireTicket === undefined ? undefined : rule.requireTicket === true,
      ...readTimePolicy(rule, label),
      ...readBreakGlass(rule.breakGlass, `${label}.breakGlass`),
    };
  });
  const tier0Groups = policy.tier0Groups ?? [];
  if (!Array.isArray(tier0Groups) || tier0Groups.some((g) => typeof g !== 'string' || !g.trim())) {
    throw new ConfigError(
      'RBCD_CONFIG policy.tier0Groups',
      'must be a list of group identifiers (DN, SID or DOMAIN\\name)',
    );
  }
  const allow = policy.allowUserCreatedComputers;
  if (allow !== undefined && typeof allow !== 'boolean')
    throw new ConfigError('RBCD_CONFIG policy.allowUserCreatedComputers', 'must be true or false');
  return {
    defaults,
    rules,
    owners: readOwnerGroups(policy.owners),
    tier0Groups: tier0Groups.map((g: string) => g.trim()),
    allowUserCreatedComputers: allow === true,
  };
}

/** `approvers: {owners: 1, others: 1}` and `noOwner: deny | approvers` of one rule. */
function readOwnerRule(
  rule: Record<string, unknown>,
  label: string,
): { approvers?: ApproversRule; noOwner?: NoOwnerSetting } {
  if (rule.approvers === undefined) {
    if (rule.noOwner !== undefined)
      throw new ConfigError(`${label}.noOwner`, 'needs approvers: {owners: N, others: M} in the same rule');
    return {};
  }
  const raw = rule.approvers as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${label}.approvers`, 'must be a mapping {owners: N, others: M}');
  const unknown = Object.keys(raw).filter((k) => k !== 'owners' && k !== 'others');
  if (unknown.length) throw new ConfigError(`${label}.approvers`, `unknown key ${unknown[0]} (owners, others)`);
  const count = (key: 'owners' | 'others') => {
    const value = raw[key] ?? 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10)
      throw new ConfigError(`${label}.approvers.${key}`, 'must be a whole number from 0 to 10');
    return value;
  };
  const approvers = { owners: count('owners'), others: count('others') };
  if (approvers.owners + approvers.others < 1)
    throw new ConfigError(`${label}.approvers`, 'needs at least one approval (owners + others >= 1)');
  if (rule.requiredApprovals !== undefined)
    throw new ConfigError(`${label}.requiredApprovals`, 'give requiredApprovals or approvers, not both');
  const noOwner = rule.noOwner ?? 'deny';
  if (!NO_OWNER_SETTINGS.includes(noOwner as NoOwnerSetting))
    throw new ConfigError(`${label}.noOwner`, `must be one of ${NO_OWNER_SETTINGS.join(', ')}`);
  return { approvers, noOwner: noOwner as NoOwnerSetting };
}

/** `owners: {"OU=Web,OU=Servers,DC=…": "CN=Web Owners,…"}`: the owner group of each OU. */
function readOwnerGroups(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('policy.owners', 'must map OU DNs to owner group DNs');
  const owners: Record<string, string> = {};
  for (const [ou, group] of Object.entries(raw as Record<string, unknown>)) {
    if (!DN_SHAPE.test(ou.trim()))
      throw new ConfigError(
        `policy.owners`,
        `"${ou}" is not a distinguished name (OU=Web,OU=Servers,DC=contoso,DC=test)`,
      );
    if (typeof group !== 'string' || !DN_SHAPE.test(group.trim()))
      throw new ConfigError(`policy.owners.${ou}`, 'must be the distinguished name of a group');
    owners[ou.trim()] = group.trim();
  }
  return owners;
}
