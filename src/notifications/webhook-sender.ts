import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { DomainEvent } from './event-publisher';
import { slackMessageFor } from '../chatops/slack-messages';

const TIMEOUT_MS = 10_000;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delivers one outbox webhook job: POSTs the event JSON, signed; throws to be retried. */
@Injectable()
export class WebhookSender {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async deliver(payload: { target: 'webhook' | 'slack'; index?: number; event: DomainEvent }): Promise<{ status: number }> {
    let url: string;
    let body: string;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'rbcd-broker' };
    if (payload.target === 'slack') {
      url = this.config.chat.slack?.notifyUrl ?? '';
      body = JSON.stringify(slackMessageFor(payload.event));
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
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`${url.replace(/\/\/[^/]*@/, '//')} answered ${response.status}`);
    return { status: response.status };
  }
}
