import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { isRetryable, JobHandlers } from '../jobs/job-handlers';
import { JobQueue } from '../jobs/job-queue.service';
import type { RequestEntity, RequestResult, TargetResult } from '../requests/request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle';
import { RequestRepository } from '../requests/request.repository';
import { RequestTimers } from '../timers/request-timers';
import { AdoptWriter } from './adopt-writer';
import { ExtensionMerger } from './extension-merger';
import { GrantEnding } from './grant-ending';
import { GrantFailure } from './grant-failure';
import { GrantWriter } from './grant-writer';
import { GrantRepository } from './grant.repository';
import { RevokeWriter } from './revoke-writer';

/**
 * The grant jobs. Puts approved requests in force (GrantWriter, RevokeWriter, AdoptWriter), ends
 * grants (GrantEnding) and takes back failed ones (GrantFailure), target by target, through the
 * directory's compare-and-swap write. Every write follows DirectoryWrites: an intent committed
 * before it, the outcome (grant rows, audit event) committed after it, the target locked in between
 * (TargetLocks). A re-run after a crash resumes pending intents, changes nothing that is already in
 * force, and takes the ownership of an ACE from the intent, never from what AD shows.
 */
@Injectable()
export class GrantApplier implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly requests: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly grants: GrantRepository,
    private readonly granter: GrantWriter,
    private readonly revoker: RevokeWriter,
    private readonly adopter: AdoptWriter,
    private readonly ending: GrantEnding,
    private readonly failure: GrantFailure,
    private readonly extensions: ExtensionMerger,
    private readonly handlers: JobHandlers,
    private readonly jobs: JobQueue,
    private readonly timers: RequestTimers,
    private readonly clock: Clock,
  ) {}

  /** The grant jobs: apply an approved request, end a grant (expiry, revoke), take back a failed one. */
  onModuleInit(): void {
    this.handlers.register('apply', (job, { lastAttempt }) => this.apply(job.requestId as string, lastAttempt));
    this.handlers.register(
      'end-grant',
      (job) =>
        this.endGrant(
          job.requestId as string,
          job.payload.reason === 'revoked' ? 'revoked' : 'expired',
          String(job.payload.actor ?? 'system'),
        ),
      { retryForever: true },
    );
    this.handlers.register('rollback', (job) => this.rollback(job.requestId as string), { retryForever: true });
  }

  /** Runs an apply job. Throws a retryable error to be retried; returns when the request is final. */
  async apply(requestId: string, lastAttempt: boolean): Promise<void> {
    const request = await this.requests.find(requestId);
    // `scheduled`: this job was due at startsAt; the policy is checked again below, as for every apply.
    if (!request || !['approved', 'scheduled', 'applying'].includes(request.status)) return;
    // An extension of a live grant moves its expiry (no write); of an ended one, it is a grant of its own.
    if (request.status === 'approved' && (await this.extensions.tryMerge(request))) return;
    if (request.status === 'approved' || request.status === 'scheduled') {
      await this.uow.run((m) =>
        this.lifecycle.transition(m, request, 'applying', { actor: 'system', audit: 'request.applying', event: null }),
      );
    }
    const results: TargetResult[] = request.targets.map((target) => ({ target, status: 'pending' }));
    try {
      if (request.action === 'adopt') await this.adopter.adopt(request, results);
      else if (request.action === 'grant') await this.granter.grant(request, results);
      else await this.revoker.revoke(request, results);
    } catch (error) {
      const failed =
        error instanceof DomainError
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL_ERROR', message: 'Unexpected error while applying' };
      if (isRetryable(error) && !lastAttempt) {
        await this.saveResult(request, { targets: results, error: failed });
        throw error;
      }
      await this.failure.fail(request, results, failed, error);
      return;
    }
    await this.finishApplied(request, results);
  }

  /** Ends a grant (expiry or revoke): removes each ACE no other active grant needs. */
  endGrant(requestId: string, reason: 'expired' | 'revoked', actor: string): Promise<void> {
    return this.ending.endGrant(requestId, reason, actor);
  }

  /** The rollback job of a failed grant request: ends its grants and removes the ACEs it added. */
  rollback(requestId: string): Promise<void> {
    return this.failure.rollback(requestId);
  }

  private async finishApplied(request: RequestEntity, results: TargetResult[]): Promise<void> {
    await this.uow.run(async (m) => {
      const now = this.clock.now();
      const expiresAt = request.durationSeconds
        ? new Date(now.getTime() + request.durationSeconds * 1000).toISOString()
        : request.expiresAt;
      if (expiresAt !== request.expiresAt) await this.grants.setExpiry(m, request.id, expiresAt);
      await this.lifecycle.transition(
        m,
        request,
        'applied',
        {
          actor: 'system',
          audit: 'request.applied',
          data: { expiresAt, targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) },
        },
        { appliedAt: now.toISOString(), expiresAt, result: { targets: results } },
      );
      if (request.action === 'revoke') await this.closeEndedGrants(m, request);
      if (request.action === 'grant') await this.timers.expiring(m, request, now);
      // A break-glass request reviewed `revoke` while it was still being applied ends now.
      if (request.review?.outcome === 'revoke')
        await this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: request.id,
          payload: { reason: 'revoked', actor: request.review.reviewer },
          dedupeKey: `end-grant:${request.id}`,
        });
    });
  }

  /** Grant requests whose every grant this revoke-action request ended are now `revoked`. */
  private async closeEndedGrants(m: EntityManager, revoke: RequestEntity): Promise<void> {
    const ids = await this.grants.requestsWithEnded(
      m,
      revoke.targets.map((t) => t.sid),
      revoke.principals.map((p) => p.sid.toUpperCase()),
    );
    if (ids.length === 0) return;
    for (const request of await this.requests.appliedGrants(m, ids)) {
      if ((await this.grants.countActiveOfRequest(request.id, m)) > 0) continue;
      await this.lifecycle.transition(
        m,
        request,
        'revoked',
        { actor: 'system', audit: 'request.revoked', data: { by: 'revoke request' }, event: null },
        { closedAt: this.clock.nowIso() },
      );
    }
  }

  private async saveResult(request: RequestEntity, result: RequestResult): Promise<void> {
    await this.uow.run((m) => this.requests.update(m, request, { result }));
  }
}
