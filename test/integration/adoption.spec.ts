// Adoption (issue 14 §2), proven by the KDC: an entry written with ldapmodify behind the broker's
// back is listed as standing → adopted for a few seconds (nothing written to AD) → removed at expiry
// → refused. A standing adoption (no expiry) ends by revoke. Refused cases beside their controls.
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { createOu, setRbcdByLdapmodify } from '../support/ldapmodify';
import { createComputer, type CreatedComputer, deleteObject, readRbcdRaw, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, expireDue, sandboxApp, sleep } from '../support/workflow';

describe.each<TestDatabase>(['sqlite', 'postgres'])('adoption on %s', (database) => {
  let t: TestApp;
  let who: Actors;
  let ou: string;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let stranger: CreatedComputer;
  let spn: string;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    ou = await createOu(`OU=${uniqueName('ADO')},OU=Servers,DC=contoso,DC=test`);
    frontEnd = await createComputer(uniqueName('AF'), { ou });
    await enableProtocolTransition(frontEnd.samAccountName);
    const name = uniqueName('AB');
    spn = `cifs/${name.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(name, { ou, spns: [spn] });
    stranger = await createComputer(uniqueName('AS'), { ou });
    created.push(frontEnd, backEnd, stranger);
    t = await sandboxApp({ database });
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (ou) await deleteObject(ou).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const oracle = () => canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn });
  const file = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'adopt',
        targets: [backEnd.dn],
        principals: [frontEnd.sid],
        justification: 'brownfield',
        ...body,
      });
  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;

  it('standing entry → listed → adopted (nothing written) → removed at expiry → KDC refused', async () => {
    expect((await oracle()).allowed).toBe(false);
    // Refused: nothing to adopt yet (positive control below, once the entry exists).
    const none = await file({ duration: 'PT1H' }).expect(409);
    expect(none.body.error.code).toBe('ENTRY_NOT_STANDING');

    await setRbcdByLdapmodify(backEnd.dn, [frontEnd.sid]);
    expect((await oracle()).allowed).toBe(true); // the entry is in force, unmanaged
    const standing = await t
      .http()
      .get(`/api/v1/standing?base=${encodeURIComponent(backEnd.dn)}`)
      .set(who.requester)
      .expect(200);
    expect(standing.body.items.map((e: { id: string }) => e.id)).toEqual([`${backEnd.sid}|${frontEnd.sid}`]);

    // Refused: a pair that is not in force, and standing plus a duration.
    const stray = await file({ principals: [stranger.sid], duration: 'PT1H' }).expect(409);
    expect(stray.body.error.code).toBe('ENTRY_NOT_STANDING');
    expect((await file({ standing: true, duration: 'PT1H' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await file({ standing: true, action: 'grant' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');

    const bytesBefore = await readRbcdRaw(backEnd.dn);
    const filed = await file({ duration: 'PT4S' }).expect(201);
    expect(filed.body).toMatchObject({ status: 'pending', action: 'adopt', standing: false, emergency: false });
    // Approval like any request: never the requester.
    await t.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.requester).send({}).expect(403);
    await t.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const adopted = await get(filed.body.id);
    expect(adopted.status).toBe('applied');
    expect(adopted.result.targets[0].status).toBe('adopted');
    expect(adopted.nextSteps.join(' ')).toMatch(/Nothing was written/);
    // Nothing was written: the very same bytes.
    expect((await readRbcdRaw(backEnd.dn))?.equals(bytesBefore as Buffer)).toBe(true);
    const after = await t
      .http()
      .get(`/api/v1/standing?base=${encodeURIComponent(backEnd.dn)}`)
      .set(who.requester)
      .expect(200);
    expect(after.body.items).toEqual([]); // managed now
    expect((await oracle()).allowed).toBe(true);

    // Adopting the same entry twice: it is managed now.
    expect((await file({ duration: 'PT1H' }).expect(409)).body.error.code).toBe('ENTRY_NOT_STANDING');

    await sleep(Math.max(0, Date.parse(adopted.expiresAt) - Date.now()) + 50);
    expect(await expireDue(t)).toBe(1);
    expect((await get(filed.body.id)).status).toBe('expired');
    expect(await readRbcdRaw(backEnd.dn)).toBeNull();
    expect((await oracle()).allowed).toBe(false);

    const audit = await t.http().get(`/api/v1/audit?requestId=${filed.body.id}&limit=100`).set(t.admin).expect(200);
    const events = audit.body.items.reverse() as { type: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual([
      'request.created',
      'request.approval',
      'request.approved',
      'request.applying',
      'directory.adopt',
      'request.applied',
      'directory.intent',
      'directory.write',
      'request.expired',
    ]);
    expect(events.find((e) => e.type === 'directory.adopt')?.data).toMatchObject({ written: false, removeOnEnd: true });
    expect(events.find((e) => e.type === 'directory.write')?.data).toMatchObject({
      action: 'end-grant',
      removed: [frontEnd.sid],
    });
  });

  it('a standing adoption (GraphQL) has no expiry and ends by revoke; other entries on the target stay', async () => {
    await setRbcdByLdapmodify(backEnd.dn, [frontEnd.sid, stranger.sid]);
    expect((await oracle()).allowed).toBe(true);
    const gql = await t
      .http()
      .post('/graphql')
      .set(who.requester)
      .send({
        query: `mutation($input: CreateRequestInput!) { requestDelegation(input: $input) { id status action standing expiresAt } }`,
        variables: {
          input: {
            action: 'adopt',
            standing: true,
            targets: [backEnd.samAccountName],
            principals: [frontEnd.samAccountName],
            justification: 'keep the backup hop',
          },
        },
      })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    const { id } = gql.body.data.requestDelegation;
    expect(gql.body.data.requestDelegation).toMatchObject({ action: 'adopt', standing: true, expiresAt: null });
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(await get(id)).toMatchObject({ status: 'applied', expiresAt: null, standing: true });
    expect(await expireDue(t)).toBe(0); // standing: never expires

    await t
      .http()
      .post(`/api/v1/requests/${id}/revoke`)
      .set(who.approver)
      .send({ comment: 'no longer needed' })
      .expect(200);
    await drainJobs(t);
    expect((await get(id)).status).toBe('revoked');
    expect((await oracle()).allowed).toBe(false);
    // The stranger's entry was not adopted: it stays, still standing.
    const left = await t
      .http()
      .get(`/api/v1/standing?base=${encodeURIComponent(backEnd.dn)}`)
      .set(who.requester)
      .expect(200);
    expect(left.body.items.map((e: { principal: { sid: string } }) => e.principal.sid)).toEqual([stranger.sid]);
  });
});
