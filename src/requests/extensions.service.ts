import { Injectable } from '@nestjs/common';
import { identityKey, type Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { RequestRepository } from './request.repository';
import type { RequestView } from './request.view';
import { isRequester } from './request-actors';
import { RequestsService } from './requests.service';

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
    private readonly rows: RequestRepository,
    private readonly requests: RequestsService,
  ) {}

  async extend(id: string, input: ExtendInput, caller: Principal): Promise<RequestView> {
    let original = await this.rows.find(id);
    // An extension that was merged into a grant extends that grant.
    if (original?.mergedInto) original = await this.rows.find(original.mergedInto);
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
    const priorAutoApproved = await this.rows.countAutoApprovedExtensions(original.id);
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
