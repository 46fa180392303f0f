import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, AuditSinkConfig } from '../../config/config.types';
import { UnitOfWork } from '../../database/unit-of-work';
import { JobQueue } from '../../jobs/job-queue.service';
import { AuditService } from '../audit.service';
import { AuditSinkPositionRepository } from './audit-sink-position.repository';

export interface AuditSinkView {
  name: string;
  type: string;
  /** host:port, or the HEC URL (scheme, host, path). */
  destination: string;
  format: string | null;
  deliveredSeq: number;
  headSeq: number;
  /** Events written but not yet acknowledged by the sink. */
  lag: number;
  consecutiveFailures: number;
  totalFailures: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  lastDeliveredAt: string | null;
  nextAttemptAt: string | null;
}

/** What admins see of the sinks, and replay; also queues a catch-up at boot for sinks that lag. */
@Injectable()
export class AuditSinksService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditSinksService.name);

  constructor(
    private readonly audit: AuditService,
    private readonly positions: AuditSinkPositionRepository,
    private readonly jobs: JobQueue,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.worker || this.config.audit.sinks.length === 0) return;
    try {
      for (const sink of await this.list()) {
        if (sink.lag > 0) await this.uow.run((m) => this.enqueue(m, sink.name));
      }
    } catch (error) {
      this.logger.warn(`audit sinks: catch-up not queued at boot (${(error as Error).message})`);
    }
  }

  async list(): Promise<AuditSinkView[]> {
    const head = await this.audit.headSeq();
    const views: AuditSinkView[] = [];
    for (const sink of this.config.audit.sinks) views.push(await this.view(sink, head));
    return views;
  }

  /** Sends everything again from `fromSeq` (receivers de-duplicate on seq); audited. */
  async replay(name: string, fromSeq: number, actor: string): Promise<AuditSinkView> {
    const sink = this.config.audit.sinks.find((s) => s.name === name);
    if (!sink) throw new DomainError('NOT_FOUND', `No audit sink is named "${name}"`, { sink: name });
    const head = await this.audit.headSeq();
    if (!Number.isInteger(fromSeq) || fromSeq < 1 || fromSeq > head + 1) {
      throw new DomainError('VALIDATION_FAILED', `fromSeq must be from 1 to ${head + 1} (the next event)`, {
        fromSeq,
        headSeq: head,
      });
    }
    await this.positions.rewind(name, fromSeq);
    await this.uow.run(async (m) => {
      await this.audit.append(m, { actor, type: 'audit.sink-replayed', data: { sink: name, fromSeq } });
      await this.enqueue(m, name);
    });
    return this.view(sink, await this.audit.headSeq());
  }

  private enqueue(manager: EntityManager, sink: string): Promise<string> {
    return this.jobs.enqueue(manager, { kind: 'audit-sink', payload: { sink } });
  }

  private async view(sink: AuditSinkConfig, head: number): Promise<AuditSinkView> {
    const p = await this.positions.get(sink.name);
    return {
      name: sink.name,
      type: sink.type,
      destination: sink.type === 'syslog' ? `${sink.host}:${sink.port}` : destinationOf(sink.url),
      format: sink.type === 'syslog' ? sink.format : null,
      deliveredSeq: p.deliveredSeq,
      headSeq: head,
      lag: Math.max(0, head - p.deliveredSeq),
      consecutiveFailures: p.consecutiveFailures,
      totalFailures: p.totalFailures,
      lastError: p.lastError,
      lastAttemptAt: p.lastAttemptAt,
      lastDeliveredAt: p.lastDeliveredAt,
      nextAttemptAt: p.nextAttemptAt,
    };
  }
}

function destinationOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
