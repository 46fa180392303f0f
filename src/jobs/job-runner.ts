import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../common/errors/domain-error';
import type { Listening } from '../database/notification-channels';
import { APP_CONFIG } from '../config/config.module';
import { DEFAULT_BIND_RETRY_AFTER_MS } from '../directory/domain-connection';
import type { AppConfig } from '../config/config.types';
import { isRetryable, JobHandlers, RetryAt } from './job-handlers';
import type { JobEntity } from './job.entity';
import { JobQueue } from './job-queue.service';

/**
 * The worker: leases due jobs and runs them. Directory jobs run one at a time per process (each
 * job already writes its targets in parallel); webhooks alongside. Started at boot unless
 * RBCD_WORKER=off; tests drive it with runOnce().
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A nudge that came while the loop was busy: the loop runs again instead of sleeping. */
  private nudged = false;
  private listening?: Listening;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: JobHandlers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A job enqueued here (an approval, a revoke, a webhook) wakes this worker once it is committed.
    queue.onEnqueued(() => this.nudge());
  }

  onApplicationBootstrap(): void {
    if (!this.config.worker) return;
    this.running = true;
    this.loop = this.run();
    // PostgreSQL: a job enqueued by any replica wakes this worker at once (LISTEN/NOTIFY).
    this.listening = this.queue.onEnqueuedAnywhere(() => this.nudge());
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.listening?.stop();
    this.listening = undefined;
    this.wake?.();
    await this.loop;
    await this.queue.releaseAll().catch(() => undefined);
  }

  /** Processes every job that is due now; returns how many ran. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await this.queue.lease(10);
      if (jobs.length === 0) return total;
      // Jobs that talk to outside receivers run side by side (each sink keeps its own order).
      const outbound = (job: JobEntity) => this.handlers.isOutbound(job.kind);
      await Promise.all(jobs.filter(outbound).map((j) => this.execute(j)));
      for (const job of jobs.filter((j) => !outbound(j))) await this.execute(job);
      total += jobs.length;
    }
  }

  /** Lets a caller (a new approval) wake the loop instead of waiting for the next poll. */
  nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.runOnce();
      } catch (error) {
        this.logger.error({ err: error }, 'worker loop failed; retrying');
      }
      if (this.nudged) {
        this.nudged = false;
        continue;
      }
      // Shutdown may have come while runOnce was busy (no wake to call then): never sleep after it.
      if (!this.running) break;
      await Promise.race([
        sleep(this.config.jobs.pollIntervalMs),
        new Promise<void>((resolve) => (this.wake = resolve)),
      ]);
      this.wake = undefined;
    }
  }

  private async execute(job: JobEntity): Promise<void> {
    let registration: ReturnType<JobHandlers['of']> | undefined;
    let lastAttempt = job.attempts >= this.config.jobs.maxAttempts;
    try {
      registration = this.handlers.of(job.kind);
      // A grant must end (and a failed one be taken back) even after a long DC outage: such kinds
      // are retried for as long as it takes; so is the audit stream to a SIEM that is down.
      if (registration.retryForever) lastAttempt = false;
      await registration.handler(job, { lastAttempt });
      await this.queue.complete(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof DomainError && error.code === 'DIRECTORY_CREDENTIALS_REFUSED') {
        // Not an outage: backoff and attempts would only lock the account out or fail the request.
        // The job waits, without using an attempt, until the credentials are fixed (one try a minute).
        this.logger.error(`${job.kind} job ${job.id} waits: ${message}`);
        await this.queue.waitLater(job, message, this.credentialsWaitMs());
        return;
      }
      if (error instanceof RetryAt) {
        // A sink that is down (or held by another replica): the job waits for the sink's own backoff.
        await this.queue.waitLater(job, message, Math.max(0, error.at.getTime() - Date.now()));
        return;
      }
      const retry = (registration?.retryable ?? isRetryable)(error);
      if (retry && !lastAttempt) {
        const delay = this.queue.backoffMs(job.attempts);
        this.logger.warn(
          `${job.kind} job ${job.id} failed (attempt ${job.attempts}): ${message}; retry in ${Math.round(delay / 1000)} s`,
        );
        await this.queue.retryLater(job, message, delay);
      } else {
        this.logger.error(`${job.kind} job ${job.id} failed for good: ${message}`);
        await this.queue.fail(job, message);
      }
    }
  }

  /** How long a job waits after refused credentials: the shortest bind window of the domains. */
  private credentialsWaitMs(): number {
    return Math.min(
      DEFAULT_BIND_RETRY_AFTER_MS,
      ...this.config.domains.map((d) => d.bindRetryAfterMs ?? DEFAULT_BIND_RETRY_AFTER_MS),
    );
  }
}
