import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiter } from '../auth/rate-limiter';
import { assertRoles, ROLES, type Principal, type Role } from '../auth/roles';
import { mapError } from '../common/errors/error-mapping';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DelegationsService } from '../delegations/delegations.service';
import { PersonsService } from '../persons/persons.service';
import { RequestsService } from '../requests/requests.service';
import type { RequestView } from '../requests/request.view';
import { type ChatCommand, type ChatCommandKind, parseChatCommand } from './chat-command.parser';
import {
  breakGlassReply,
  type ChatReply,
  createdReply,
  delegationReply,
  describeRequest,
  extendedReply,
  helpReply,
  requestBlocks,
  requestDetails,
} from './slack-messages';
import { ExtensionsService } from '../requests/extensions.service';

/**
 * The roles each command needs: the same as the REST route / GraphQL field doing the same thing.
 * null: open to every verified chat user, mapped or not (reads).
 */
export const CHAT_COMMAND_ROLES: Record<ChatCommandKind, Role[] | null> = {
  help: null,
  show: null,
  status: null,
  grant: ['requester'],
  revoke: ['requester'],
  breakglass: ['breakglass'],
  cancel: ['requester'],
  extend: ['requester'],
  'revoke-grant': ['requester', 'approver'],
  approve: ['approver'],
  reject: ['approver'],
};

export interface ChatUser {
  id: string;
  name?: string;
}

/** Slack's block_actions payload (the fields used). */
export interface BlockActionsPayload {
  type?: string;
  user?: { id?: string; username?: string; name?: string };
  actions?: { action_id?: string; value?: string }[];
  response_url?: string;
}

/** Runs chat commands and button presses through the same services (and role rules) as REST. */
@Injectable()
export class ChatopsService {
  private readonly logger = new Logger(ChatopsService.name);

  constructor(
    private readonly requests: RequestsService,
    private readonly delegations: DelegationsService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly persons: PersonsService,
    private readonly extensions: ExtensionsService,
  ) {
    const unlinked = Object.entries(config.chat.slack?.users ?? {}).filter(([, u]) => !u.user);
    if (unlinked.length) {
      this.logger.warn(
        `chat.slack.users ${unlinked.map(([id]) => id).join(', ')} use the old form (a role list): they are unlinked chat users who can only read; map them as {user: <AD user>, roles: [...]}`,
      );
    }
  }

  /**
   * `slack:<user id>` and the person chat.slack.users links it to, with the roles mapped there and
   * those the person's AD groups give. An unlinked chat id (old form, or not listed) gets no role:
   * it can read (show, status, help) and nothing else.
   */
  async principalFor(user: ChatUser): Promise<Principal> {
    const base = { id: `slack:${user.id}`, name: user.name || user.id, via: 'chat' as const };
    const mapped = this.config.chat.slack?.users[user.id];
    if (!mapped?.user) return { ...base, roles: [], person: null };
    const person = await this.persons.resolveUser(mapped.user);
    const roles = mapped.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    return this.persons.withGroupRoles({ ...base, roles, person });
  }

  async command(user: ChatUser, text: string, slashCommand = '/rbcd'): Promise<ChatReply> {
    const parsed = parseChatCommand(text);
    if (!parsed.ok) return ephemeral(parsed.error);
    let principal: Principal = { id: `slack:${user.id}`, name: user.name || user.id, roles: [], via: 'chat' };
    try {
      principal = await this.principalFor(user);
      return await this.run(parsed.command, principal, slashCommand);
    } catch (error) {
      return ephemeral(this.explain(error, principal, parsed.command.kind));
    }
  }

  /** An Approve / Reject button press: approves exactly like POST /requests/{id}/approve. */
  async interaction(payload: BlockActionsPayload): Promise<ChatReply> {
    const action = payload.actions?.[0];
    const id = action?.value ?? '';
    if (
      payload.type !== 'block_actions' ||
      !payload.user?.id ||
      !action ||
      !['approve', 'reject'].includes(action.action_id ?? '')
    ) {
      return { ...ephemeral('This action is not supported.'), replace_original: false };
    }
    const user = { id: payload.user.id, name: payload.user.username ?? payload.user.name };
    let principal: Principal = { id: `slack:${user.id}`, name: user.name || user.id, roles: [], via: 'chat' };
    const kind = action.action_id === 'approve' ? 'approve' : 'reject';
    let reply: ChatReply;
    try {
      principal = await this.principalFor(user);
      const command: ChatCommand =
        kind === 'approve'
          ? { kind: 'approve', id }
          : { kind: 'reject', id, reason: `Rejected in chat by ${principal.name}` };
      await this.authorise(command.kind, principal);
      const request =
        command.kind === 'approve'
          ? await this.requests.approve(id, principal)
          : await this.requests.reject(id, principal, command.reason);
      const text = `${decisionLine(command.kind, request, principal)}\n${describeRequest(request)}`;
      reply = { response_type: 'in_channel', replace_original: true, text, blocks: requestBlocks(request, text) };
    } catch (error) {
      reply = { ...ephemeral(this.explain(error, principal, kind)), replace_original: false };
    }
    if (payload.response_url) this.postToResponseUrl(payload.response_url, reply);
    return reply;
  }

