// RBCD_CONFIG `webhooks`: signed JSON posts of the request events.
import { ConfigError } from '../config.error';
import type { WebhookConfig } from '../setting-types';
import { secretFrom } from '../sources/secret-files';
import { optionalString } from '../sources/yaml-values';

/** The events a webhook may subscribe to (all by default). */
export const WEBHOOK_EVENTS = [
  'request.created',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.applied',
  'request.failed',
  'request.expired',
  'request.revoked',
  'drift.detected',
  'request.owner_approval_needed',
  'request.scheduled',
  'request.extended',
  'request.reminder',
  'request.escalated',
  'request.timed_out',
  'grant.expiring',
  'request.breakglass',
  'request.breakglass.escalated',
  'request.reviewed',
];
/** RBCD_CONFIG `webhooks`: URL, HMAC secret (or secretFile) and events. */
export function readWebhooks(raw: unknown): WebhookConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('RBCD_CONFIG webhooks', 'must be a list');
  return raw.map((w, i) => {
    const label = `webhooks[${i}]`;
    const hook = (w ?? {}) as Record<string, unknown>;
    const url = optionalString(hook.url, `${label}.url`);
    if (!url || !/^https?:\/\//.test(url)) throw new ConfigError(`${label}.url`, 'must be an http(s) URL');
    const events = hook.events === undefined ? WEBHOOK_EVENTS : hook.events;
    if (!Array.isArray(events) || events.some((e) => !WEBHOOK_EVENTS.includes(String(e)))) {
      throw new ConfigError(`${label}.events`, `must list events from: ${WEBHOOK_EVENTS.join(', ')}`);
    }
    return { url, secret: secretFrom(hook.secret, hook.secretFile, `${label}.secret`), events: events.map(String) };
  });
}
