// Microsoft Teams messages (YAML chat.teams): an Adaptive Card (1.4, which Teams renders in
// channels, through Workflows and incoming webhooks alike) per event. A new or still-waiting request
// carries everything an approver needs to know what they approve; outcomes say what happened. Each
// card links to the request in the console ("Open in console"): the approval itself happens there,
// where the sign-in (and step-up) is enforced.
import type { RequestView } from '../requests/request.view';
import type { DomainEvent } from './event-publisher';

export const ADAPTIVE_CARD_VERSION = '1.4';

type Element = Record<string, unknown>;

const TITLES: Record<string, (r: RequestView) => string> = {
  'request.created': () => 'New RBCD request waits for approval',
  'request.reminder': () => 'Reminder: an RBCD request still waits for approval',
  'request.escalated': () => 'Escalated: an RBCD request still waits for approval',
  'request.approved': (r) => (r.status === 'scheduled' ? 'RBCD request approved (scheduled)' : 'RBCD request approved'),
  'request.scheduled': () => 'RBCD request scheduled',
  'request.rejected': () => 'RBCD request rejected',
  'request.cancelled': () => 'RBCD request withdrawn by its requester',
  'request.applied': () => 'RBCD grant applied',
  'request.failed': () => 'RBCD request failed',
  'request.expired': () => 'RBCD grant expired and was removed',
  'request.revoked': () => 'RBCD grant revoked',
  'request.timed_out': () => 'RBCD request timed out: nobody decided in time',
  'grant.expiring': () => 'RBCD grant expires soon',
};

/** Events that ask an approver to act: the card then opens the console's inbox at the request. */
const ASKING = new Set(['request.created', 'request.reminder', 'request.escalated']);

/**
 * Text from people (justification, comments, ticket ids) as plain text: Teams renders a subset of
 * Markdown in TextBlocks and facts, so a justification must not turn into a link or a heading.
 */
export function plainText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|>~<]/g, (c) => `\\${c}`);
}

const names = (list: { samAccountName: string }[]) => list.map((a) => a.samAccountName).join(', ');

function duration(request: RequestView): string {
  if (!request.expiresAt) return 'no expiry';
  const from = Date.parse(request.startsAt ?? request.createdAt);
  const hours = (Date.parse(request.expiresAt) - from) / 3_600_000;
  const length = hours >= 48 ? `${Math.round(hours / 24)} days` : `${Math.round(hours * 10) / 10} h`;
  return `${length}, until ${request.expiresAt}${request.startsAt ? ` (from ${request.startsAt})` : ''}`;
}

function facts(request: RequestView): Element {
  const approvals = request.approvals.filter((a) => a.decision === 'approve');
  const rows: [string, string][] = [
    ['Action', request.action === 'grant' ? 'grant delegation' : 'revoke delegation'],
    ['Target', request.targets.map((t) => `${t.samAccountName} (${t.dn})`).join('; ')],
    ['Principal', request.principals.map((p) => `${p.samAccountName} (${p.dn})`).join('; ')],
    [
      'Requester',
      `${request.requesterName}${request.requestedFor ? ` for ${request.requestedForPerson?.name ?? request.requestedFor}` : ''}`,
    ],
    ['Duration', duration(request)],
    ['Justification', request.justification],
    ['Ticket', request.ticket ? `${request.ticket.system} ${request.ticket.id}` : 'none'],
    [
      'Approvals',
      `${approvals.length} of ${request.requiredApprovals}${approvals.length ? ` (${approvals.map((a) => a.approverName).join(', ')})` : ''}`,
    ],
    ['Status', request.status],
    ['Request', request.id],
  ];
  return { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value: plainText(value) })) };
}

function textBlock(text: string, extra: Element = {}): Element {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

/** The Adaptive Card for one event (its request in `data.request`); `consoleUrl` without a trailing slash. */
export function teamsCardFor(event: DomainEvent, consoleUrl: string): Element {
  const request = event.data.request as RequestView;
  const title = (TITLES[event.type] ?? (() => `RBCD request: ${event.type}`))(request);
  const body: Element[] = [
    textBlock(title, { size: 'medium', weight: 'bolder' }),
    textBlock(
      plainText(
        `${names(request.principals)} ${request.action === 'grant' ? 'may delegate to' : 'loses delegation to'} ${names(request.targets)}`,
      ),
      { spacing: 'small' },
    ),
    facts(request),
  ];
  const policy = event.data.policy as { reasons?: unknown; requiredApprovals?: unknown } | undefined;
  if (policy) {
    const reasons = Array.isArray(policy.reasons) ? policy.reasons.map(String) : [];
    const lines = [`Needs ${String(policy.requiredApprovals ?? request.requiredApprovals)} approval(s)`, ...reasons];
    body.push(textBlock('Policy', { weight: 'bolder', spacing: 'medium' }));
    body.push(textBlock(lines.map((r) => `- ${plainText(r)}`).join('\r')));
  }
  const decision = event.data.decision as { by?: unknown; comment?: unknown } | undefined;
  if (decision?.comment)
    body.push(textBlock(plainText(`${String(decision.by)}: "${String(decision.comment)}"`), { isSubtle: true }));
  const error = request.result?.error?.message;
  if (error) body.push(textBlock(plainText(`Error: ${error}`), { color: 'attention' }));
  const link = ASKING.has(event.type)
    ? `${consoleUrl}/#/inbox/${encodeURIComponent(request.id)}`
    : `${consoleUrl}/#/requests/${encodeURIComponent(request.id)}`;
  const actions: Element[] = [{ type: 'Action.OpenUrl', title: 'Open in console', url: link }];
  if (request.ticket?.url && /^https?:\/\//i.test(request.ticket.url))
    actions.push({ type: 'Action.OpenUrl', title: 'Open ticket', url: request.ticket.url });
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText: plainText(`${title}: ${names(request.principals)} → ${names(request.targets)}`),
    body,
    actions,
  };
}

/** What a Teams Workflows or incoming webhook takes: a message with the card as its attachment. */
export function teamsMessageFor(event: DomainEvent, consoleUrl: string): Element {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: teamsCardFor(event, consoleUrl),
      },
    ],
  };
}
