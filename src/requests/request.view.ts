import type { AccountRef } from '../directory/directory.types';
import type { OwnerSource } from '../owners/owner.types';
import { type CountedApproval, quorumStatus, type QuorumStatus } from '../owners/quorum';
import { personLabel, type Channel, type Person } from '../persons/person';
import type { ApprovalEntity } from './approval.entity';
import type { PostHocReview, RequestEntity, RequestResult } from './request.entity';

export interface ApprovalView {
  approver: string;
  approverName: string;
  /** The person behind the credential (null: a system key or unlinked chat user). */
  person: Person | null;
  via: Channel | null;
  /** samAccountNames of the request's targets this approver owned when approving. */
  ownerOf: string[];
  decision: 'approve' | 'reject';
  comment: string | null;
  createdAt: string;
}

/** Who filed a request: the credential id, the channel, and the person behind it. */
export interface RequestedByView {
  id: string;
  via: Channel | null;
  person: Person | null;
}

/** One target's owners and their approvals so far. */
export interface TargetOwnersView {
  target: { dn: string; sid: string; samAccountName: string };
  required: number;
  owners: OwnerSource[];
  approvedBy: string[];
  missing: number;
  /** Set when nobody owns the target: what the rule said (deny, or approvers stand in). */
  noOwner: string | null;
}

export interface ApprovalStatusView {
  /** Distinct persons who approved (one person through several channels counts once). */
  approvers: number;
  required: number;
  owners: TargetOwnersView[];
  /** What is still missing, in words (empty once the quorum is met). */
  missing: string[];
}

export interface RequestView {
  id: string;
  status: string;
  action: string;
  targets: AccountRef[];
  principals: AccountRef[];
  requester: string;
  requesterName: string;
  requestedFor: string | null;
  requestedBy: RequestedByView;
  requestedForPerson: Person | null;
  justification: string;
  ticket: { system: string; id: string; url?: string } | null;
  expiresAt: string | null;
  startsAt: string | null;
  extendsRequestId: string | null;
  mergedInto: string | null;
  requiredApprovals: number;
  approvals: ApprovalView[];
  approvalStatus: ApprovalStatusView;
  createdAt: string;
  updatedAt: string;
  appliedAt: string | null;
  result: RequestResult | null;
  nextSteps: string[];
  /** Break-glass: applied without approvals, reviewed afterwards. */
  emergency: boolean;
  reviewDueAt: string | null;
  review: PostHocReview | null;
  escalatedAt: string | null;
  /** An adoption without expiry. */
  standing: boolean;
  nextReviewAt: string | null;
}

/** What the operator must do after a grant: the KDC negative cache and the WinRM caveat. */
export function nextStepsFor(request: RequestEntity, quorum?: QuorumStatus): string[] {
  if (request.action === 'adopt') return adoptionSteps(request, quorum);
  if (request.action !== 'grant') return [];
  const emergency = request.emergency && !request.review ? [breakGlassStep(request)] : [];
  return [...grantSteps(request, quorum), ...emergency];
}

function breakGlassStep(request: RequestEntity): string {
  return `Break-glass: applied without approvals; an approver other than ${request.requesterName} must review it (POST /api/v1/requests/${request.id}/review {outcome: confirm|revoke, comment}) by ${request.reviewDueAt ?? 'the policy deadline'}`;
}

function adoptionSteps(request: RequestEntity, quorum?: QuorumStatus): string[] {
  switch (request.status) {
    case 'applied':
      return [
        'Nothing was written to the directory: the entries are now managed grants (expiry, revoke, drift and access reviews apply)',
        request.expiresAt
          ? `The adopted entries are removed from the directory at ${request.expiresAt}, although the service did not write them`
          : 'Standing: no expiry; access reviews decide whether they stay',
      ];
    case 'pending':
      return [
        `Waiting for ${quorum?.missing.join(', and ') || `${request.requiredApprovals} approval(s)`}; never from the requester`,
      ];
    default:
      return [];
  }
}

