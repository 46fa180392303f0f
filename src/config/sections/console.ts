// The web console's settings (issue 15) and Microsoft Teams (YAML chat.teams): read here, beside
// the other sections.
import { parseIsoDuration } from '../../common/iso-duration';
import { ConfigError } from '../config.error';
import type { ConsoleConfig, TeamsConfig } from '../setting-types';
import { secretFrom } from '../sources/secret-files';
import type { Env } from '../sources/yaml-values';

/** What a Teams channel is told by default: new pending requests, reminders and outcomes. */
export const TEAMS_EVENTS = [
  'request.created',
  'request.reminder',
  'request.escalated',
  'request.approved',
  'request.scheduled',
  'request.rejected',
  'request.cancelled',
  'request.applied',
  'request.failed',
  'request.expired',
  'request.revoked',
  'request.timed_out',
  'grant.expiring',
] as const;

export function readConsole(env: Env): ConsoleConfig {
  const dir = env.RBCD_CONSOLE_DIR?.trim();
  const publicUrl = readHttpUrl(env.RBCD_PUBLIC_URL, 'RBCD_PUBLIC_URL');
  const oidcClientId = env.OIDC_CONSOLE_CLIENT_ID?.trim();
  if (oidcClientId && !env.OIDC_ISSUER?.trim())
    throw new ConfigError('OIDC_CONSOLE_CLIENT_ID', 'needs OIDC_ISSUER (the provider the console signs in with)');
  if (env.OIDC_APPROVAL_MAX_AGE?.trim() && !env.OIDC_ISSUER?.trim())
    throw new ConfigError('OIDC_APPROVAL_MAX_AGE', 'needs OIDC_ISSUER (it limits the age of OIDC sign-ins)');
  const resource = env.OIDC_CONSOLE_RESOURCE?.trim();
  return {
    ...(dir ? { dir } : {}),
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    ...(oidcClientId ? { oidcClientId } : {}),
    oidcScope: env.OIDC_CONSOLE_SCOPE?.trim() || 'openid profile',
    ...(resource ? { oidcResource: resource } : {}),
  };
}

/** OIDC_APPROVAL_MAX_AGE: an ISO 8601 duration from one second to one day; unset: no step-up. */
export function readApprovalMaxAge(env: Env): { approvalMaxAgeMs?: number } {
  const text = env.OIDC_APPROVAL_MAX_AGE?.trim();
  if (!text) return {};
  const ms = parseIsoDuration(text);
  if (ms === undefined || ms < 1000 || ms > 86_400_000)
    throw new ConfigError('OIDC_APPROVAL_MAX_AGE', 'must be an ISO 8601 duration from PT1S to P1D (e.g. PT15M)');
  return { approvalMaxAgeMs: ms };
}

/** `chat.teams: {webhookUrlFile, events}`; the URL is a secret, so it comes from a file (or the env). */
export function readTeams(env: Env, rawChat: unknown): TeamsConfig | undefined {
  const chat = (rawChat ?? {}) as Record<string, unknown>;
  const raw = chat.teams;
  const fromEnv = secretFrom(undefined, env.TEAMS_WEBHOOK_URL_FILE, 'TEAMS_WEBHOOK_URL_FILE')?.trim();
  if ((raw === undefined || raw === null) && !fromEnv) return undefined;
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    throw new ConfigError('chat.teams', 'must be {webhookUrlFile, events}');
  const teams = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(teams).find((k) => !['webhookUrl', 'webhookUrlFile', 'events'].includes(k));
  if (unknown) throw new ConfigError(`chat.teams.${unknown}`, 'is not a setting (webhookUrlFile, events)');
  const url =
    fromEnv ??
    secretFrom(undefined, teams.webhookUrlFile, 'chat.teams.webhookUrlFile')?.trim() ??
    (typeof teams.webhookUrl === 'string' ? teams.webhookUrl.trim() : undefined);
  if (!url) throw new ConfigError('chat.teams.webhookUrlFile', 'is required: a file holding the webhook URL');
  if (!env.RBCD_PUBLIC_URL?.trim())
    throw new ConfigError('chat.teams', 'needs RBCD_PUBLIC_URL: every card links to the request in the console');
  if (!readHttpUrl(url, 'chat.teams.webhookUrl'))
    throw new ConfigError('chat.teams.webhookUrl', 'must be an http(s) URL');
  const events = teams.events ?? [...TEAMS_EVENTS];
  if (!Array.isArray(events) || events.some((e) => !(TEAMS_EVENTS as readonly string[]).includes(String(e))))
    throw new ConfigError('chat.teams.events', `must be a list from: ${TEAMS_EVENTS.join(', ')}`);
  return { webhookUrl: url, events: events.map(String) };
}

function readHttpUrl(value: string | undefined, name: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Never echo the value: a webhook URL is a secret.
    throw new ConfigError(name, 'must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be an http(s) URL');
  return text;
}
