// The authorisation matrix: every REST operation of the OpenAPI document and every GraphQL query
// and mutation, called by each role (keys issued through the API), by no credential and by a bad
// one. The directory is a strict fake: the point is the guard, not LDAP.
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { Role } from '../../src/auth/roles';
import { buildOpenApiDocument } from '../../src/configure-app';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey, type Headers } from '../support/workflow';

const MISSING = '00000000-0000-4000-8000-000000000000';
const ROLES: Role[] = ['requester', 'approver', 'admin', 'auditor', 'breakglass'];
const ANY: Role[] = [...ROLES];

type Caller = Role | 'none' | 'bad-key';
const CALLERS: Caller[] = [...ROLES, 'none', 'bad-key'];

interface RestCase {
  /** `METHOD /path/{param}` as in the OpenAPI document. */
  op: string;
  url?: string;
  body?: () => Record<string, unknown>;
  /** Roles that may call it; 'public' needs no credential; 'signed' needs a chat signature (no API key helps). */
  access: Role[] | 'public' | 'signed';
  /** The status of an allowed call (the service ran); null when nobody is allowed. */
  ok: number | null;
}

let keyNames = 0;
const grantBody = () => ({
  action: 'grant',
  targets: ['SERVERC'],
  principals: ['SERVERB$'],
  justification: 'matrix',
  duration: 'PT1H',
});