function grantSteps(request: RequestEntity, quorum?: QuorumStatus): string[] {
  const frontEnds = request.principals.map((p) => p.dnsHostName ?? p.samAccountName.replace(/\$$/, '')).join(', ');
  const targets = request.targets.map((t) => t.samAccountName.replace(/\$$/, '')).join(', ');
  switch (request.status) {
    case 'applied':
      return [
        `On ${frontEnds}: run "klist purge -li 0x3e7" as an administrator (or wait ~15 minutes): the KDC's negative cache may still refuse the delegation`,
        `If the front-end service runs as NetworkService/LocalSystem it acts as the computer account; under a gMSA or user account, that account must be the principal`,
        `The second hop to ${targets} now works for SMB and WMI/DCOM; WinRM-based commands (Invoke-Command, Enter-PSSession, Get-CimInstance) on the second hop still do not get it`,
        ...(request.expiresAt ? [`The grant expires at ${request.expiresAt} and is then removed automatically`] : []),
      ];
    case 'pending':
      if (quorum?.missing.length && request.ownerApprovals?.targets.some((t) => t.required > 0))
        return [`Waiting for ${quorum.missing.join(', and ')}; never from the requester`];
      return [`Waiting for ${request.requiredApprovals} approval(s) from approvers other than the requester`];
    case 'scheduled':
      return [
        `Approved and scheduled: the service applies it at ${request.startsAt} (policy is checked again then); cancel it before then to withdraw it`,
      ];
    case 'timedOut':
      return ['Nobody decided before the policy’s pendingTimeout: file it again if it is still needed'];
    case 'approved':
    case 'applying':
      return ['Approved: the service is writing the descriptor(s); poll this request for the result'];
    case 'failed':
      return [
        'Nothing is left half-written: what this request put in force is taken back (a rollback job, retried until the directory answers; the audit says request.rolled-back when done); see result.error, fix the cause and file a new request',
      ];
    default:
      return [];
  }
}

/** An approval row as the quorum counts it (rows written before persons: the credential id). */
export function countedApproval(a: ApprovalEntity): CountedApproval {
  return {
    personKey: a.personKey || a.approver,
    name: a.person ? personLabel(a.person) : a.approverName,
    ownerOf: a.ownerOf ?? [],
  };
}

function approvalStatus(
  request: RequestEntity,
  approvals: ApprovalEntity[],
): { view: ApprovalStatusView; quorum: QuorumStatus } {
  const quorum = quorumStatus(
    request.requiredApprovals,
    request.ownerApprovals ?? null,
    approvals.filter((a) => a.decision === 'approve').map(countedApproval),
  );
  const owners = (request.ownerApprovals?.targets ?? []).map((t) => {
    const status = quorum.targets.find((q) => q.sid === t.target.sid);
    return {
      target: t.target,
      required: t.required,
      owners: t.owners,
      approvedBy: status?.approvedBy ?? [],
      missing: status?.missing ?? 0,
      noOwner: t.noOwner,
    };
  });
  return {
    view: {
      approvers: quorum.approvers,
      required: quorum.required,
      owners,
      missing: request.status === 'pending' ? quorum.missing : [],
    },
    quorum,
  };
}

export function toRequestView(request: RequestEntity, approvals: ApprovalEntity[]): RequestView {
  const status = approvalStatus(request, approvals);
  const targetNames = new Map(request.targets.map((t) => [t.sid.toUpperCase(), t.samAccountName]));
  return {
    id: request.id,
    status: request.status,
    action: request.action,
    targets: request.targets,
    principals: request.principals,
    requester: request.requester,
    requesterName: request.requesterName,
    requestedFor: request.requestedFor,
    requestedBy: { id: request.requester, via: request.requesterVia ?? null, person: request.requesterPerson ?? null },
    requestedForPerson: request.requestedForPerson ?? null,
    justification: request.justification,
    ticket: request.ticket,
    expiresAt: request.expiresAt,
    startsAt: request.startsAt ?? null,
    extendsRequestId: request.extendsRequestId ?? null,
    mergedInto: request.mergedInto ?? null,
    requiredApprovals: request.requiredApprovals,
    approvals: approvals
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((a) => ({
        approver: a.approver,
        approverName: a.approverName,
        person: a.person ?? null,
        via: a.via ?? null,
        ownerOf: (a.ownerOf ?? []).map((sid) => targetNames.get(sid.toUpperCase()) ?? sid),
        decision: a.decision,
        comment: a.comment,
        createdAt: a.createdAt,
      })),
    approvalStatus: status.view,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    appliedAt: request.appliedAt,
    result: request.result,
    nextSteps: nextStepsFor(request, status.quorum),
    emergency: request.emergency ?? false,
    reviewDueAt: request.reviewDueAt ?? null,
    review: request.review ?? null,
    escalatedAt: request.escalatedAt ?? null,
    standing: request.action === 'adopt' && request.expiresAt === null,
    nextReviewAt: request.nextReviewAt ?? null,
  };
}
