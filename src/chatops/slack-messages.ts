import type { DelegationView } from '../delegations/delegation.types';
import type { DomainEvent } from '../notifications/event-publisher';
import type { RequestView } from '../requests/request.view';
import { USAGE } from './chat-command.parser';
import { requesterNotice } from './requester-messages';

/** What a chat endpoint answers (Slack's message shape; `replace_original` for button presses). */
export interface ChatReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  replace_original?: boolean;
  blocks?: Record<string, unknown>[];
}

const names = (list: { samAccountName: string }[]) => list.map((a) => a.samAccountName).join(', ');

/** One line a person can act on: who, to where, why, and what state it is in. */
export function describeRequest(request: RequestView): string {
  const verb =
    request.action === 'grant'
      ? 'delegate to'
      : request.action === 'adopt'
        ? 'keep (adopted) delegation to'
        : 'lose delegation to';
  const expiry = `${request.startsAt ? ` from ${request.startsAt}` : ''}${request.expiresAt ? ` until ${request.expiresAt}` : ''}`;
  const onBehalf = request.requestedFor ? ` for ${request.requestedFor}` : '';
  return `Request ${request.id}: ${names(request.principals)} to ${verb} ${names(request.targets)}${request.action === 'grant' ? expiry : ''} — ${request.status} (by ${request.requesterName}${onBehalf}${request.ticket ? `, ticket ${request.ticket.id}` : ''}): "${request.justification}"`;
}

function approvalsLine(request: RequestView): string {
  const approvals = request.approvals.filter((a) => a.decision === 'approve');
  const rejection = request.approvals.find((a) => a.decision === 'reject');
  const parts = [
    `Approvals: ${approvals.length}/${request.requiredApprovals}${approvals.length ? ` (${approvals.map((a) => a.approverName).join(', ')})` : ''}`,
  ];
  if (rejection)
    parts.push(`rejected by ${rejection.approverName}${rejection.comment ? `: "${rejection.comment}"` : ''}`);
  return parts.join('; ');
}

/** The request in full: summary, approvals, the error if it failed, and what to do next. */
export function requestDetails(request: RequestView): string {
  const lines = [describeRequest(request), approvalsLine(request)];
  const error = request.result?.error?.message;
  if (error) lines.push(`Error: ${error}`);
  lines.push(...request.nextSteps.map((step) => `• ${step}`));
  return lines.join('\n');
}

/** A request as a Slack message; Approve / Reject buttons while it is pending. */
export function requestBlocks(request: RequestView, text = describeRequest(request)): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (request.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `request:${request.id}`,
      elements: [
        {
          type: 'button',
          action_id: 'approve',
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value: request.id,
        },
        {
          type: 'button',
          action_id: 'reject',
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value: request.id,
        },
      ],
    });
  }
  return blocks;
}

/**
 * The Slack message for an event: a new pending request (Approve / Reject buttons), a notice that
 * names the requester (`mentions`: their chat user ids) with the request's summary, or a break-glass
 * alarm (and its escalation) that names every approver (`mentions`: theirs, see chatMentions).
 */
export function slackMessageFor(event: DomainEvent, mentions: string[] = []): Record<string, unknown> {
  const request = event.data.request as RequestView;
  if (event.type === 'request.breakglass' || event.type === 'request.breakglass.escalated') {
    const approvers = mentions.map((id) => `<@${id}>`).join(' ');
    const text = [
      event.type === 'request.breakglass'
        ? `:rotating_light: BREAK-GLASS by ${request.requesterName}: applied WITHOUT approval (ticket ${request.ticket?.id ?? '-'}).`
        : `:rotating_light: Break-glass request ${request.id} by ${request.requesterName} was not reviewed by ${request.reviewDueAt}: escalated.`,
      describeRequest(request),
      `Review it by ${request.reviewDueAt ?? 'the policy deadline'}: POST /api/v1/requests/${request.id}/review {outcome: confirm|revoke, comment}`,
      approvers && `Approvers: ${approvers}`,
    ]
      .filter(Boolean)
      .join('\n');
    return { text };
  }
  const notice = requesterNotice(event, mentions);
  const text =
    event.type === 'request.owner_approval_needed'
      ? ownersNeededText(request, event.data.owners as OwnersNeeded[])
      : notice
        ? `${notice}\n${describeRequest(request)}`
        : describeRequest(request);
  return { text, blocks: requestBlocks(request, text) };
}