const REST: RestCase[] = [
  { op: 'GET /api/v1/api-keys', access: ['admin'], ok: 200 },
  {
    op: 'POST /api/v1/api-keys',
    body: () => ({ name: `matrix-${++keyNames}`, roles: ['auditor'] }),
    access: ['admin'],
    ok: 201,
  },
  { op: 'DELETE /api/v1/api-keys/{id}', url: `/api/v1/api-keys/${MISSING}`, access: ['admin'], ok: 404 },
  { op: 'GET /api/v1/audit', access: ['auditor'], ok: 200 },
  { op: 'GET /api/v1/audit/verify', access: ['auditor'], ok: 200 },
  { op: 'GET /api/v1/audit/export', access: ['auditor'], ok: 200 },
  { op: 'GET /api/v1/audit/sinks', access: ['admin'], ok: 200 },
  {
    op: 'POST /api/v1/audit/sinks/{name}/replay',
    url: '/api/v1/audit/sinks/none/replay',
    body: () => ({ fromSeq: 1 }),
    access: ['admin'],
    ok: 404,
  },
  { op: 'GET /api/v1/delegations/{target}', url: '/api/v1/delegations/SERVERC', access: ANY, ok: 200 },
  { op: 'GET /api/v1/delegations', url: '/api/v1/delegations?principal=SERVERB%24', access: ANY, ok: 200 },
  { op: 'GET /api/v1/inventory', access: ANY, ok: 200 },
  { op: 'GET /api/v1/standing', access: ANY, ok: 200 },
  {
    op: 'POST /api/v1/delegations/plan',
    body: () => ({ action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'] }),
    access: ANY,
    ok: 200,
  },
  {
    op: 'POST /api/v1/diagnose',
    body: () => ({ user: 'alice', frontEnd: 'SERVERB$', backEnd: 'SERVERC' }),
    access: ANY,
    ok: 200,
  },
  { op: 'POST /api/v1/requests', body: grantBody, access: ['requester'], ok: 201 },
  { op: 'GET /api/v1/requests', access: ['requester', 'approver', 'auditor'], ok: 200 },
  {
    op: 'GET /api/v1/requests/{id}',
    url: `/api/v1/requests/${MISSING}`,
    access: ['requester', 'approver', 'auditor', 'breakglass'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/requests/{id}/approve',
    url: `/api/v1/requests/${MISSING}/approve`,
    body: () => ({}),
    access: ['approver'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/requests/{id}/reject',
    url: `/api/v1/requests/${MISSING}/reject`,
    body: () => ({ comment: 'no' }),
    access: ['approver'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/requests/{id}/cancel',
    url: `/api/v1/requests/${MISSING}/cancel`,
    access: ['requester'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/requests/{id}/extend',
    url: `/api/v1/requests/${MISSING}/extend`,
    body: () => ({ duration: 'PT1H', justification: 'more time' }),
    access: ['requester'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/requests/{id}/revoke',
    url: `/api/v1/requests/${MISSING}/revoke`,
    body: () => ({}),
    access: ['requester', 'approver'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/breakglass',
    body: () => ({
      targets: ['SERVERC'],
      principals: ['SERVERB$'],
      justification: 'matrix',
      ticket: { system: 'pagerduty', id: 'INC-1' },
    }),
    access: ['breakglass'],
    ok: 422, // no policy rule allows break-glass here
  },
  {
    op: 'POST /api/v1/requests/{id}/review',
    url: `/api/v1/requests/${MISSING}/review`,
    body: () => ({ outcome: 'confirm', comment: 'matrix' }),
    access: ['approver'],
    ok: 404,
  },
  {
    op: 'POST /api/v1/reviews',
    body: () => ({
      scope: ['OU=Servers,DC=contoso,DC=test'],
      reviewers: ['role:approver'],
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      defaultDecision: 'keep',
    }),
    access: ['approver'],
    ok: 201,
  },
  { op: 'GET /api/v1/reviews', access: ['approver', 'auditor'], ok: 200 },
  { op: 'GET /api/v1/reviews/{id}', url: `/api/v1/reviews/${MISSING}`, access: ANY, ok: 404 },
  {
    op: 'POST /api/v1/reviews/{id}/items/{itemId}/decision',
    url: `/api/v1/reviews/${MISSING}/items/${MISSING}/decision`,
    body: () => ({ decision: 'keep', comment: 'matrix' }),
    access: ANY,
    ok: 404,
  },
  {
    op: 'GET /api/v1/reviews/{id}/report',
    url: `/api/v1/reviews/${MISSING}/report`,
    access: ['approver', 'auditor'],
    ok: 404,
  },
  {
    op: 'GET /api/v1/reviews/{id}/report.csv',
    url: `/api/v1/reviews/${MISSING}/report.csv`,
    access: ['approver', 'auditor'],
    ok: 404,
  },
  { op: 'GET /api/v1/webhooks/deliveries', access: ['admin'], ok: 200 },
  {
    op: 'POST /api/v1/webhooks/deliveries/{id}/retry',
    url: `/api/v1/webhooks/deliveries/${MISSING}/retry`,
    access: ['admin'],
    ok: 404,
  },
  { op: 'POST /api/v1/reconcile', access: ['admin'], ok: 200 },
  {
    op: 'POST /api/v1/chatops/slack/commands',
    body: () => ({ user_id: 'U1', text: 'help' }),
    access: 'signed',
    ok: null,
  },
  { op: 'POST /api/v1/chatops/slack/interactions', body: () => ({ payload: '{}' }), access: 'signed', ok: null },
  { op: 'GET /api/v1/console/config', access: 'public', ok: 200 },
  { op: 'GET /api/v1/me', access: ANY, ok: 200 },
  { op: 'GET /health/live', access: 'public', ok: 200 },
  { op: 'GET /health/ready', access: 'public', ok: 200 },
  { op: 'GET /metrics', access: 'public', ok: 200 },
];

interface GqlCase {
  query: string;
  access: Role[];
  /** null: the field resolves; a code: the service answered with that domain error. */
  ok: string | null;
}

const GQL: Record<string, GqlCase> = {
  delegation: { query: '{ delegation(target: "SERVERC") { target { samAccountName } } }', access: ANY, ok: null },
  delegationsForPrincipal: {
    query: '{ delegationsForPrincipal(principal: "SERVERB$") { principal { sid } } }',
    access: ANY,
    ok: null,
  },
  inventory: { query: '{ inventory { total } }', access: ANY, ok: null },
  standingEntries: { query: '{ standingEntries { total } }', access: ANY, ok: null },
  planDelegation: {
    query:
      '{ planDelegation(input: {action: "grant", targets: ["SERVERC"], principals: ["SERVERB$"]}) { items { changed } } }',
    access: ANY,
    ok: null,
  },
  diagnose: {
    query: '{ diagnose(input: {user: "alice", frontEnd: "SERVERB$", backEnd: "SERVERC"}) { ok } }',
    access: ANY,
    ok: null,
  },
  request: {
    query: `{ request(id: "${MISSING}") { id } }`,
    access: ['requester', 'approver', 'auditor', 'breakglass'],
    ok: 'REQUEST_NOT_FOUND',
  },
  requests: { query: '{ requests { items { id } } }', access: ['requester', 'approver', 'auditor'], ok: null },
  auditEvents: { query: '{ auditEvents { items { seq } } }', access: ['auditor'], ok: null },
  auditSinks: { query: '{ auditSinks { name lag } }', access: ['admin'], ok: null },
  replayAuditSink: {
    query: 'mutation { replayAuditSink(name: "none", fromSeq: 1) { name } }',
    access: ['admin'],
    ok: 'NOT_FOUND',
  },
  requestDelegation: {
    query:
      'mutation { requestDelegation(input: {action: "grant", targets: ["SERVERC"], principals: ["SERVERB$"], justification: "matrix", duration: "PT1H"}) { id } }',
    access: ['requester'],
    ok: null,
  },
  approveRequest: {
    query: `mutation { approveRequest(id: "${MISSING}") { id } }`,
    access: ['approver'],
    ok: 'REQUEST_NOT_FOUND',
  },
  rejectRequest: {
    query: `mutation { rejectRequest(id: "${MISSING}", comment: "no") { id } }`,
    access: ['approver'],
    ok: 'REQUEST_NOT_FOUND',
  },
  cancelRequest: {
    query: `mutation { cancelRequest(id: "${MISSING}") { id } }`,
    access: ['requester'],
    ok: 'REQUEST_NOT_FOUND',
  },
  breakGlass: {
    query:
      'mutation { breakGlass(input: {targets: ["SERVERC"], principals: ["SERVERB$"], justification: "matrix", ticket: {system: "pd", id: "INC-1"}}) { id } }',
    access: ['breakglass'],
    ok: 'POLICY_DENIED',
  },
  reviewRequest: {
    query: `mutation { reviewRequest(id: "${MISSING}", input: {outcome: "confirm", comment: "matrix"}) { id } }`,
    access: ['approver'],
    ok: 'REQUEST_NOT_FOUND',
  },
  extendRequest: {
    query: `mutation { extendRequest(id: "${MISSING}", input: {duration: "PT1H", justification: "more"}) { id } }`,
    access: ['requester'],
    ok: 'REQUEST_NOT_FOUND',
  },
  reviewCampaign: { query: `{ reviewCampaign(id: "${MISSING}") { id } }`, access: ANY, ok: 'NOT_FOUND' },
  reviewCampaigns: { query: '{ reviewCampaigns { id } }', access: ['approver', 'auditor'], ok: null },
  openReview: {
    query:
      'mutation { openReview(input: {scope: ["OU=Servers,DC=contoso,DC=test"], reviewers: ["role:approver"], dueAt: "2099-01-01T00:00:00Z", defaultDecision: "keep"}) { id } }',
    access: ['approver'],
    ok: null,
  },
  decideReviewItem: {
    query: `mutation { decideReviewItem(campaignId: "${MISSING}", itemId: "${MISSING}", input: {decision: "keep", comment: "m"}) { id } }`,
    access: ANY,
    ok: 'NOT_FOUND',
  },
  revokeRequest: {
    query: `mutation { revokeRequest(id: "${MISSING}") { id } }`,
    access: ['requester', 'approver'],
    ok: 'REQUEST_NOT_FOUND',
  },
};

function allowed(access: Role[], caller: Caller): boolean {
  return caller === 'admin' || ((ROLES as string[]).includes(caller) && access.includes(caller as Role));
}

describe('authorisation matrix', () => {
  let t: TestApp;
  const headers: Partial<Record<Caller, Headers>> = { none: {} };

  beforeAll(async () => {
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      config: { chat: { slack: { signingSecret: 'matrix-signing-secret', users: {} } } },
    });
    for (const role of ROLES) headers[role] = await issueKey(t, `matrix-${role}`, [role]);
    headers['bad-key'] = { Authorization: 'Bearer rbcd_abcdefghijkl_ThisIsNotAValidKeyAtAllxxxxxxxxxxxxxxxx' };
  });

  afterAll(async () => {
    await t?.close();
  });

  it('covers every REST operation of the OpenAPI document', () => {
    const document = buildOpenApiDocument(t.app);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(REST.map((c) => c.op).sort()).toEqual([...new Set(documented)].sort());
  });

  it('covers every GraphQL query and mutation', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const fields = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ];
    expect(Object.keys(GQL).sort()).toEqual(fields.sort());
  });

  describe.each(REST)('$op', (route) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const [method, path] = route.op.split(' ');
      const url = route.url ?? path;
      let call = t
        .http()
        [method.toLowerCase() as 'get' | 'post' | 'delete'](url)
        .set(headers[caller] as Headers);
      if (route.body) call = call.type(route.access === 'signed' ? 'form' : 'json').send(route.body());
      const res = await call;
      if (route.access === 'signed') {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      } else if (route.access === 'public') {
        expect(res.status).toBe(route.ok);
      } else if (caller === 'none' || caller === 'bad-key') {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      } else if (allowed(route.access, caller)) {
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: route.ok,
          error: (route.ok as number) >= 400 ? expect.anything() : undefined,
        });
      } else {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
    });
  });

  describe.each(Object.entries(GQL))('GraphQL %s', (_field, op) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const res = await t
        .http()
        .post('/graphql')
        .set(headers[caller] as Headers)
        .send({ query: op.query })
        .expect(200);
      const code = res.body.errors?.[0]?.extensions?.code ?? null;
      if (caller === 'none' || caller === 'bad-key') expect(code).toBe('UNAUTHENTICATED');
      else if (allowed(op.access, caller))
        expect({ code, errors: op.ok === null ? res.body.errors : undefined }).toEqual({
          code: op.ok,
          errors: undefined,
        });
      else expect(code).toBe('FORBIDDEN');
    });
  });
});
