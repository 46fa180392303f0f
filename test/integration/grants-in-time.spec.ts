// Grants in time (issue 13) against the sandbox DC, proven by the KDC: a scheduled grant is refused
// before startsAt and allowed after it; a pending request times out and the requester is told
// (webhook and chat).
import type { AppConfig } from '../../src/config/config.types';
import { EventReceiver } from '../support/event-receiver';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { Attribute, Change } from 'ldapts';
import {
  adminClient,
  createComputer,
  type CreatedComputer,
  deleteObject,
  uniqueName,
  withClient,
} from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp, sleep } from '../support/workflow';

function timePolicy(): AppConfig['policy'] {
  return {
    defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false, pendingTimeout: 'PT4S' },
    rules: [],
    tier0Groups: [],
    allowUserCreatedComputers: false,
  };
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('grants in time on %s', (database) => {
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
        policy: timePolicy(),
        webhooks: [
          { url: `${receiver.url}/hook`, events: ['request.scheduled', 'request.applied', 'request.timed_out'] },
        ],
        chat: { slack: { notifyUrl: `${receiver.url}/chat`, users: {} } },
      },
    });
    who = await actors(t);
    frontEnd = await createComputer(uniqueName('TF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const name = uniqueName('TB');
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

  it('a scheduled grant is refused before startsAt and allowed after it; expiresAt counts from the apply', async () => {
    const startsAt = new Date(Date.now() + 12_000).toISOString();
    const create = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [backEnd.dn],
        principals: [frontEnd.sid],
        justification: 'maintenance window',
        duration: 'PT10M',
        startsAt,
      })
      .expect(201);
    expect(create.body.startsAt).toBe(startsAt);
    const id = create.body.id as string;
    const approved = await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    expect(approved.body.status).toBe('scheduled');

    await drainJobs(t); // the apply job is not due yet
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('scheduled');
    expect((await oracle()).allowed).toBe(false);

    await sleep(Math.max(0, Date.parse(startsAt) - Date.now()) + 200);
    await drainJobs(t);
    const applied = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
    expect(applied.status).toBe('applied');
    expect(Date.parse(applied.appliedAt)).toBeGreaterThanOrEqual(Date.parse(startsAt));
    expect(Date.parse(applied.expiresAt) - Date.parse(applied.appliedAt)).toBe(10 * 60_000);
    expect((await oracle()).allowed).toBe(true);
    expect(receiver.events('request.scheduled').map((e) => (e.data as { requestId: string }).requestId)).toContain(id);

    await t.http().post(`/api/v1/requests/${id}/revoke`).set(who.requester).send({}).expect(200);
    await drainJobs(t);
    expect((await oracle()).allowed).toBe(false);
  });

  it('policy is checked again at activation: a target protected since the approval is not written', async () => {
    const name = uniqueName('TQ');
    const tq = await createComputer(name, { spns: [`cifs/${name.toLowerCase()}.contoso.test`] });
    created.push(tq);
    const startsAt = new Date(Date.now() + 8_000).toISOString();
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', targets: [tq.dn], principals: [frontEnd.sid], justification: 'later', startsAt })
      .expect(201);
    const id = filed.body.id as string;
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    // After the approval, before the start: the target becomes a protected (adminCount=1) account.
    await withClient(adminClient(), (c) =>
      c.modify(
        tq.dn,
        new Change({ operation: 'replace', modification: new Attribute({ type: 'adminCount', values: ['1'] }) }),
      ),
    );
    await sleep(Math.max(0, Date.parse(startsAt) - Date.now()) + 200);
    await drainJobs(t);
    const failed = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
    expect(failed.status).toBe('failed');
    expect(failed.result.error.code).toBe('POLICY_DENIED');
    expect(failed.result.error.message).toMatch(/adminCount=1/);
    const oracleTq = await canDelegate({
      frontEnd: frontEnd.samAccountName,
      user: 'alice',
      spn: `cifs/${name.toLowerCase()}.contoso.test`,
    });
    expect(oracleTq.allowed).toBe(false);
  });

  it('a scheduled start beyond maxLeadTime is refused (positive control: within it is filed)', async () => {
    const body = { action: 'grant', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'later' };
    const far = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ ...body, startsAt: new Date(Date.now() + 31 * 86_400_000).toISOString() })
      .expect(422);
    expect(far.body.error.code).toBe('POLICY_DENIED');
    expect(far.body.error.message).toMatch(/maxLeadTime/);
    const near = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ ...body, startsAt: new Date(Date.now() + 86_400_000).toISOString() })
      .expect(201);
    // Approved, it waits scheduled; its requester can still withdraw it, and nothing is applied then.
    const scheduled = await t.http().post(`/api/v1/requests/${near.body.id}/approve`).set(who.approver).send({});
    expect(scheduled.body.status).toBe('scheduled');
    const cancelled = await t.http().post(`/api/v1/requests/${near.body.id}/cancel`).set(who.requester).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('a pending request times out after pendingTimeout, and the requester is told (webhook and chat)', async () => {
    const create = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'nobody answers' })
      .expect(201);
    const id = create.body.id as string;
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('pending');

    await sleep(4_500);
    await drainJobs(t);
    const timedOut = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
    expect(timedOut.status).toBe('timedOut');
    // A final status: nobody approves it afterwards.
    const late = await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(409);
    expect(late.body.error.code).toBe('INVALID_STATE');

    const events = receiver
      .events('request.timed_out')
      .filter((e) => (e.data as { requestId: string }).requestId === id);
    expect(events).toHaveLength(1);
    expect((events[0].data as { requester: { name: string } }).requester.name).toBe('ticketing');
    expect(
      receiver.chatTexts().some((text) => text.includes(`Request ${id} timed out`) && text.includes('ticketing')),
    ).toBe(true);
    expect((await oracle()).allowed).toBe(false);
  });
});
