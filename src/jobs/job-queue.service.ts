import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock';
import { deterministicId } from '../common/deterministic-id';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { JobEntity, type JobKind, type JobStatus } from './job.entity';
import { JobSignals } from './job-signals';

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
    private readonly clock: Clock,
    private readonly signals: JobSignals,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(manager: EntityManager, job: NewJob): Promise<string> {
    const now = this.clock.nowIso();
    const id = job.dedupeKey ? deterministicId(job.dedupeKey) : randomUUID();
    await manager
      .createQueryBuilder()
      .insert()
      .into(JobEntity)
      .values({
        id,
        kind: job.kind,
        requestId: job.requestId ?? null,
        payload: (job.payload ?? {}) as never,
        status: 'queued',
        attempts: 0,
        runAt: (job.runAt ?? this.clock.now()).toISOString(),
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      })
      .orIgnore()
      .execute();
    // This process's worker starts at once, not at its next poll; on PostgreSQL the other replicas'
    // workers hear it too (NOTIFY, delivered at commit). Audit-sink jobs, one per audit event when
    // sinks are configured, are left to the wake-up of the local worker and the poll.
    if (job.kind !== 'audit-sink') await this.signals.signal(manager);
    this.uow.afterCommit(manager, () => this.enqueuedListeners.forEach((listener) => listener()));
    return id;
  }

  /** `listener` runs after each transaction that enqueued a job has committed (the worker's wake-up). */
  onEnqueued(listener: () => void): void {
    this.enqueuedListeners.add(listener);
  }

  /** Leases up to `limit` due jobs (of the given kinds) for this worker. */
  async lease(limit: number, kinds?: JobKind[]): Promise<JobEntity[]> {
    const now = this.clock.nowIso();
    const leaseUntil = new Date(this.clock.now().getTime() + this.config.jobs.leaseMs).toISOString();
    return this.uow.run(async (manager) => {
      const query = manager
        .getRepository(JobEntity)
        .createQueryBuilder('j')
        .select('j.id', 'id')
        .where("((j.status = 'queued' AND j.run_at <= :now) OR (j.status = 'running' AND j.lease_until < :now))", {
          now,
        })
        .orderBy('j.run_at', 'ASC')
        .limit(limit);
      if (kinds?.length) query.andWhere('j.kind IN (:...kinds)', { kinds });
      if (this.uow.isPostgres) query.setLock('pessimistic_write').setOnLocked('skip_locked');
      const ids = (await query.getRawMany<{ id: string }>()).map((r) => r.id);
      if (ids.length === 0) return [];
      await manager
        .createQueryBuilder()
        .update(JobEntity)
        .set({ status: 'running', leaseOwner: this.owner, leaseUntil, updatedAt: now, attempts: () => 'attempts + 1' })
        .where({ id: In(ids) })
        .execute();
      return manager.getRepository(JobEntity).find({ where: { id: In(ids) }, order: { runAt: 'ASC' } });
    });
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
    const result = await manager.update(
      JobEntity,
      { id: job.id, leaseOwner: this.owner, status: 'running' },
      { status: 'done', lastError: null, leaseUntil: null, updatedAt: this.clock.nowIso() },
    );
    return (result.affected ?? 0) > 0;
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
      attempts: (() => 'attempts - 1') as never,
    });
  }

  async fail(job: JobEntity, error: string, manager?: EntityManager): Promise<void> {
    await this.finish(job, { status: 'failed', lastError: error }, manager);
  }

  /** Gives leased jobs back at shutdown so another replica (or the next start) takes them at once. */
  async releaseAll(): Promise<void> {
    await this.uow.run((m) =>
      m.update(
        JobEntity,
        { leaseOwner: this.owner, status: 'running' },
        { status: 'queued', leaseOwner: null, leaseUntil: null, attempts: () => 'attempts - 1' },
      ),
    );
  }

  /** Whether a request has a job still to run (queued, or leased by a worker that may have died). */
  async hasLiveJob(requestId: string): Promise<boolean> {
    return (
      (await this.uow.manager
        .getRepository(JobEntity)
        .count({ where: { requestId, status: In(['queued', 'running']) } })) > 0
    );
  }

  /** One job of `kind`, or null. */
  async find(kind: JobKind, id: string, manager: EntityManager = this.uow.manager): Promise<JobEntity | null> {
    return manager.getRepository(JobEntity).findOne({ where: { id, kind } });
  }

  /** Jobs of `kind`, newest first. */
  async list(kind: JobKind, options: { status?: JobStatus; limit: number }): Promise<JobEntity[]> {
    return this.uow.manager.getRepository(JobEntity).find({
      where: { kind, ...(options.status ? { status: options.status } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: options.limit,
    });
  }

  /** A job that failed for good, queued again with fresh attempts, due now; false when it is not failed. */
  async requeueFailed(manager: EntityManager, id: string): Promise<boolean> {
    const now = this.clock.nowIso();
    const result = await manager.update(
      JobEntity,
      { id, status: 'failed' },
      { status: 'queued', attempts: 0, runAt: now, updatedAt: now, leaseOwner: null, leaseUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  backoffMs(attempts: number): number {
    const base = this.config.jobs.backoffBaseMs * 2 ** Math.max(0, attempts - 1);
    return Math.min(base, 10 * 60_000) + Math.floor(Math.random() * this.config.jobs.backoffBaseMs);
  }

  async depth(): Promise<{ queued: number; running: number; failed: number; oldestQueuedAt: string | null }> {
    const repo = this.uow.manager.getRepository(JobEntity);
    const [queued, running, failed, oldest] = await Promise.all([
      repo.count({ where: { status: 'queued' } }),
      repo.count({ where: { status: 'running' } }),
      repo.count({ where: { status: 'failed' } }),
      repo.findOne({ where: { status: 'queued' }, order: { createdAt: 'ASC' } }),
    ]);
    return { queued, running, failed, oldestQueuedAt: oldest?.createdAt ?? null };
  }

  private async finish(job: JobEntity, changes: Partial<JobEntity>, manager?: EntityManager): Promise<void> {
    // A finished job keeps the worker that ran it (who did what, for operators); a job going back
    // to the queue belongs to nobody.
    const leaseOwner = changes.status === 'queued' ? null : this.owner;
    const apply = (m: EntityManager) =>
      m.update(JobEntity, { id: job.id, leaseOwner: this.owner }, {
        ...changes,
        leaseOwner,
        leaseUntil: null,
        updatedAt: this.clock.nowIso(),
      } as never);
    if (manager) await apply(manager);
    else await this.uow.run(apply);
  }
}