interface OwnersNeeded {
  target: { samAccountName: string };
  required: number;
  owners: { name: string; isGroup: boolean }[];
}

/** The owners' own message, sent before the general one: whose server, and who may approve for it. */
function ownersNeededText(request: RequestView, owners: OwnersNeeded[]): string {
  const lines = owners.map(
    (t) =>
      `• ${t.target.samAccountName}: ${t.required} approval(s) from ${t.owners.map((o) => (o.isGroup ? `a member of ${o.name}` : o.name)).join(' or ')}`,
  );
  return [
    `:bust_in_silhouette: Owner approval needed for request ${request.id}:`,
    ...lines,
    describeRequest(request),
  ].join('\n');
}

/** The answer to `breakglass`: applied now, loudly, and reviewed afterwards. */
export function breakGlassReply(request: RequestView): string {
  return [
    `:rotating_light: Break-glass request ${request.id} — ${request.status}: it applies now, without approvals.`,
    describeRequest(request),
    `Every approver has been told. An approver other than you must review it by ${request.reviewDueAt ?? 'the policy deadline'}.`,
  ].join('\n');
}

/** The answer to `grant` / `revoke`: the id to quote and who has to act next. */
export function createdReply(request: RequestView): string {
  return [
    `:inbox_tray: Filed request ${request.id} — ${request.status}.`,
    describeRequest(request),
    request.status === 'pending'
      ? `Needs ${request.requiredApprovals} approval(s) from someone other than ${request.requesterName}: press Approve, or \`approve ${request.id}\`. Follow it with \`status ${request.id}\`.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The answer to `extend`: the extension request, and whether it waits for approvers. */
export function extendedReply(extension: RequestView): string {
  return [
    `:hourglass: Filed extension ${extension.id} of request ${extension.extendsRequestId} — ${extension.status}${extension.requiredApprovals === 0 ? ' (approved by the policy: autoApproveExtensions)' : ''}.`,
    describeRequest(extension),
    extension.status === 'pending'
      ? `Needs ${extension.requiredApprovals} approval(s) from someone other than ${extension.requesterName}: press Approve, or \`approve ${extension.id}\`.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The answer to `show <target>`: who may delegate to it now. */
export function delegationReply(view: DelegationView): string {
  const target = `${view.target.samAccountName} (${view.target.dn})`;
  const lines =
    view.principals.length === 0
      ? [`Nobody may delegate to ${target}: its RBCD list is empty.`]
      : [
          `${target} accepts delegation from:`,
          ...view.principals.map((p) => {
            const who = p.samAccountName ?? `${p.sid} (unresolved)`;
            const notes = [
              p.aceType !== 'allow' ? p.aceType : '',
              p.aceType === 'allow' && !p.effective ? 'ineffective mask' : '',
            ].filter(Boolean);
            return `• ${who}${p.domain && p.domain !== view.target.domain ? ` [${p.domain}]` : ''}${notes.length ? ` (${notes.join(', ')})` : ''}`;
          }),
        ];
  lines.push(...view.warnings.map((w) => `:warning: ${w.message}`));
  return lines.join('\n');
}

export function helpReply(command = '/rbcd'): string {
  return [
    `Commands (${command} <command>):`,
    ...USAGE.map((u) => `• ${u}`),
    'Durations: 8h, 30m, 2d or ISO 8601 (PT8H). Reads are open to everyone; changes need a mapped role.',
  ].join('\n');
}
