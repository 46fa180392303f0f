import { identityKey, type Principal } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { personLabel } from '../persons/person';
import type { RequestEntity } from './request.entity';

/** Who acted, for the audit: the person (UPN, SID) and the channel, next to the credential id in `actor`. */
export function actorData(caller: Principal): { person: string | null; personSid: string | null; via: string } {
  return {
    person: caller.person ? personLabel(caller.person) : null,
    personSid: caller.person?.sid ?? null,
    via: caller.via,
  };
}

export function callerLabel(caller: Principal): string {
  return caller.person ? personLabel(caller.person) : caller.name;
}

/** The request was filed by this person (through any channel), or by this very credential. */
export function isRequester(request: RequestEntity, caller: Principal): boolean {
  return request.requester === caller.id || (request.requesterPerson?.key ?? request.requester) === identityKey(caller);
}

/** Nobody approves their own request, through any channel, nor one filed on their behalf. */
export function assertNotOwnRequest(request: RequestEntity, caller: Principal): void {
  const forThem = request.requestedForPerson
    ? request.requestedForPerson.key === identityKey(caller)
    : request.requestedFor !== null && [caller.id, caller.name].includes(request.requestedFor);
  if (isRequester(request, caller) || forThem) {
    throw new DomainError(
      'SELF_APPROVAL',
      'Nobody approves their own request (nor one filed on their behalf), whatever channel they use',
    );
  }
}
