// Chat messages that tell the requester what happened to their request (issue 13): each names the
// requester (a Slack mention when the service knows their chat user) so they hear every decision.
import type { SlackConfig } from '../config/config.types';
import type { DomainEvent } from '../notifications/event-publisher';
import type { Person } from '../persons/person';
import type { RequestView } from '../requests/request.view';

/**
 * The chat users to mention for an event: the requester and the person it was filed for; for a
 * break-glass alarm, every chat user who may approve (approver or admin) instead.
 */
export function chatMentions(event: DomainEvent, slack: SlackConfig | undefined): string[] {
  if (event.type === 'request.breakglass' || event.type === 'request.breakglass.escalated')
    return Object.entries(slack?.users ?? {})
      .filter(([, user]) => user.roles.includes('approver') || user.roles.includes('admin'))
      .map(([id]) => id);
  const request = event.data.request as RequestView | undefined;
  if (!request) return [];
  const ids = new Set<string>();
  if (request.requestedBy.id.startsWith('slack:')) ids.add(request.requestedBy.id.slice('slack:'.length));
  for (const person of [request.requestedBy.person, request.requestedForPerson]) {
    for (const id of chatUsersOf(person, slack)) ids.add(id);
  }
  return [...ids];
}

function chatUsersOf(person: Person | null, slack: SlackConfig | undefined): string[] {
  if (!person || !slack) return [];
  const names = [person.upn, person.domain ? `${person.name}@${person.domain}` : null, person.name]
    .filter((n): n is string => Boolean(n))
    .map((n) => n.toLowerCase());
  return Object.entries(slack.users)
    .filter(([, user]) => user.user && names.includes(user.user.toLowerCase()))
    .map(([id]) => id);
}

const LINES: Record<string, (request: RequestView, data: Record<string, unknown>) => string> = {
  'request.reminder': (r) => `:alarm_clock: Reminder: request ${r.id} still waits for approval.`,
  'request.approved': (r) =>
    r.status === 'scheduled'
      ? `:white_check_mark: Request ${r.id} is approved.`
      : `:white_check_mark: Request ${r.id} is approved; the service is applying it.`,
  'request.scheduled': (r) => `:calendar: Request ${r.id} is scheduled: it is applied at ${r.startsAt}.`,
  'request.rejected': (r) => `:no_entry: Request ${r.id} was rejected.`,
  'request.applied': (r) =>
    `:unlock: Request ${r.id} is applied${r.action === 'grant' && r.expiresAt ? ` until ${r.expiresAt}` : ''}.`,
  'request.failed': (r) => `:x: Request ${r.id} failed: ${r.result?.error?.message ?? 'see its status'}.`,
  'request.extended': (r, d) =>
    `:hourglass: The grant of request ${r.id} now runs until ${String(d.expiresAt ?? r.expiresAt)}.`,
  'grant.expiring': (r, d) =>
    `:hourglass_flowing_sand: The grant of request ${r.id} expires at ${String(d.expiresAt)} (in ${String(d.lead)}). To keep it: \`extend ${r.id} for <duration> because <why>\`.`,
  'request.expired': (r) => `:lock: The grant of request ${r.id} expired and was removed.`,
  'request.timed_out': (r) =>
    `:zzz: Request ${r.id} timed out: nobody decided in time. File it again if it is still needed.`,
  'request.escalated': (r) => `:rotating_light: Escalated: request ${r.id} still waits for approval.`,
};

/** The line for a requester notice, or undefined for events that are not one. */
export function requesterNotice(event: DomainEvent, mentions: string[]): string | undefined {
  const line = LINES[event.type];
  const request = event.data.request as RequestView | undefined;
  if (!line || !request) return undefined;
  const who = mentions.length ? mentions.map((id) => `<@${id}>`).join(' ') : request.requesterName;
  return `${line(request, event.data)} (${who})`;
}
