import type { ApprovalEntity } from './approval.entity';
import type { RequestEntity, RequestResult, StoredAccount } from './request.entity';

export interface ApprovalView {
  approver: string;
  approverName: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  createdAt: string;
}

export interface RequestView {
  id: string;
  status: string;
  action: string;
  targets: StoredAccount[];
  principals: StoredAccount[];
  requester: string;
  requesterName: string;
  requestedFor: string | null;
  justification: string;
  ticket: { system: string; id: string; url?: string } | null;
  expiresAt: string | null;
  requiredApprovals: number;
  approvals: ApprovalView[];
  createdAt: string;
  updatedAt: string;
  appliedAt: string | null;
  result: RequestResult | null;
  nextSteps: string[];
}

/** What the operator must do after a grant: the KDC negative cache and the WinRM caveat (DOMAIN.md). */
export function nextStepsFor(request: RequestEntity): string[] {
  if (request.action !== 'grant') return [];
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
      return [`Waiting for ${request.requiredApprovals} approval(s) from approvers other than the requester`];
    case 'approved':
    case 'applying':
      return ['Approved: the service is writing the descriptor(s); poll this request for the result'];
    case 'failed':
      return ['Nothing was left half-written; see result.error, fix the cause and file a new request'];
    default:
      return [];
  }
}

export function toRequestView(request: RequestEntity, approvals: ApprovalEntity[]): RequestView {
  return {
    id: request.id,
    status: request.status,
    action: request.action,
    targets: request.targets,
    principals: request.principals,
    requester: request.requester,
    requesterName: request.requesterName,
    requestedFor: request.requestedFor,
    justification: request.justification,
    ticket: request.ticket,
    expiresAt: request.expiresAt,
    requiredApprovals: request.requiredApprovals,
    approvals: approvals
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((a) => ({ approver: a.approver, approverName: a.approverName, decision: a.decision, comment: a.comment, createdAt: a.createdAt })),
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    appliedAt: request.appliedAt,
    result: request.result,
    nextSteps: nextStepsFor(request),
  };
}
