import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { type Listening, NotificationChannels } from '../database/notification-channels';
import { UnitOfWork } from '../database/unit-of-work';
import { JobEntity, type JobKind, type JobStatus } from './job.entity';

/** The PostgreSQL channel that says "a job was enqueued" to every replica's worker. */
export const JOBS_CHANNEL = 'rbcd_jobs';

/** How a leased job ends, or goes back to the queue. */
export interface JobOutcome {
  status: JobStatus;
  lastError: string | null;
  /** The worker that ran it (a finished job), or null (a job back in the queue belongs to nobody). */
  leaseOwner: string | null;
  runAt?: string;
  /** The attempt this lease counted is given back (the job waits for something an operator must fix). */
  giveBackAttempt?: boolean;
  updatedAt: string;
}

/** The only code that reads or writes the jobs table. */
@Injectable()
export class JobRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly channels: NotificationChannels,
  ) {}

  /** Inserts the job unless a job with its id exists (same dedupe key, same job). */
  async insertIfAbsent(m: EntityManager, job: JobEntity): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(JobEntity)
      .values({ ...job, payload: job.payload as never })
      .orIgnore()
      .execute();
  }

  /** In the enqueuing transaction: every replica's worker hears it when (and if) it commits (PostgreSQL). */
  signalEnqueued(m: EntityManager): Promise<void> {
    return this.channels.notify(m, JOBS_CHANNEL);
  }

  /** Calls `onSignal` whenever any replica enqueues a job (PostgreSQL only; a no-op on SQLite). */
  listenForEnqueued(onSignal: () => void): Listening {
    return this.channels.listen(JOBS_CHANNEL, onSignal);
  }

  /**
   * Leases up to `limit` jobs due at `now` (of the given kinds), or whose lease ran out, to
   * `owner` until `leaseUntil`; each lease counts an attempt. PostgreSQL: FOR UPDATE SKIP LOCKED,
   * so replicas leasing at once never take the same job; SQLite has one writer.
   */
  async leaseDue(
    m: EntityManager,
    lease: { now: string; leaseUntil: string; owner: string; limit: number; kinds?: JobKind[] },
  ): Promise<JobEntity[]> {
    const { now, leaseUntil, owner, limit, kinds } = lease;
    const query = m
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
    await m
      .createQueryBuilder()
      .update(JobEntity)
      .set({ status: 'running', leaseOwner: owner, leaseUntil, updatedAt: now, attempts: () => 'attempts + 1' })
      .where({ id: In(ids) })
      .execute();
    return m.getRepository(JobEntity).find({ where: { id: In(ids) }, order: { runAt: 'ASC' } });
  }

  /** Ends a job `owner` leased (a no-op when another worker holds it now). */
  async finish(m: EntityManager, id: string, owner: string, outcome: JobOutcome): Promise<void> {
    const { giveBackAttempt, ...changes } = outcome;
    await m.update(JobEntity, { id, leaseOwner: owner }, {
      ...changes,
      leaseUntil: null,
      ...(giveBackAttempt ? { attempts: () => 'attempts - 1' } : {}),
    } as never);
  }

  /** Marks the job done only while `owner` still holds its lease; false when it does not. */
  async completeIfHeld(m: EntityManager, id: string, owner: string, at: string): Promise<boolean> {
    const result = await m.update(
      JobEntity,
      { id, leaseOwner: owner, status: 'running' },
      { status: 'done', lastError: null, leaseUntil: null, updatedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Every job `owner` holds goes back to the queue, its attempt given back. */
  async releaseAll(owner: string): Promise<void> {
    await this.uow.run((m) =>
      m.update(
        JobEntity,
        { leaseOwner: owner, status: 'running' },
        { status: 'queued', leaseOwner: null, leaseUntil: null, attempts: () => 'attempts - 1' },
      ),
    );
  }

  /** A job that failed for good, queued again with fresh attempts, due at `now`; false when it is not failed. */
  async requeueFailed(m: EntityManager, id: string, now: string): Promise<boolean> {
    const result = await m.update(
      JobEntity,
      { id, status: 'failed' },
      { status: 'queued', attempts: 0, runAt: now, updatedAt: now, leaseOwner: null, leaseUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Jobs of a request still to run (queued, or leased by a worker that may have died). */
  countLive(requestId: string): Promise<number> {
    return this.uow.manager.getRepository(JobEntity).count({ where: { requestId, status: In(['queued', 'running']) } });
  }

  find(m: EntityManager, kind: JobKind, id: string): Promise<JobEntity | null> {
    return m.getRepository(JobEntity).findOne({ where: { id, kind } });
  }

  /** Jobs of `kind`, newest first. */
  list(kind: JobKind, options: { status?: JobStatus; limit: number }): Promise<JobEntity[]> {
    return this.uow.manager.getRepository(JobEntity).find({
      where: { kind, ...(options.status ? { status: options.status } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: options.limit,
    });
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
}
