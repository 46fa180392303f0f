// GraphQL refuses what REST refuses: every resolver takes its arguments as an @ArgsType/@InputType
// class with the REST rules (many share the REST class). Each case sends one refused value over REST
// (400 VALIDATION_FAILED) and over GraphQL (VALIDATION_FAILED in extensions.code), next to an
// accepted value that passes validation on both (and then answers, or fails for a domain reason).
// The directory is a strict fake: the point is the edge, not LDAP.
import type { Role } from '../../src/auth/roles';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey, type Headers } from '../support/workflow';

const MISSING = '00000000-0000-4000-8000-000000000000';
const ALL_ROLES: Role[] = ['requester', 'approver', 'admin', 'auditor', 'breakglass'];

interface Call {
  rest: { method: 'get' | 'post'; url: string; body?: Record<string, unknown> };
  graphql: { query: string; variables?: Record<string, unknown> };
}

interface Case {
  rule: string;
  refused: Call;
  accepted: Call & {
    /** What REST answers once validation passed. */
    restStatus: number;
    /** null: GraphQL answers without errors; otherwise the domain code it answers. */
    graphqlCode: string | null;
  };
}

const extend = (duration: string) => ({ duration, justification: 'more time' });
const review = (comment: string) => ({ outcome: 'confirm', comment });
const decision = (comment: string) => ({ decision: 'keep', comment });

