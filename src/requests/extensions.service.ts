import { Injectable } from '@nestjs/common';
import { identityKey, type Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { RequestEntity } from './request.entity';
import type { RequestView } from './request.view';
import { isRequester, RequestsService } from './requests.service';

export interface ExtendInput {
  duration: string;
  justification: string;
}

/**
 * Extensions: a linked grant request for the same targets and principals, under the policy
 * (maxTotalDuration, approvals, autoApproveExtensions). Approved, it moves the live grant's
 * expiresAt without a directory write; when that grant has ended by then, it is a grant of its own.
 */
@Injectable()
export class ExtensionsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly requests: RequestsService,
  ) {}

  async extend(id: string, input: ExtendInput, caller: Principal): Promise<RequestView> {
    const repo = this.uow.manager.getRepository(RequestEntity);
    let original = await repo.findOne({ where: { id } });
    // An extension that was merged into a grant extends that grant.
    if (original?.mergedInto) original = await repo.findOne({ where: { id: original.mergedInto } });
    if (!original) throw new DomainError('REQUEST_NOT_FOUND', `No request ${id}`);
    // A grant, or an adopted entry (a managed grant too), applied and with an expiry to move.
    const isGrant = original.action === 'grant' || original.action === 'adopt';
    if (!isGrant || original.status !== 'applied' || !original.expiresAt) {
      const what = !isGrant ? `a ${original.action} request` : original.expiresAt ? original.status : 'without expiry';
      throw new DomainError(
        'INVALID_STATE',
        `Request ${original.id} is ${what}: only an applied grant with an expiry can be extended (file a new request instead)`,
        { status: original.status },
      );
    }
    const forThem = original.requestedForPerson !== null && original.requestedForPerson.key === identityKey(caller);
    const own = isRequester(original, caller) || forThem;
    if (!own && !caller.roles.includes('admin')) {
      throw new DomainError(
        'FORBIDDEN',
        'Only the requester, the person it was filed for, or an admin may extend a grant',
      );
    }
    const priorAutoApproved = await repo.count({ where: { extendsRequestId: original.id, requiredApprovals: 0 } });
    return this.requests.create(
      {
        action: 'grant',
        targets: original.targets.map((t) => t.sid),
        principals: original.principals.map((p) => p.sid),
        justification: input.justification,
        duration: input.duration,
        ...(original.ticket ? { ticket: original.ticket } : {}),
      },
      caller,
      undefined,
      { original, priorAutoApproved, mayAutoApprove: own },
    );
  }
}
