import type { DomainEvent } from '../notifications/event-publisher';
import type { RequestView } from '../requests/request.view';

const names = (list: { samAccountName: string }[]) => list.map((a) => a.samAccountName).join(', ');

/** One line a person can act on: who, to where, why, and what state it is in. */
export function describeRequest(request: RequestView): string {
  const verb = request.action === 'grant' ? 'delegate to' : 'lose delegation to';
  const expiry = request.expiresAt ? ` until ${request.expiresAt}` : '';
  return `Request ${request.id}: ${names(request.principals)} to ${verb} ${names(request.targets)}${request.action === 'grant' ? expiry : ''} — ${request.status} (by ${request.requesterName}${request.ticket ? `, ticket ${request.ticket.id}` : ''}): "${request.justification}"`;
}

/** The Slack message for a new pending request, with Approve / Reject buttons. */
export function slackMessageFor(event: DomainEvent): Record<string, unknown> {
  const request = event.data.request as RequestView;
  const text = describeRequest(request);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        block_id: `request:${request.id}`,
        elements: [
          { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: request.id },
          { type: 'button', action_id: 'reject', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: request.id },
        ],
      },
    ],
  };
}