  private async run(command: ChatCommand, principal: Principal, slashCommand: string): Promise<ChatReply> {
    await this.authorise(command.kind, principal);
    switch (command.kind) {
      case 'help':
        return ephemeral(helpReply(slashCommand));
      case 'show':
        return ephemeral(delegationReply(await this.delegations.forTarget(command.target)));
      case 'status':
        return ephemeral(requestDetails(await this.requests.get(command.id)));
      case 'grant':
      case 'revoke': {
        const request = await this.requests.create(
          {
            action: command.kind,
            targets: command.targets,
            principals: command.principals,
            justification: command.justification,
            ...(command.kind === 'grant' && command.duration ? { duration: command.duration } : {}),
            ...(command.kind === 'grant' && command.startsAt ? { startsAt: command.startsAt } : {}),
            ...(command.ticket ? { ticket: { system: 'chat', id: command.ticket } } : {}),
          },
          principal,
        );
        return inChannel(createdReply(request));
      }
      case 'breakglass': {
        const request = await this.requests.create(
          {
            action: 'grant',
            emergency: true,
            targets: command.targets,
            principals: command.principals,
            justification: command.justification,
            ...(command.duration ? { duration: command.duration } : {}),
            ticket: { system: 'chat', id: command.ticket },
          },
          principal,
        );
        return inChannel(breakGlassReply(request));
      }
      case 'approve':
      case 'reject': {
        const request =
          command.kind === 'approve'
            ? await this.requests.approve(command.id, principal, command.comment)
            : await this.requests.reject(command.id, principal, command.reason);
        return inChannel(`${decisionLine(command.kind, request, principal)}\n${requestDetails(request)}`);
      }
      case 'cancel':
        return inChannel(`Cancelled.\n${describeRequest(await this.requests.cancel(command.id, principal))}`);
      case 'extend': {
        const extension = await this.extensions.extend(
          command.id,
          { duration: command.duration, justification: command.justification },
          principal,
        );
        return inChannel(extendedReply(extension));
      }
      case 'revoke-grant':
        return inChannel(
          `:wastebasket: ${principal.name} revoked the grant; the service is removing it.\n${describeRequest(await this.requests.revoke(command.id, principal, command.comment))}`,
        );
    }
  }

  /** The roles check of every transport, then the per-identity rate limit for changes. */
  private async authorise(kind: ChatCommandKind, principal: Principal): Promise<void> {
    const required = CHAT_COMMAND_ROLES[kind];
    if (required === null) return;
    // Owners decide on their targets without the approver role: the service checks ownership.
    const ownerMay = (kind === 'approve' || kind === 'reject') && principal.person?.kind === 'directory';
    if (!ownerMay) assertRoles(principal, required);
    await this.limiter.consume(principal.id);
  }

  private explain(error: unknown, principal: Principal, kind: ChatCommandKind): string {
    const mapped = mapError(error);
    if (mapped.unexpected) {
      this.logger.error({ err: error }, 'chat command failed');
      return ':boom: Something went wrong on our side; an operator will find it in the logs.';
    }
    const { code, message } = mapped.body.error;
    switch (code) {
      case 'SELF_APPROVAL':
        return kind === 'approve'
          ? ":no_entry: You can't approve your own request (nor one filed on your behalf) — another approver has to."
          : `:no_entry: ${message}.`;
      case 'FORBIDDEN':
        if (!principal.person) {
          return `:lock: Your chat user (${principal.id.slice('slack:'.length)}) is not linked to a person, so you can use show, status and help only. An admin links it under chat.slack.users as {user: <you@domain>, roles: [...]}.`;
        }
        return principal.roles.length === 0
          ? `:lock: Your chat user (${principal.id.slice('slack:'.length)}) is linked to ${principal.person.upn ?? principal.person.name} but holds no role, so you can use show, status and help only.`
          : `:lock: ${message}.`;
      case 'RATE_LIMITED':
        return `:hourglass: ${message}.`;
      default:
        return `:warning: ${message} (${code})`;
    }
  }

  /** Slack shows button-press answers only through response_url; best effort, never delays the 200. */
  private postToResponseUrl(url: string, reply: ChatReply): void {
    if (!/^https?:\/\//i.test(url)) return;
    void fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(reply),
      signal: AbortSignal.timeout(5000),
      redirect: 'error',
    })
      .then((response) => response.body?.cancel())
      .catch((error) => this.logger.warn(`chat response_url post failed: ${(error as Error).message}`));
  }
}

function ephemeral(text: string): ChatReply {
  return { response_type: 'ephemeral', text };
}

function inChannel(text: string): ChatReply {
  return { response_type: 'in_channel', text };
}

function decisionLine(kind: 'approve' | 'reject', request: RequestView, principal: Principal): string {
  if (kind === 'reject') return `:x: ${principal.name} rejected request ${request.id}.`;
  const count = request.approvals.filter((a) => a.decision === 'approve').length;
  return request.status === 'pending'
    ? `:ballot_box_with_check: ${principal.name} approved request ${request.id} (${count}/${request.requiredApprovals}); it needs more approvals.`
    : request.status === 'scheduled'
      ? `:calendar: ${principal.name} approved request ${request.id}; it is scheduled and will be applied at ${request.startsAt}.`
      : `:white_check_mark: ${principal.name} approved request ${request.id}; it is ${request.status} and will be applied shortly.`;
}
