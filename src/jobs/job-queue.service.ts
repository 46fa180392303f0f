import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { deterministicId } from '../common/deterministic-id';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { Listening } from '../database/notification-channels';
import { UnitOfWork } from '../database/unit-of-work';
import type { JobEntity, JobKind, JobStatus } from './job.entity';
import { type JobOutcome, JobRepository } from './job.repository';

export interface NewJob {
  kind: JobKind;
  requestId?: string | null;
  payload?: Record<string, unknown>;
  /** Same key, same job: a second enqueue is ignored (idempotent outbox). */
  dedupeKey?: string;
  runAt?: Date;
}

/**
 * The database-backed outbox. Jobs are enqueued in the caller's transaction and leased by workers:
 * on PostgreSQL with FOR UPDATE SKIP LOCKED (several replicas, each job to exactly one of them);
 * on SQLite inside the single-writer queue. A lease that runs out (crashed worker) is taken over.
 */
@Injectable()
export class JobQueue {
  readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly enqueuedListeners = new Set<() => void>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(manager: EntityManager, job: NewJob): Promise<string> {
    const now = this.clock.nowIso();
    const id = job.dedupeKey ? deterministicId(job.dedupeKey) : randomUUID();
    await this.jobs.insertIfAbsent(manager, {
      id,
      kind: job.kind,
      requestId: job.requestId ?? null,
      payload: job.payload ?? {},
      status: 'queued',
      attempts: 0,
      runAt: (job.runAt ?? this.clock.now()).toISOString(),
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    });
    // This process's worker starts at once, not at its next poll; on PostgreSQL the other replicas'
    // workers hear it too (NOTIFY, delivered at commit). Audit-sink jobs, one per audit event when
    // sinks are configured, are left to the wake-up of the local worker and the poll.
    if (job.kind !== 'audit-sink') await this.jobs.signalEnqueued(manager);
    this.uow.afterCommit(manager, () => this.enqueuedListeners.forEach((listener) => listener()));
    return id;
  }

  /** `listener` runs after each transaction that enqueued a job has committed (the worker's wake-up). */
  onEnqueued(listener: () => void): void {
    this.enqueuedListeners.add(listener);
  }

  /** `listener` runs whenever any replica enqueues a job (PostgreSQL, LISTEN/NOTIFY; a no-op on SQLite). */
  onEnqueuedAnywhere(listener: () => void): Listening {
    return this.jobs.listenForEnqueued(listener);
  }

  /** Leases up to `limit` due jobs (of the given kinds) for this worker. */
  async lease(limit: number, kinds?: JobKind[]): Promise<JobEntity[]> {
    const now = this.clock.nowIso();
    const leaseUntil = new Date(this.clock.now().getTime() + this.config.jobs.leaseMs).toISOString();
    return this.uow.run((m) => this.jobs.leaseDue(m, { now, leaseUntil, owner: this.owner, limit, kinds }));
  }

  async complete(job: JobEntity, manager?: EntityManager): Promise<void> {
    await this.finish(job, { status: 'done', lastError: null }, manager);
  }

  /**
   * Marks a leased job done inside the caller's transaction, only while this worker still holds its
   * lease (a fencing check): false when the lease ran out and another worker took the job over, so
   * the caller rolls its effects back and the job's effects happen once.
   */
  async completeIfHeld(job: JobEntity, manager: EntityManager): Promise<boolean> {
    return this.jobs.completeIfHeld(manager, job.id, this.owner, this.clock.nowIso());
  }

  async retryLater(job: JobEntity, error: string, delayMs: number): Promise<void> {
    await this.finish(job, {
      status: 'queued',
      lastError: error,
      runAt: new Date(this.clock.now().getTime() + delayMs).toISOString(),
    });
  }

  /** Back to the queue without using up an attempt: the job waits for something an operator must fix. */
  async waitLater(job: JobEntity, error: string, delayMs: number): Promise<void> {
    await this.finish(job, {
      status: 'queued',
      lastError: error,
      runAt: new Date(this.clock.now().getTime() + delayMs).toISOString(),
      giveBackAttempt: true,
    });
  }

  async fail(job: JobEntity, error: string, manager?: EntityManager): Promise<void> {
    await this.finish(job, { status: 'failed', lastError: error }, manager);
  }

  /** Gives leased jobs back at shutdown so another replica (or the next start) takes them at once. */
  async releaseAll(): Promise<void> {
    await this.jobs.releaseAll(this.owner);
  }

  /** Whether a request has a job still to run (queued, or leased by a worker that may have died). */
  async hasLiveJob(requestId: string): Promise<boolean> {
    return (await this.jobs.countLive(requestId)) > 0;
  }

  /** One job of `kind`, or null. */
  async find(kind: JobKind, id: string, manager: EntityManager = this.uow.manager): Promise<JobEntity | null> {
    return this.jobs.find(manager, kind, id);
  }

  /** Jobs of `kind`, newest first. */
  async list(kind: JobKind, options: { status?: JobStatus; limit: number }): Promise<JobEntity[]> {
    return this.jobs.list(kind, options);
  }

  /** A job that failed for good, queued again with fresh attempts, due now; false when it is not failed. */
  async requeueFailed(manager: EntityManager, id: string): Promise<boolean> {
    return this.jobs.requeueFailed(manager, id, this.clock.nowIso());
  }

  backoffMs(attempts: number): number {
    const base = this.config.jobs.backoffBaseMs * 2 ** Math.max(0, attempts - 1);
    return Math.min(base, 10 * 60_000) + Math.floor(Math.random() * this.config.jobs.backoffBaseMs);
  }

  async depth(): Promise<{ queued: number; running: number; failed: number; oldestQueuedAt: string | null }> {
    return this.jobs.depth();
  }

  private async finish(
    job: JobEntity,
    changes: Omit<JobOutcome, 'leaseOwner' | 'updatedAt'>,
    manager?: EntityManager,
  ): Promise<void> {
    // A finished job keeps the worker that ran it (who did what, for operators); a job going back
    // to the queue belongs to nobody.
    const outcome: JobOutcome = {
      ...changes,
      leaseOwner: changes.status === 'queued' ? null : this.owner,
      updatedAt: this.clock.nowIso(),
    };
    if (manager) await this.jobs.finish(manager, job.id, this.owner, outcome);
    else await this.uow.run((m) => this.jobs.finish(m, job.id, this.owner, outcome));
  }
}
