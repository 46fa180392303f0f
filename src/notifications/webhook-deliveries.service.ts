import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import type { JobEntity, JobStatus } from '../jobs/job.entity';
import { JobQueue } from '../jobs/job-queue.service';
import type { WebhookJobPayload } from './webhook-sender';
import { escalationTarget } from '../policy/time-policy';
import { redactUrl } from './webhook-url';
import type { DeliveryTarget } from './delivery-target';

export interface WebhookDelivery {
  id: string;
  target: DeliveryTarget;
  eventType: string;
  eventId: string;
  requestId: string | null;
  /** Without credentials, query or (Slack) the secret path. */
  url: string | null;
  status: JobStatus;
  attempts: number;
  lastError: string | null;
  runAt: string;
  createdAt: string;
  updatedAt: string;
}

/** What admins see of outbound deliveries: the durable webhook jobs, newest first. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Queues a delivery that failed for good (retries exhausted) once more, with fresh attempts:
   * for when the receiver is back after a long outage. Same event, same id, same signature.
   */
  async retry(id: string, caller: Principal): Promise<WebhookDelivery> {
    const now = this.clock.nowIso();
    const row = await this.uow.run(async (m) => {
      const job = await this.jobs.find('webhook', id, m);
      if (!job) throw new DomainError('NOT_FOUND', `No webhook delivery ${id}`);
      if (job.status !== 'failed')
        throw new DomainError(
          'INVALID_STATE',
          `Delivery ${id} is ${job.status}; only failed deliveries are retried by hand`,
        );
      await this.jobs.requeueFailed(m, id);
      await this.audit.append(m, {
        actor: caller.id,
        type: 'webhook.retried',
        requestId: job.requestId,
        data: { deliveryId: id, lastError: job.lastError },
      });
      return { ...job, status: 'queued' as const, attempts: 0, runAt: now, updatedAt: now };
    });
    return this.toDelivery(row);
  }

  async list(query: { status?: JobStatus; limit?: number }): Promise<{ items: WebhookDelivery[] }> {
    const rows = await this.jobs.list('webhook', {
      status: query.status,
      limit: Math.min(Math.max(query.limit ?? 100, 1), 500),
    });
    return { items: rows.map((row) => this.toDelivery(row)) };
  }

  private toDelivery(row: JobEntity): WebhookDelivery {
    const payload = row.payload as unknown as WebhookJobPayload;
    const target =
      payload.target === 'slack' || payload.target === 'escalation' || payload.target === 'teams'
        ? payload.target
        : 'webhook';
    const url =
      target === 'slack'
        ? this.config.chat.slack?.notifyUrl
        : target === 'teams'
          ? this.config.chat.teams?.webhookUrl
          : target === 'escalation'
            ? escalationTarget(this.config.policy, payload.rule ?? null)?.url
            : this.config.webhooks[payload.index ?? -1]?.url;
    return {
      id: row.id,
      target,
      eventType: payload.event?.type ?? 'unknown',
      eventId: payload.event?.id ?? '',
      requestId: row.requestId,
      url: url ? redactUrl(url, target) : null,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      runAt: row.runAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
