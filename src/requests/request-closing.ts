import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { identityKey, type Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import { actorData, isRequester } from './request-actors';
import { RequestLifecycle } from './request-lifecycle';
import { assertTransition } from './request-state';
import { RequestRepository } from './request.repository';

/** A request withdrawn by its requester (cancel), or a grant ended early (revoke, through an end-grant job). */
@Injectable()
export class RequestClosing {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rows: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
  ) {}

  async cancel(id: string, caller: Principal): Promise<void> {
    await this.uow.run(async (m) => {
      const request = await this.rows.load(m, id, true);
      const forThem = request.requestedForPerson !== null && request.requestedForPerson.key === identityKey(caller);
      if (!isRequester(request, caller) && !forThem && !caller.roles.includes('admin')) {
        throw new DomainError(
          'FORBIDDEN',
          'Only the requester, the person it was filed for, or an admin may cancel a request',
        );
      }
      assertTransition(id, request.status, 'cancelled', 'cancelled');
      await this.lifecycle.transition(
        m,
        request,
        'cancelled',
        { actor: caller.id, audit: 'request.cancelled', data: actorData(caller) },
        { closedAt: this.clock.nowIso() },
      );
    });
  }

  /** Ends an applied grant early: the same durable path as expiry, ending `revoked`. */
  async revoke(id: string, caller: Principal, comment?: string): Promise<void> {
    await this.uow.run(async (m) => {
      const request = await this.rows.load(m, id, true);
      if (request.action === 'revoke')
        throw new DomainError(
          'INVALID_STATE',
          'Only a grant or an adoption can be revoked; file a revoke request to remove other entries',
        );
      if (request.mergedInto)
        throw new DomainError(
          'INVALID_STATE',
          `Request ${id} extended the grant of request ${request.mergedInto}: revoke that one`,
        );
      assertTransition(id, request.status, 'revoked', 'revoked');
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.revoke-requested',
        requestId: id,
        data: { comment: comment ?? null },
      });
      await this.jobs.enqueue(m, {
        kind: 'end-grant',
        requestId: id,
        payload: { reason: 'revoked', actor: caller.id },
        dedupeKey: `end-grant:${id}`,
      });
      await this.rows.update(m, request, {});
    });
  }
}
