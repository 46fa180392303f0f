import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { Clock } from '../common/clock';
import { RepeatingTimer } from '../common/repeating-timer';
import { UnitOfWork } from '../database/unit-of-work';
import { In, LessThan } from 'typeorm';
import { RequestEntity } from '../requests/request.entity';
import { JobQueue } from '../jobs/job-queue.service';

/**
 * Finds applied grants past expiresAt (also those that expired while the service was down) and
 * enqueues their removal through the same durable job path; the job id is derived from the
 * request, so several replicas enqueue it once.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private readonly timer = new RepeatingTimer(
    () => this.enqueueDue(),
    (error) => this.logger.error({ err: error }, 'expiry check failed'),
  );

  constructor(
    private readonly jobs: JobQueue,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.worker) this.timer.start(this.config.jobs.expiryCheckIntervalMs, 0);
  }

  onApplicationShutdown(): void {
    this.timer.stop();
  }

  async enqueueDue(): Promise<number> {
    const due = await this.uow.manager.getRepository(RequestEntity).find({
      where: { status: 'applied', action: In(['grant', 'adopt']), expiresAt: LessThan(this.clock.nowIso()) },
      order: { expiresAt: 'ASC' },
      take: 500,
    });
    for (const request of due) {
      await this.uow.run((m) =>
        this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: request.id,
          payload: { reason: 'expired', actor: 'system' },
          dedupeKey: `end-grant:${request.id}`,
        }),
      );
    }
    return due.length;
  }
}
