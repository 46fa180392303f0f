// Extensions and expiry notices (issue 13) against the sandbox DC, proven by the KDC: an extended
// grant is still allowed after its original expiry and refused after the extended one; an
// extension of a grant that has ended is a grant of its own. grant.expiring goes out once, for the
// expiry in force.
import type { AppConfig } from '../../src/config/config.types';
import { EventReceiver } from '../support/event-receiver';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, expireDue, sandboxApp, sleep } from '../support/workflow';

function extensionPolicy(): AppConfig['policy'] {
  return {
    defaults: {
      requiredApprovals: 1,
      maxDuration: 'PT1H',
      requireTicket: false,
      maxTotalDuration: 'PT2M',
      autoApproveExtensions: 1,
    },
    rules: [],
    tier0Groups: [],
    allowUserCreatedComputers: false,
  };
}

const sleepUntil = (iso: string, extraMs = 500) => sleep(Math.max(0, Date.parse(iso) - Date.now()) + extraMs);

describe.each<TestDatabase>(['sqlite', 'postgres'])('grant extensions on %s', (database) => {
  let t: TestApp;
  let who: Actors;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;
  const receiver = new EventReceiver();
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    await receiver.start();
    t = await sandboxApp({
      database,
      config: {
        policy: extensionPolicy(),
        notifications: { expiringLeads: ['PT8S'] },
        webhooks: [{ url: `${receiver.url}/hook`, events: ['grant.expiring', 'request.extended', 'request.expired'] }],
        chat: { slack: { notifyUrl: `${receiver.url}/chat`, users: {} } },
      },
    });
    who = await actors(t);
    frontEnd = await createComputer(uniqueName('XF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const name = uniqueName('XB');
    spn = `cifs/${name.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(name, { spns: [spn] });
    created.push(frontEnd, backEnd);
  });

  afterAll(async () => {
    await t?.close();
    await receiver.stop();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const oracle = () => canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn });
  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;

  it('extended: allowed after the original expiry, refused after the extended one; an ended grant’s extension is a new grant', async () => {
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [backEnd.dn],
        principals: [frontEnd.sid],
        justification: 'short',
        duration: 'PT15S',
      })
      .expect(201);
    const id = filed.body.id as string;
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const applied = await get(id);
    expect(applied.status).toBe('applied');
    expect((await oracle()).allowed).toBe(true);
    const originalExpiry = applied.expiresAt as string;

    // Refused: someone else's grant, and beyond maxTotalDuration (2 minutes from the apply).
    const other = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'other', roles: ['requester'] });
    await t
      .http()
      .post(`/api/v1/requests/${id}/extend`)
      .set({ Authorization: `Bearer ${other.body.key}` })
      .send({ duration: 'PT15S', justification: 'not mine' })
      .expect(403);
    const tooLong = await t
      .http()
      .post(`/api/v1/requests/${id}/extend`)
      .set(who.requester)
      .send({ duration: 'PT5M', justification: 'too long' })
      .expect(422);
    expect(tooLong.body.error.message).toMatch(/maxTotalDuration/);

    // Positive control: the first extension approves itself (autoApproveExtensions: 1) and moves expiresAt.
    const extension = (
      await t
        .http()
        .post(`/api/v1/requests/${id}/extend`)
        .set(who.requester)
        .send({ duration: 'PT15S', justification: 'ran over' })
        .expect(201)
    ).body;
    expect(extension).toMatchObject({ status: 'approved', requiredApprovals: 0, extendsRequestId: id });
    await drainJobs(t);
    const extended = await get(id);
    expect(Date.parse(extended.expiresAt) - Date.parse(originalExpiry)).toBe(15_000);
    expect(await get(extension.id)).toMatchObject({ status: 'applied', mergedInto: id, expiresAt: extended.expiresAt });

    // The second needs an approver (only one approves itself).
    const second = (
      await t
        .http()
        .post(`/api/v1/requests/${id}/extend`)
        .set(who.requester)
        .send({ duration: 'PT15S', justification: 'again' })
        .expect(201)
    ).body;
    expect(second).toMatchObject({ status: 'pending', requiredApprovals: 1 });
    expect(Date.parse(second.expiresAt) - Date.parse(extended.expiresAt)).toBe(15_000); // the expiry it would give

    await sleepUntil(originalExpiry, 1_000);
    expect(await expireDue(t)).toBe(0);
    expect((await oracle()).allowed).toBe(true); // past the original expiry: still allowed
    await drainJobs(t); // the notice set for the original expiry stays silent

    await sleepUntil(extended.expiresAt);
    expect(await expireDue(t)).toBe(1);
    expect((await get(id)).status).toBe('expired');
    expect((await get(extension.id)).status).toBe('expired');
    expect((await oracle()).allowed).toBe(false); // refused after the extended expiry

    const notices = receiver.events('grant.expiring').map((e) => e.data as { requestId: string; expiresAt: string });
    expect(notices).toEqual([expect.objectContaining({ requestId: id, expiresAt: extended.expiresAt })]);
    expect(receiver.events('request.extended')).toHaveLength(1);
    expect(receiver.chatTexts().some((text) => text.includes(`The grant of request ${id} expires at`))).toBe(true);

    // The grant has ended: the second extension, approved now, is a grant of its own.
    await t.http().post(`/api/v1/requests/${second.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const own = await get(second.id);
    expect(own).toMatchObject({ status: 'applied', mergedInto: null });
    expect((await oracle()).allowed).toBe(true);
    await t.http().post(`/api/v1/requests/${second.id}/revoke`).set(who.requester).send({}).expect(200);
    await drainJobs(t);
    expect((await oracle()).allowed).toBe(false);
  });

  it('GraphQL extendRequest files the same linked request; an ended grant cannot be extended', async () => {
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [backEnd.dn],
        principals: [frontEnd.sid],
        justification: 'g',
        duration: 'PT1M',
      })
      .expect(201);
    await t.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const res = await t
      .http()
      .post('/graphql')
      .set(who.requester)
      .send({
        query: `mutation { extendRequest(id: "${filed.body.id}", input: {duration: "PT30S", justification: "gql"}) { id status extendsRequestId } }`,
      })
      .expect(200);
    expect(res.body.data.extendRequest).toMatchObject({ status: 'approved', extendsRequestId: filed.body.id });
    await drainJobs(t);
    await t.http().post(`/api/v1/requests/${filed.body.id}/revoke`).set(who.requester).send({}).expect(200);
    await drainJobs(t);
    expect((await get(filed.body.id)).status).toBe('revoked');
    expect((await get(res.body.data.extendRequest.id)).status).toBe('revoked');
    const ended = await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/extend`)
      .set(who.requester)
      .send({ duration: 'PT30S', justification: 'late' })
      .expect(409);
    expect(ended.body.error.code).toBe('INVALID_STATE');
    expect((await oracle()).allowed).toBe(false);
  });
});
