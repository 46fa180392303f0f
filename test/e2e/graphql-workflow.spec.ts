// The workflow over GraphQL: same fields, roles and error codes as REST.
import { createComputer, type CreatedComputer, deleteObject, readRbcdRaw, uniqueName } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp } from '../support/workflow';

describe('GraphQL: requestDelegation → approveRequest → request', () => {
  let t: TestApp;
  let who: Actors;
  let target: CreatedComputer;

  beforeAll(async () => {
    t = await sandboxApp();
    who = await actors(t);
    target = await createComputer(uniqueName('GQ'));
  });

  afterAll(async () => {
    await t?.close();
    if (target) await deleteObject(target.dn);
  });

  const gql = (headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) =>
    t.http().post('/graphql').set(headers).send({ query, variables });

  it('files, approves and applies a grant; errors carry the REST codes', async () => {
    const created = await gql(
      who.requester,
      `mutation($input: CreateRequestInput!) { requestDelegation(input: $input) { id status action requiredApprovals targets { dn sid } principals { samAccountName } expiresAt } }`,
      {
        input: {
          action: 'grant',
          targets: [target.dn],
          principals: ['SERVERB$'],
          justification: 'portal',
          duration: 'PT8H',
        },
      },
    ).expect(200);
    expect(created.body.errors).toBeUndefined();
    const request = created.body.data.requestDelegation;
    expect(request).toMatchObject({
      status: 'pending',
      action: 'grant',
      requiredApprovals: 1,
      targets: [{ dn: target.dn, sid: target.sid }],
      principals: [{ samAccountName: 'SERVERB$' }],
    });

    const self = await gql(who.requester, `mutation($id: String!) { approveRequest(id: $id) { id } }`, {
      id: request.id,
    }).expect(200);
    expect(self.body.errors[0].extensions.code).toBe('FORBIDDEN'); // a requester key has no approver role

    const approved = await gql(
      who.approver,
      `mutation($id: String!) { approveRequest(id: $id, comment: "ok") { status approvals { approverName decision } } }`,
      { id: request.id },
    ).expect(200);
    expect(approved.body.data.approveRequest).toEqual({
      status: 'approved',
      approvals: [{ approverName: 'approver-one', decision: 'approve' }],
    });
    await drainJobs(t);

    const read = await gql(
      who.requester,
      `query($id: String!) { request(id: $id) { status appliedAt nextSteps result { targets { status sddlAfter } } } }`,
      { id: request.id },
    ).expect(200);
    expect(read.body.data.request.status).toBe('applied');
    expect(read.body.data.request.result.targets[0].status).toBe('applied');
    expect(read.body.data.request.nextSteps.join(' ')).toMatch(/klist purge/);
    expect(await readRbcdRaw(target.dn)).not.toBeNull();

    const list = await gql(
      who.approver,
      `{ requests(filter: {status: applied}, first: 5) { items { id } nextCursor } }`,
    ).expect(200);
    expect(list.body.data.requests.items.map((r: { id: string }) => r.id)).toContain(request.id);

    const again = await gql(who.approver, `mutation($id: String!) { approveRequest(id: $id) { id } }`, {
      id: request.id,
    }).expect(200);
    expect(again.body.errors[0].extensions.code).toBe('INVALID_STATE');
    const missing = await gql(who.approver, `{ request(id: "00000000-0000-0000-0000-000000000000") { id } }`).expect(
      200,
    );
    expect(missing.body.errors[0].extensions.code).toBe('REQUEST_NOT_FOUND');

    const revoked = await gql(who.approver, `mutation($id: String!) { revokeRequest(id: $id) { id } }`, {
      id: request.id,
    }).expect(200);
    expect(revoked.body.errors).toBeUndefined();
    await drainJobs(t);
    expect(await readRbcdRaw(target.dn)).toBeNull();

    const audit = await gql(
      t.admin,
      `query($id: String) { auditEvents(requestId: $id, first: 50) { items { type actor } } }`,
      { id: request.id },
    ).expect(200);
    expect(audit.body.data.auditEvents.items.map((e: { type: string }) => e.type)).toContain('request.revoked');
  });

  it('no credential: UNAUTHENTICATED; bad input: VALIDATION_FAILED', async () => {
    const anonymous = await t.http().post('/graphql').send({ query: '{ requests { items { id } } }' }).expect(200);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = await gql(
      who.requester,
      `mutation { requestDelegation(input: {action: "grant", principals: [], justification: ""}) { id } }`,
    ).expect(200);
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });

  it('arguments follow the REST rules: an over-long comment and a bad idempotency key are VALIDATION_FAILED, a good one files', async () => {
    const file = (idempotencyKey: string) =>
      gql(
        who.requester,
        `mutation($key: String) { requestDelegation(input: {action: "grant", targets: ["${target.samAccountName}"], principals: ["SERVERB$"], justification: "gql args"}, idempotencyKey: $key) { id status } }`,
        { key: idempotencyKey },
      ).expect(200);
    for (const key of ['', 'with space', 'x'.repeat(201), 'é']) {
      const refused = await file(key);
      expect(refused.body.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    }
    const filed = await file(`gql-args-${uniqueName('K')}`);
    expect(filed.body.errors).toBeUndefined();
    const id = filed.body.data.requestDelegation.id as string;

    const reject = (comment: string) =>
      gql(who.approver, `mutation($id: String!, $c: String!) { rejectRequest(id: $id, comment: $c) { status } }`, {
        id,
        c: comment,
      }).expect(200);
    expect((await reject('x'.repeat(2001))).body.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    expect((await reject('')).body.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    const rejected = await reject('x'.repeat(2000));
    expect(rejected.body.errors).toBeUndefined();
    expect(rejected.body.data.rejectRequest.status).toBe('rejected');
  });
});
