import { createHmac } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { DomainEvent } from './event-publisher';
import { redactUrl, splitCredentials } from './webhook-url';
import { escalationTarget } from '../policy/time-policy';
import type { DeliveryTarget } from './delivery-target';
import { JobHandlers } from '../jobs/job-handlers';
import { teamsMessageFor } from './teams-card';

/** The body of a chat post for one event. */
export type ChatMessageFormat = (event: DomainEvent) => unknown;

export interface WebhookJobPayload {
  target: DeliveryTarget;
  /** Index into the configured webhooks (target 'webhook'). */
  index?: number;
  /** The policy rule whose escalateTo receives it (target 'escalation'; null: the defaults'). */
  rule?: number | null;
  event: DomainEvent;
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`: what receivers recompute and compare. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Delivers one outbox webhook job: POSTs the event JSON (signed, with its id for de-duplication),
 * or the Slack message with Approve/Reject buttons. Throws to have the job retried with backoff:
 * on a non-2xx answer, a network error or a timeout (RBCD_WEBHOOK_TIMEOUT_MS, default 10 s).
 * Error messages never hold the URL's credentials.
 */
@Injectable()
export class WebhookSender implements OnModuleInit {
  private chatFormat?: ChatMessageFormat;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handlers: JobHandlers,
  ) {}

  /** How an event reads in the chat channel: the chat module registers its own (chatops: Slack's). */
  useChatFormat(format: ChatMessageFormat): void {
    this.chatFormat = format;
  }

  /** Webhook jobs (webhooks, escalations, chat posts): every failure is retried with backoff. */
  onModuleInit(): void {
    this.handlers.register('webhook', (job) => this.deliver(job.payload as unknown as WebhookJobPayload), {
      retryable: () => true,
      outbound: true,
    });
  }

  async deliver(payload: WebhookJobPayload): Promise<{ status: number }> {
    let url: string;
    let body: string;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'rbcd-broker' };
    const escalation =
      payload.target === 'escalation' ? escalationTarget(this.config.policy, payload.rule ?? null) : undefined;
    if (payload.target === 'escalation' && !escalation) return { status: 0 }; // removed from the policy since
    if (payload.target === 'teams') {
      const teams = this.config.chat.teams;
      if (!teams) return { status: 0 }; // Teams was removed from the configuration since
      url = teams.webhookUrl;
      body = JSON.stringify(teamsMessageFor(payload.event, this.config.console.publicUrl ?? ''));
    } else if (payload.target === 'slack' || escalation?.format === 'chat') {
      url = escalation?.url ?? this.config.chat.slack?.notifyUrl ?? '';
      if (!this.chatFormat) throw new Error('No chat message format is registered in this process');
      body = JSON.stringify(this.chatFormat(payload.event));
    } else if (escalation) {
      url = escalation.url;
      body = JSON.stringify(payload.event);
      headers['X-RBCD-Event'] = payload.event.type;
      headers['X-RBCD-Event-Id'] = payload.event.id;
      if (escalation.secret) headers['X-RBCD-Signature'] = signBody(escalation.secret, body);
    } else {
      const hook = this.config.webhooks[payload.index ?? -1];
      if (!hook) return { status: 0 }; // the webhook was removed from the configuration: nothing to deliver
      url = hook.url;
      body = JSON.stringify(payload.event);
      headers['X-RBCD-Event'] = payload.event.type;
      headers['X-RBCD-Event-Id'] = payload.event.id;
      if (hook.secret) headers['X-RBCD-Signature'] = signBody(hook.secret, body);
    }
    if (!url) return { status: 0 };
    const shown = redactUrl(url, payload.target);
    const { url: plainUrl, authorization } = splitCredentials(url);
    if (authorization) headers.Authorization = authorization;
    let response: Response;
    try {
      response = await fetch(plainUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new Error(`${shown}: ${describeFetchError(error, this.config.webhookTimeoutMs)}`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`${shown} answered ${response.status}`);
    return { status: response.status };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}
