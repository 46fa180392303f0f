import type { DeliveryTarget } from './delivery-target';

/** A URL as shown to admins and written to logs: no user info, no query, and no secret path for Slack. */
export function redactUrl(url: string, target: DeliveryTarget = 'webhook'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  // A Slack incoming-webhook URL is itself the credential (hooks.slack.com/services/T../B../<secret>);
  // an escalation target may be one; so is a Teams Workflows URL (sig= in its query) or incoming webhook.
  if (target === 'slack' || target === 'escalation' || target === 'teams') return `${parsed.origin}/…`;
  return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
}

/** fetch() refuses URLs with credentials: move `user:password@` into a Basic Authorization header. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
