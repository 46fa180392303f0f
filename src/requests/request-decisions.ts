import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hasRole, identityKey, type Principal } from '../auth/roles';
import { assertRecentSignIn } from '../auth/step-up';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import { OwnersService } from '../owners/owners.service';
import { quorumStatus } from '../owners/quorum';
import { actorData, assertNotOwnRequest, callerLabel, isRequester } from './request-actors';
import { RequestLifecycle } from './request-lifecycle';
import { assertTransition } from './request-state';
import { RequestRepository } from './request.repository';
import { countedApproval } from './request.view';

/**
 * An approver's (or owner's) decision on a pending request: an approval counts towards the quorum
 * (one person is one approver, never on their own request); the quorum met approves it (an apply
 * job enqueued, due at startsAt when that is ahead); a rejection closes it.
 */
@Injectable()
export class RequestDecisions {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rows: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly owners: OwnersService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async approve(id: string, caller: Principal, comment?: string): Promise<void> {
    assertRecentSignIn(caller, this.config.oidc, this.clock.now().getTime());
    const ownerOf = await this.assertMayDecide(id, caller, 'approve');
    await this.uow.run(async (m) => {
      const request = await this.rows.load(m, id, true);
      assertTransition(id, request.status, 'approved', 'approved');
      assertNotOwnRequest(request, caller);
      const key = identityKey(caller);
      const earlier = await this.rows.earlierApproval(m, id, key, caller.id);
      if (earlier) {
        const channel =
          earlier.approver === caller.id
            ? ''
            : ` (through ${earlier.via ?? 'another channel'}: one person is one approver)`;
        throw new DomainError(
          'DUPLICATE_APPROVAL',
          `${callerLabel(caller)} has already approved request ${id}${channel}; another approver is needed`,
        );
      }
      const now = this.clock.nowIso();
      await this.rows.insertApproval(m, {
        id: randomUUID(),
        requestId: id,
        approver: caller.id,
        approverName: caller.name,
        decision: 'approve',
        comment: comment ?? null,
        createdAt: now,
        via: caller.via,
        person: caller.person ?? null,
        personKey: key,
        ownerOf,
      });
      const all = await this.rows.approvalsGiven(m, id);
      const quorum = quorumStatus(request.requiredApprovals, request.ownerApprovals, all.map(countedApproval));
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.approval',
        requestId: id,
        data: {
          comment: comment ?? null,
          approvals: quorum.approvers,
          required: request.requiredApprovals,
          ownerOf,
          missing: quorum.missing,
          ...actorData(caller),
        },
      });
      if (!quorum.met) {
        await this.rows.update(m, request, {});
        return;
      }
      // A start still ahead waits `scheduled`: the apply job is the durable timer, due at startsAt.
      const startsAt = request.startsAt && Date.parse(request.startsAt) > this.clock.now().getTime();
      await this.lifecycle.transition(m, request, startsAt ? 'scheduled' : 'approved', {
        actor: caller.id,
        audit: 'request.approved',
        data: { approvals: quorum.approvers, startsAt: request.startsAt, ...actorData(caller) },
        eventData: { decision: { by: caller.name, comment: comment ?? null } },
      });
      await this.jobs.enqueue(m, {
        kind: 'apply',
        requestId: id,
        dedupeKey: `apply:${id}`,
        ...(startsAt ? { runAt: new Date(request.startsAt as string) } : {}),
      });
      if (startsAt) {
        await this.audit.append(m, {
          actor: 'system',
          type: 'request.scheduled',
          requestId: id,
          data: { startsAt: request.startsAt },
        });
        await this.lifecycle.announce(m, request, 'request.scheduled');
      }
    });
  }

  async reject(id: string, caller: Principal, comment: string): Promise<void> {
    const ownerOf = await this.assertMayDecide(id, caller, 'reject');
    await this.uow.run(async (m) => {
      const request = await this.rows.load(m, id, true);
      assertTransition(id, request.status, 'rejected', 'rejected');
      if (isRequester(request, caller))
        throw new DomainError('SELF_APPROVAL', 'Cancel your own request instead of rejecting it');
      const now = this.clock.nowIso();
      await this.rows.insertApproval(m, {
        id: randomUUID(),
        requestId: id,
        approver: caller.id,
        approverName: caller.name,
        decision: 'reject',
        comment,
        createdAt: now,
        via: caller.via,
        person: caller.person ?? null,
        // A rejection closes the request; its key never collides with an approval of the same person.
        personKey: `reject:${identityKey(caller)}`,
        ownerOf,
      });
      await this.lifecycle.transition(
        m,
        request,
        'rejected',
        {
          actor: caller.id,
          audit: 'request.rejected',
          data: { comment, ownerOf, ...actorData(caller) },
          eventData: { decision: { by: caller.name, comment } },
        },
        { closedAt: now },
      );
    });
  }

  /**
   * Approvers decide any request; an owner (the caller's person owns a target of the request) decides
   * it too, without the approver role. Returns the SIDs of the targets the caller owns. The look-up
   * runs before the transaction (LDAP is never called with a row lock held).
   */
  async assertMayDecide(id: string, caller: Principal, what: 'approve' | 'reject'): Promise<string[]> {
    const request = await this.rows.load(this.uow.manager, id);
    const ownerOf = await this.owners.ownedTargets(caller.person, request.ownerApprovals);
    if (!hasRole(caller, ['approver']) && ownerOf.length === 0) {
      throw new DomainError('FORBIDDEN', `Only approvers, or owners of a target of request ${id}, may ${what} it`);
    }
    return ownerOf;
  }
}
