// Examples in the OpenAPI document (filing a grant and what it answers), as the sandbox answers.
// A test validates each against its schema, so they stay true to the contract.
import type { RequestView } from '../request.view';

export const GRANT_REQUEST_EXAMPLE = {
  action: 'grant',
  targets: ['SERVERC'],
  principals: ['SERVERB$'],
  justification: 'Admins manage SERVERC from the jump box',
  ticket: { system: 'servicenow', id: 'CHG0012345', url: 'https://tickets.example.com/CHG0012345' },
  duration: 'PT8H',
};

const SERVERC = {
  dn: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
  sid: 'S-1-5-21-1004336348-1177238915-682003330-1105',
  samAccountName: 'SERVERC$',
  dnsHostName: 'serverc.contoso.test',
  domain: 'contoso.test',
};
const SERVERB = {
  dn: 'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
  sid: 'S-1-5-21-1004336348-1177238915-682003330-1104',
  samAccountName: 'SERVERB$',
  dnsHostName: 'serverb.contoso.test',
  domain: 'contoso.test',
};

export const FILED_REQUEST_EXAMPLE = {
  id: '3f2a7c1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b',
  status: 'pending',
  action: 'grant',
  targets: [SERVERC],
  principals: [SERVERB],
  requester: 'apikey:6b1f0d8e-2c3a-4b5d-8e9f-0a1b2c3d4e5f',
  requesterName: 'servicenow',
  requestedFor: null,
  requestedBy: { id: 'apikey:6b1f0d8e-2c3a-4b5d-8e9f-0a1b2c3d4e5f', via: 'api-key', person: null },
  requestedForPerson: null,
  justification: 'Admins manage SERVERC from the jump box',
  ticket: { system: 'servicenow', id: 'CHG0012345', url: 'https://tickets.example.com/CHG0012345' },
  expiresAt: null,
  startsAt: null,
  extendsRequestId: null,
  mergedInto: null,
  requiredApprovals: 1,
  approvals: [],
  approvalStatus: {
    approvers: 0,
    required: 1,
    owners: [],
    missing: ['1 more approval from an approver other than the requester'],
  },
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
  appliedAt: null,
  result: null,
  nextSteps: ['Waiting for 1 approval(s) from approvers other than the requester'],
  emergency: false,
  reviewDueAt: null,
  review: null,
  escalatedAt: null,
  standing: false,
  nextReviewAt: null,
} satisfies RequestView;
