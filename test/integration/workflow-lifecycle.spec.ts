// The whole life of a grant, proven by the KDC: refused → request → approve → applied → allowed →
// expiry → refused; manual revoke; reference counting; ACEs that were there before are kept.
import {
  createRbcdDescriptor,
  encodeSecurityDescriptor,
  decodeSecurityDescriptor,
  listPrincipals,
} from '../../src/security-descriptor';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  uniqueName,
  writeRbcdRaw,
} from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs, expireDue, grantApproved, sandboxApp, sleep } from '../support/workflow';

const principalsOf = (raw: Buffer | null) =>
  raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];

describe.each<TestDatabase>(['sqlite', 'postgres'])('grant lifecycle on %s', (database) => {
  let t: TestApp;
  let who: Actors;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    t = await sandboxApp({ database });
    who = await actors(t);
    frontEnd = await createComputer(uniqueName('WF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const name = uniqueName('WB');
    spn = `cifs/${name.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(name, { spns: [spn] });
    created.push(frontEnd, backEnd);
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const oracle = () => canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn });

  it('refused → request → approve → applied → allowed → expiry → refused', async () => {
    expect((await oracle()).allowed).toBe(false);

    const create = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [backEnd.samAccountName.replace(/\$$/, '')],
        principals: [frontEnd.sid],
        justification: 'Admins hop from the jump box',
        ticket: { system: 'servicenow', id: 'CHG0001' },
        duration: 'PT3S',
      })
      .expect(201);
    expect(create.body).toMatchObject({
      status: 'pending',
      action: 'grant',
      requiredApprovals: 1,
      requester: 'apikey:ticketing',
      requesterName: 'ticketing',
      ticket: { system: 'servicenow', id: 'CHG0001' },
    });
    expect(create.body.targets[0]).toMatchObject({ dn: backEnd.dn, sid: backEnd.sid });
    expect(create.body.principals[0]).toMatchObject({ dn: frontEnd.dn, sid: frontEnd.sid });
    expect((await oracle()).allowed).toBe(false); // nothing is written before approval

    const approved = await t
      .http()
      .post(`/api/v1/requests/${create.body.id}/approve`)
      .set(who.approver)
      .send({ comment: 'ok' })
      .expect(200);
    expect(approved.body.status).toBe('approved');
    expect(approved.body.approvals).toEqual([
      expect.objectContaining({ approver: 'apikey:approver-one', decision: 'approve', comment: 'ok' }),
    ]);

    await drainJobs(t);
    const applied = await t.http().get(`/api/v1/requests/${create.body.id}`).set(who.requester).expect(200);
    expect(applied.body.status).toBe('applied');
    expect(applied.body.appliedAt).toBeTruthy();
    expect(applied.body.result.targets[0]).toMatchObject({
      status: 'applied',
      sddlBefore: null,
      sddlAfter: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})`,
    });
    expect(applied.body.nextSteps.join('\n')).toMatch(/klist purge -li 0x3e7/);
    expect(applied.body.nextSteps.join('\n')).toMatch(/WinRM/);
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([frontEnd.sid]);
    expect((await oracle()).allowed).toBe(true);

    await sleep(Math.max(0, Date.parse(applied.body.expiresAt) - Date.now()) + 50);
    expect(await expireDue(t)).toBe(1);
    const expired = await t.http().get(`/api/v1/requests/${create.body.id}`).set(who.requester).expect(200);
    expect(expired.body.status).toBe('expired');
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([]);
    expect((await oracle()).allowed).toBe(false);

    const audit = await t.http().get(`/api/v1/audit?requestId=${create.body.id}&limit=100`).set(t.admin).expect(200);
    const types = audit.body.items.map((e: { type: string }) => e.type).reverse();
    // Every directory write is announced (directory.intent, committed before the LDAP write) and closed (directory.write).
    expect(types).toEqual([
      'request.created',
      'request.approval',
      'request.approved',
      'request.applying',
      'directory.intent',
      'directory.write',
      'request.applied',
      'directory.intent',
      'directory.write',
      'request.expired',
    ]);
    const write = audit.body.items.find(
      (e: { type: string; data: { action?: string } }) => e.type === 'directory.write' && e.data.action === 'grant',
    );
    expect(write.data).toMatchObject({
      sddlBefore: null,
      sddlAfter: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})`,
      changed: true,
    });
    expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toMatchObject({ ok: true });
  });

  it('a manual revoke removes the ACE and ends `revoked`; the KDC refuses again', async () => {
    const id = await grantApproved(t, who, {
      targets: [backEnd.dn],
      principals: [frontEnd.samAccountName],
      duration: 'PT1H',
    });
    await drainJobs(t);
    expect((await oracle()).allowed).toBe(true);
    const revoking = await t
      .http()
      .post(`/api/v1/requests/${id}/revoke`)
      .set(who.approver)
      .send({ comment: 'done' })
      .expect(200);
    expect(revoking.body.status).toBe('applied'); // until the job has run
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('revoked');
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([]);
    expect((await oracle()).allowed).toBe(false);
    await t.http().post(`/api/v1/requests/${id}/revoke`).set(who.approver).send({}).expect(409);
  });

  it('an ACE another active grant still needs survives the first grant’s end; the last one removes it', async () => {
    const first = await grantApproved(t, who, { targets: [backEnd.sid], principals: [frontEnd.sid], duration: 'PT1H' });
    await drainJobs(t);
    const second = await grantApproved(t, who, {
      targets: [backEnd.sid],
      principals: [frontEnd.sid],
      duration: 'PT1H',
    });
    await drainJobs(t);
    const secondView = await t.http().get(`/api/v1/requests/${second}`).set(who.requester).expect(200);
    expect(secondView.body.result.targets[0].status).toBe('unchanged'); // already in force: no second ACE
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([frontEnd.sid]);

    await t.http().post(`/api/v1/requests/${first}/revoke`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([frontEnd.sid]);
    expect((await oracle()).allowed).toBe(true);

    await t.http().post(`/api/v1/requests/${second}/revoke`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([]);
  });

  it('a revoke request ends the active grants it removes: their requests end `revoked`, others stay', async () => {
    const other = await createComputer(uniqueName('WR'));
    created.push(other);
    const mine = await grantApproved(t, who, { targets: [backEnd.dn], principals: [frontEnd.sid], duration: 'PT1H' });
    const theirs = await grantApproved(t, who, { targets: [backEnd.dn], principals: [other.sid], duration: 'PT1H' });
    await drainJobs(t);
    const revoke = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'revoke', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'leaver' })
      .expect(201);
    await t.http().post(`/api/v1/requests/${revoke.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${mine}`).set(who.requester).expect(200)).body.status).toBe('revoked');
    expect((await t.http().get(`/api/v1/requests/${theirs}`).set(who.requester).expect(200)).body.status).toBe(
      'applied',
    );
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([other.sid]);
    await t.http().post(`/api/v1/requests/${theirs}/revoke`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(await readRbcdRaw(backEnd.dn)).toBeNull();
  });

  it('expiry never removes an ACE that was there before the service; an explicit revoke request does', async () => {
    const other = await createComputer(uniqueName('WO'));
    created.push(other);
    const before = encodeSecurityDescriptor(createRbcdDescriptor([other.sid, frontEnd.sid]));
    await writeRbcdRaw(backEnd.dn, before);

    const id = await grantApproved(t, who, { targets: [backEnd.dn], principals: [frontEnd.sid], duration: 'PT2S' });
    await drainJobs(t);
    expect(await readRbcdRaw(backEnd.dn)).toEqual(before); // already in force: not a byte changed
    await sleep(2100);
    await expireDue(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('expired');
    expect(await readRbcdRaw(backEnd.dn)).toEqual(before);

    const revoke = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'revoke', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'no longer needed' })
      .expect(201);
    await t.http().post(`/api/v1/requests/${revoke.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const done = await t.http().get(`/api/v1/requests/${revoke.body.id}`).set(who.requester).expect(200);
    expect(done.body.status).toBe('applied'); // a revoke-action request ends applied
    expect(principalsOf(await readRbcdRaw(backEnd.dn))).toEqual([other.sid]);
    await writeRbcdRaw(backEnd.dn, null);
  });
});
