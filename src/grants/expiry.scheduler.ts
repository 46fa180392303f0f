import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { Clock } from '../common/clock';
import { RepeatingTimer } from '../common/repeating-timer';
import { UnitOfWork } from '../database/unit-of-work';
import { RequestRepository } from '../requests/request.repository';
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
    private readonly requests: RequestRepository,
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
    // A merged extension ends with the grant it extended (no end-grant of its own).
    const due = await this.requests.dueToExpire(this.clock.nowIso(), 500);
    let enqueued = 0;
    for (const request of due) {
      await this.uow.run(async (m) => {
        // Read again under the row lock: an extension merged since the scan moved expiresAt, and
        // the extension checks for this job under the same lock (one of the two wins, never both).
        const now = await this.requests.lock(m, request.id);
        if (!now || now.status !== 'applied' || !now.expiresAt || now.expiresAt >= this.clock.nowIso()) return;
        enqueued++;
        await this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: request.id,
          payload: { reason: 'expired', actor: 'system' },
          dedupeKey: `end-grant:${request.id}`,
        });
      });
    }
    return enqueued;
  }
}
