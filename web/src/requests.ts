import type { Me, RequestView } from './api';

/** The console's reading of "my own request": the same identity the API compares (SELF_APPROVAL). */
export function isOwnRequest(request: RequestView, me: Me): boolean {
  const requester = request.requestedBy.person?.key ?? request.requester;
  return (
    request.requester === me.id || requester === me.identityKey || request.requestedForPerson?.key === me.identityKey
  );
}

/** Why this caller cannot approve this request, or undefined when they may. */
export function whyNotApprovable(request: RequestView, me: Me): string | undefined {
  if (request.status !== 'pending') return `It is ${request.status}, no longer pending.`;
  if (isOwnRequest(request, me))
    return request.requestedForPerson?.key === me.identityKey && request.requester !== me.id
      ? 'It was filed for you: someone else must approve it.'
      : 'You filed it: nobody approves their own request. Another approver must decide.';
  if (!me.roles.includes('approver') && !me.roles.includes('admin') && me.person?.kind !== 'directory')
    return 'Approving needs the approver role.';
  if (request.approvals.some((a) => a.approver === me.id || (a.person && a.person.key === me.identityKey)))
    return 'You have approved it already; it waits for another approver.';
  return undefined;
}

/** The quorum in one line: approvals so far, each target owner's count, and what is still needed. */
export function quorumText(request: RequestView): string {
  const s = request.approvalStatus;
  const owners = s.owners.length
    ? `; owners: ${s.owners.map((o) => `${o.target.samAccountName} ${o.approvedBy.length}/${o.required}`).join(', ')}`
    : '';
  const needed = [
    ...(s.required > s.approvers ? [`${s.required - s.approvers} more`] : []),
    ...s.owners
      .filter((o) => o.approvedBy.length < o.required)
      .map((o) => `${o.required - o.approvedBy.length} from an owner of ${o.target.samAccountName}`),
  ];
  return `${s.approvers} of ${s.required} approvals${owners}${needed.length ? ` (still needed: ${needed.join(', ')})` : ''}`;
}
