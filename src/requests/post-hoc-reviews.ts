import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hasRole, type Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import { actorData, isRequester } from './request-actors';
import type { PostHocReview, ReviewOutcome } from './request.entity';
import { RequestLifecycle } from './request-lifecycle';
import { assertTransition } from './request-state';
import { RequestRepository } from './request.repository';

/** The review a break-glass request gets after the fact, and its escalation when it is overdue. */
@Injectable()
export class PostHocReviews {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rows: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
  ) {}

  /**
   * The post-hoc review of a break-glass request: an approver (never its requester) confirms it or
   * revokes it; revoke ends the grant through the same durable path as any revoke (at once when it
   * is applied; right after the apply when that is still running). Reviewed once.
   */
  async review(id: string, caller: Principal, outcome: ReviewOutcome, comment: string): Promise<void> {
    if (!comment?.trim()) throw new DomainError('VALIDATION_FAILED', 'comment is required');
    if (!hasRole(caller, ['approver']))
      throw new DomainError('FORBIDDEN', 'Only approvers review break-glass requests');
    await this.uow.run(async (m) => {
      const request = await this.rows.load(m, id, true);
      if (!request.emergency)
        throw new DomainError(
          'INVALID_STATE',
          `Request ${id} is not a break-glass request: there is nothing to review`,
        );
      if (request.review)
        throw new DomainError('INVALID_STATE', `Request ${id} was already reviewed (${request.review.outcome})`, {
          review: request.review,
        });
      if (isRequester(request, caller))
        throw new DomainError('SELF_APPROVAL', 'The break-glass user cannot review their own request');
      const now = this.clock.nowIso();
      const review: PostHocReview = {
        outcome,
        comment: comment.trim(),
        reviewer: caller.id,
        reviewerName: caller.name,
        at: now,
      };
      await this.rows.update(m, request, { review });
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.reviewed',
        requestId: id,
        data: {
          outcome,
          comment: review.comment,
          overdue: request.reviewDueAt !== null && request.reviewDueAt < now,
          ...actorData(caller),
        },
      });
      if (outcome === 'revoke' && request.status === 'applied') {
        assertTransition(id, request.status, 'revoked', 'revoked');
        await this.audit.append(m, {
          actor: caller.id,
          type: 'request.revoke-requested',
          requestId: id,
          data: { comment: review.comment, by: 'review' },
        });
        await this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: id,
          payload: { reason: 'revoked', actor: caller.id },
          dedupeKey: `end-grant:${id}`,
        });
      }
      await this.lifecycle.announce(m, request, 'request.reviewed');
    });
  }

  /** Break-glass requests whose review is overdue and not yet escalated: escalated once each (audit, event). */
  async escalateOverdueReviews(): Promise<number> {
    const now = this.clock.nowIso();
    const due = await this.rows.overdueReviews(now, 200);
    let escalated = 0;
    for (const candidate of due) {
      await this.uow.run(async (m) => {
        const request = await this.rows.load(m, candidate.id, true);
        if (request.review || request.escalatedAt) return;
        await this.rows.update(m, request, { escalatedAt: now });
        await this.audit.append(m, {
          actor: 'system',
          type: 'request.breakglass-escalated',
          requestId: request.id,
          data: { reviewDueAt: request.reviewDueAt, requester: request.requester },
        });
        await this.lifecycle.announce(m, request, 'request.breakglass.escalated');
        escalated++;
      });
    }
    return escalated;
  }
}