const CASES: Case[] = [
  {
    rule: 'requests: page size 1-500 (REST limit, GraphQL first)',
    refused: {
      rest: { method: 'get', url: '/api/v1/requests?limit=501' },
      graphql: { query: '{ requests(first: 501) { nextCursor } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/requests?limit=500' },
      graphql: { query: '{ requests(first: 500) { nextCursor } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'requests: status is one of the request statuses',
    refused: {
      rest: { method: 'get', url: '/api/v1/requests?status=done' },
      graphql: {
        query: 'query($f: RequestFilterInput) { requests(filter: $f) { nextCursor } }',
        variables: { f: { status: 'done' } },
      },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/requests?status=applied' },
      graphql: {
        query: 'query($f: RequestFilterInput) { requests(filter: $f) { nextCursor } }',
        variables: { f: { status: 'applied' } },
      },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'audit events: type is one of the audit event types',
    refused: {
      rest: { method: 'get', url: '/api/v1/audit?type=request.nonsense' },
      graphql: { query: '{ auditEvents(type: "request.nonsense") { nextCursor } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/audit?type=request.created' },
      graphql: { query: '{ auditEvents(type: "request.created") { nextCursor } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'audit events: since is an ISO 8601 time, page size 1-1000',
    refused: {
      rest: { method: 'get', url: '/api/v1/audit?since=yesterday&limit=1001' },
      graphql: { query: '{ auditEvents(since: "yesterday", first: 1001) { nextCursor } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/audit?since=2026-11-01T00:00:00Z&limit=1000' },
      graphql: { query: '{ auditEvents(since: "2026-11-01T00:00:00Z", first: 1000) { nextCursor } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'standing entries: page size 1-1000',
    refused: {
      rest: { method: 'get', url: '/api/v1/standing?limit=1001' },
      graphql: { query: '{ standingEntries(limit: 1001) { total } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/standing?limit=1000' },
      graphql: { query: '{ standingEntries(limit: 1000) { total } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'inventory: kinds from the inventory kinds, page size 1-5000',
    refused: {
      rest: { method: 'get', url: '/api/v1/inventory?kinds=rbcd,everything' },
      graphql: { query: '{ inventory(kinds: ["rbcd", "everything"]) { total } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/inventory?kinds=rbcd&limit=5000' },
      graphql: { query: '{ inventory(kinds: ["rbcd"], limit: 5000) { total } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'delegation: the domain is at most 255 characters',
    refused: {
      rest: { method: 'get', url: `/api/v1/delegations/SERVERC?domain=${'d'.repeat(256)}` },
      graphql: { query: `{ delegation(target: "SERVERC", domain: "${'d'.repeat(256)}") { sddl } }` },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/delegations/SERVERC?domain=contoso.test' },
      graphql: { query: '{ delegation(target: "SERVERC", domain: "contoso.test") { sddl } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'delegations for a principal: the principal is not empty',
    refused: {
      rest: { method: 'get', url: '/api/v1/delegations?principal=' },
      graphql: { query: '{ delegationsForPrincipal(principal: "") { targets { dn } } }' },
    },
    accepted: {
      rest: { method: 'get', url: '/api/v1/delegations?principal=SERVERB%24' },
      graphql: { query: '{ delegationsForPrincipal(principal: "SERVERB$") { targets { dn } } }' },
      restStatus: 200,
      graphqlCode: null,
    },
  },
  {
    rule: 'extend: the duration is at most 40 characters',
    refused: {
      rest: { method: 'post', url: `/api/v1/requests/${MISSING}/extend`, body: extend(`P${'1'.repeat(40)}D`) },
      graphql: {
        query: 'mutation($id: String!, $in: ExtendRequestInput!) { extendRequest(id: $id, input: $in) { id } }',
        variables: { id: MISSING, in: extend(`P${'1'.repeat(40)}D`) },
      },
    },
    accepted: {
      rest: { method: 'post', url: `/api/v1/requests/${MISSING}/extend`, body: extend('PT4H') },
      graphql: {
        query: 'mutation($id: String!, $in: ExtendRequestInput!) { extendRequest(id: $id, input: $in) { id } }',
        variables: { id: MISSING, in: extend('PT4H') },
      },
      restStatus: 404,
      graphqlCode: 'REQUEST_NOT_FOUND',
    },
  },
  {
    rule: 'break-glass review: the comment is at most 2000 characters',
    refused: {
      rest: { method: 'post', url: `/api/v1/requests/${MISSING}/review`, body: review('x'.repeat(2001)) },
      graphql: {
        query: 'mutation($id: String!, $in: ReviewInput!) { reviewRequest(id: $id, input: $in) { id } }',
        variables: { id: MISSING, in: review('x'.repeat(2001)) },
      },
    },
    accepted: {
      rest: { method: 'post', url: `/api/v1/requests/${MISSING}/review`, body: review('x'.repeat(2000)) },
      graphql: {
        query: 'mutation($id: String!, $in: ReviewInput!) { reviewRequest(id: $id, input: $in) { id } }',
        variables: { id: MISSING, in: review('x'.repeat(2000)) },
      },
      restStatus: 404,
      graphqlCode: 'REQUEST_NOT_FOUND',
    },
  },
  {
    rule: 'review decision: the comment is at most 2000 characters',
    refused: {
      rest: {
        method: 'post',
        url: `/api/v1/reviews/${MISSING}/items/${MISSING}/decision`,
        body: decision('x'.repeat(2001)),
      },
      graphql: {
        query:
          'mutation($c: String!, $i: String!, $in: ReviewDecisionInput!) { decideReviewItem(campaignId: $c, itemId: $i, input: $in) { id } }',
        variables: { c: MISSING, i: MISSING, in: decision('x'.repeat(2001)) },
      },
    },
    accepted: {
      rest: {
        method: 'post',
        url: `/api/v1/reviews/${MISSING}/items/${MISSING}/decision`,
        body: decision('x'.repeat(2000)),
      },
      graphql: {
        query:
          'mutation($c: String!, $i: String!, $in: ReviewDecisionInput!) { decideReviewItem(campaignId: $c, itemId: $i, input: $in) { id } }',
        variables: { c: MISSING, i: MISSING, in: decision('x'.repeat(2000)) },
      },
      restStatus: 404,
      graphqlCode: 'NOT_FOUND',
    },
  },
  {
    rule: 'audit sink replay: fromSeq is at least 1',
    refused: {
      rest: { method: 'post', url: '/api/v1/audit/sinks/none/replay', body: { fromSeq: 0 } },
      graphql: { query: 'mutation { replayAuditSink(name: "none", fromSeq: 0) { name } }' },
    },
    accepted: {
      rest: { method: 'post', url: '/api/v1/audit/sinks/none/replay', body: { fromSeq: 1 } },
      graphql: { query: 'mutation { replayAuditSink(name: "none", fromSeq: 1) { name } }' },
      restStatus: 404,
      graphqlCode: 'NOT_FOUND',
    },
  },
];

describe('GraphQL arguments follow the REST rules', () => {
  let t: TestApp;
  let everyRole: Headers;

  beforeAll(async () => {
    t = await createTestApp({ directory: new StrictFakeDirectory() });
    everyRole = await issueKey(t, 'every-role', ALL_ROLES);
  });

  afterAll(async () => {
    await t?.close();
  });

  const rest = ({ method, url, body }: Call['rest']) => {
    const call = t.http()[method](url).set(everyRole);
    return body ? call.send(body) : call;
  };
  const graphql = ({ query, variables }: Call['graphql']) =>
    t.http().post('/graphql').set(everyRole).send({ query, variables });
  const codes = (body: { errors?: { extensions?: { code?: string } }[] }) =>
    (body.errors ?? []).map((e) => e.extensions?.code);

  it.each(CASES.map((c) => [c.rule, c] as const))('%s', async (_rule, c) => {
    const restRefused = await rest(c.refused.rest);
    expect({ status: restRefused.status, code: restRefused.body.error?.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(codes((await graphql(c.refused.graphql)).body)).toEqual(['VALIDATION_FAILED']);

    expect((await rest(c.accepted.rest)).status).toBe(c.accepted.restStatus);
    const accepted = await graphql(c.accepted.graphql);
    expect(codes(accepted.body)).toEqual(c.accepted.graphqlCode ? [c.accepted.graphqlCode] : []);
  });

  it('request and cancelRequest: an id is 1-200 characters (an unknown one is REQUEST_NOT_FOUND)', async () => {
    for (const id of ['', 'x'.repeat(201)]) {
      expect(codes((await graphql({ query: `{ request(id: "${id}") { id } }` })).body)).toEqual(['VALIDATION_FAILED']);
      expect(codes((await graphql({ query: `mutation { cancelRequest(id: "${id}") { id } }` })).body)).toEqual([
        'VALIDATION_FAILED',
      ]);
    }
    expect(codes((await graphql({ query: `{ request(id: "${MISSING}") { id } }` })).body)).toEqual([
      'REQUEST_NOT_FOUND',
    ]);
    expect(codes((await graphql({ query: `mutation { cancelRequest(id: "${MISSING}") { id } }` })).body)).toEqual([
      'REQUEST_NOT_FOUND',
    ]);
  });

  it('a request status is a GraphQL enum sent as the REST string; a string literal for it does not fit the schema', async () => {
    const listed = await graphql({ query: '{ requests(filter: {status: pending}) { items { status } } }' });
    expect(listed.body.errors).toBeUndefined();
    const quoted = await graphql({ query: '{ requests(filter: {status: "pending"}) { items { status } } }' });
    expect(quoted.status).toBe(400);
    expect(codes(quoted.body)).toEqual(['VALIDATION_FAILED']);
  });
});
