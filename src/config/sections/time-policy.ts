// The time settings of the policy (issue 13) and `notifications`, read from the YAML next to the
// rest of the policy: durations as ISO 8601, counts as small whole numbers, URLs as http(s).
import { ConfigError } from '../config.error';
import type { EscalationTarget, TimePolicy } from '../setting-types';
import { secretFrom } from '../sources/secret-files';
import { readDuration } from '../sources/yaml-values';

const DURATIONS = ['maxLeadTime', 'maxTotalDuration', 'remindAfter', 'escalateAfter', 'pendingTimeout'] as const;

function escalation(raw: unknown, name: string): EscalationTarget | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = (typeof raw === 'string' ? { url: raw } : raw) as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(name, 'must be a URL or {url, format: chat|webhook, secret}');
  const url = typeof value.url === 'string' ? value.url.trim() : '';
  if (!/^https?:\/\//.test(url)) throw new ConfigError(`${name}.url`, 'must be an http(s) URL');
  const format = value.format ?? 'chat';
  if (format !== 'chat' && format !== 'webhook') throw new ConfigError(`${name}.format`, 'must be chat or webhook');
  const secret = secretFrom(value.secret, value.secretFile, `${name}.secret`);
  return { url, format, ...(secret ? { secret } : {}) };
}

/** The time settings of one rule (or of the defaults); absent keys stay absent (the defaults fill them). */
export function readTimePolicy(raw: Record<string, unknown>, label: string): TimePolicy {
  const policy: TimePolicy = {};
  for (const key of DURATIONS) {
    const value = readDuration(raw[key], `${label}.${key}`);
    if (value) policy[key] = value;
  }
  const auto = raw.autoApproveExtensions;
  if (auto !== undefined && auto !== null) {
    if (typeof auto !== 'number' || !Number.isInteger(auto) || auto < 0 || auto > 100)
      throw new ConfigError(`${label}.autoApproveExtensions`, 'must be a whole number from 0 to 100');
    policy.autoApproveExtensions = auto;
  }
  const escalateTo = escalation(raw.escalateTo, `${label}.escalateTo`);
  if (escalateTo) policy.escalateTo = escalateTo;
  if (policy.escalateTo && !policy.escalateAfter)
    throw new ConfigError(`${label}.escalateTo`, 'needs escalateAfter (when to escalate)');
  return policy;
}

/** `notifications.expiringLeads` (default [PT1H, PT10M]): when `grant.expiring` goes out. */
export function readNotifications(raw: unknown): { expiringLeads: string[] } {
  if (raw === undefined || raw === null) return { expiringLeads: ['PT1H', 'PT10M'] };
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('RBCD_CONFIG notifications', 'must be a mapping (notifications.expiringLeads: [PT1H])');
  const leads = (raw as Record<string, unknown>).expiringLeads ?? ['PT1H', 'PT10M'];
  if (!Array.isArray(leads) || leads.length > 10)
    throw new ConfigError('notifications.expiringLeads', 'must be a list of up to 10 ISO 8601 durations');
  const read = leads.map((lead, i) => readDuration(lead, `notifications.expiringLeads[${i}]`) as string);
  return { expiringLeads: [...new Set(read)] };
}
