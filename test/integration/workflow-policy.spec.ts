// Policy and the state machine: self-approval, quorum, Tier 0 / DC targets, deny rules, tickets,
// durations, idempotency keys, illegal transitions, and a refused write that leaves nothing behind.
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  loadSandbox,
  readRbcdRaw,
  uniqueName,
} from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp } from '../support/workflow';

describe('requests: policy and state machine', () => {
  let t: TestApp;
  let who: Actors;
  let target: CreatedComputer;
  let servers: CreatedComputer;
  const baseDn = 'DC=contoso,DC=test';

  beforeAll(async () => {
    loadSandbox();
    target = await createComputer(uniqueName('PT'));
    servers = await createComputer(uniqueName('PS'), { ou: 'OU=Servers' });
    t = await sandboxApp({
      config: {
        policy: {
          defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
          rules: [
            {
              match: { targetDnSuffix: `CN=${servers.samAccountName.replace(/\$$/, '')},OU=Servers,${baseDn}` },
              requiredApprovals: 2,
              maxDuration: 'PT12H',
              requireTicket: true,
            },
            { match: { targetDnSuffix: `OU=Tier0,${baseDn}` }, deny: 'Tier 0 assets never accept delegation' },
          ],
        },
      },
    });
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
    for (const c of [target, servers]) if (c) await deleteObject(c.dn).catch(() => undefined);
  });

  const file = (headers: Record<string, string>, body: Record<string, unknown>, key?: string) => {
    const req = t.http().post('/api/v1/requests').set(headers);
    if (key) req.set('Idempotency-Key', key);
    return req.send({ action: 'grant', justification: 'policy test', principals: ['SERVERB$'], ...body });
  };

  it('nobody approves their own request', async () => {
    const both = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'both-roles', roles: ['requester', 'approver'] })
      .expect(201);
    const headers = { Authorization: `Bearer ${both.body.key}` };
    const created = await file(headers, { targets: [target.dn] }).expect(201);
    const res = await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(headers).send({}).expect(403);
    expect(res.body.error.code).toBe('SELF_APPROVAL');
    const audit = await t.http().get(`/api/v1/audit?requestId=${created.body.id}`).set(t.admin).expect(200);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['request.created']);
  });

  it('a rule may require a quorum of distinct approvers, a ticket and a shorter duration', async () => {
    const noTicket = await file(who.requester, { targets: [servers.dn], duration: 'PT1H' }).expect(422);
    expect(noTicket.body.error).toMatchObject({ code: 'POLICY_DENIED' });
    expect(noTicket.body.error.message).toMatch(/ticket/);
    const tooLong = await file(who.requester, {
      targets: [servers.dn],
      duration: 'P1D',
      ticket: { system: 'jira', id: 'OPS-1' },
    }).expect(422);
    expect(tooLong.body.error.message).toMatch(/maximum/);

    const created = await file(who.requester, {
      targets: [servers.dn],
      duration: 'PT1H',
      ticket: { system: 'jira', id: 'OPS-1' },
    }).expect(201);
    expect(created.body.requiredApprovals).toBe(2);
    const first = await t
      .http()
      .post(`/api/v1/requests/${created.body.id}/approve`)
      .set(who.approver)
      .send({})
      .expect(200);
    expect(first.body.status).toBe('pending');
    const again = await t
      .http()
      .post(`/api/v1/requests/${created.body.id}/approve`)
      .set(who.approver)
      .send({})
      .expect(409);
    expect(again.body.error.code).toBe('DUPLICATE_APPROVAL');
    const second = await t
      .http()
      .post(`/api/v1/requests/${created.body.id}/approve`)
      .set(who.approver2)
      .send({})
      .expect(200);
    expect(second.body.status).toBe('approved');
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${created.body.id}`).set(who.requester).expect(200)).body.status).toBe(
      'applied',
    );
    await t.http().post(`/api/v1/requests/${created.body.id}/revoke`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(await readRbcdRaw(servers.dn)).toBeNull(); // the grant created the attribute; its end clears it
  });

  it('domain controllers are never targets (built in); a deny rule refuses Tier 0; only the audit event is stored', async () => {
    const dc = await file(who.requester, { targets: ['DC1'] }).expect(422);
    expect(dc.body.error.code).toBe('POLICY_DENIED');
    expect(dc.body.error.message).toMatch(/domain controller/);
    const tier0 = await file(who.requester, { targets: ['PAW01'] }).expect(422);
    expect(tier0.body.error.message).toMatch(/Tier 0 assets never accept delegation/);
    const list = await t.http().get('/api/v1/requests?target=PAW01').set(who.approver).expect(200);
    expect(list.body.items).toHaveLength(0);
    const audit = await t.http().get('/api/v1/audit?type=request.denied').set(t.admin).expect(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit.body.items)).toMatch(/Tier 0 assets/);
  });

  it('a grant to what any account holds (Domain Computers, Authenticated Users) is refused whatever the target (built in)', async () => {
    for (const principal of [
      'CONTOSO\\Domain Computers',
      'CN=S-1-5-11,CN=ForeignSecurityPrincipals,DC=contoso,DC=test',
    ]) {
      const res = await file(who.requester, { targets: [target.dn], principals: [principal] }).expect(422);
      expect(res.body.error).toMatchObject({
        code: 'POLICY_DENIED',
        message: expect.stringMatching(/is held by any account/),
      });
    }
    const plan = await t
      .http()
      .post('/api/v1/delegations/plan')
      .set(who.requester)
      .send({ action: 'grant', targets: [target.dn], principals: ['CONTOSO\\Domain Users'] })
      .expect(200);
    expect(plan.body.items[0].policy).toMatchObject({
      allowed: false,
      reasons: expect.arrayContaining([expect.stringContaining('Domain Users')]),
    });
    const audit = await t.http().get('/api/v1/audit?type=request.denied').set(t.admin).expect(200);
    expect(JSON.stringify(audit.body.items)).toMatch(/S-1-5-11/);
  });

  it('the same Idempotency-Key from the same caller returns the first request, never a second one', async () => {
    const key = `ticket-${Date.now()}`;
    const [a, b] = await Promise.all([
      file(who.requester, { targets: [target.dn] }, key),
      file(who.requester, { targets: [target.dn] }, key),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    const c = await file(who.requester, { targets: [target.dn] }, key).expect(201);
    expect(c.body.id).toBe(a.body.id);
    const other = await file(t.admin, { targets: [target.dn] }, key).expect(201);
    expect(other.body.id).not.toBe(a.body.id);
    const list = await t
      .http()
      .get(`/api/v1/requests?requester=ticketing&target=${encodeURIComponent(target.samAccountName)}&limit=100`)
      .set(who.approver)
      .expect(200);
    expect(list.body.items.filter((r: { id: string }) => r.id === a.body.id)).toHaveLength(1);
  });

  it('illegal transitions are INVALID_STATE; reject needs a comment; cancel is the requester’s', async () => {
    const created = await file(who.requester, { targets: [target.dn] }).expect(201);
    await t.http().post(`/api/v1/requests/${created.body.id}/reject`).set(who.approver).send({}).expect(400);
    await t.http().post(`/api/v1/requests/${created.body.id}/cancel`).set(who.approver).send({}).expect(403);
    const cancelled = await t
      .http()
      .post(`/api/v1/requests/${created.body.id}/cancel`)
      .set(who.requester)
      .send({})
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    const res = await t
      .http()
      .post(`/api/v1/requests/${created.body.id}/approve`)
      .set(who.approver)
      .send({})
      .expect(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    const other = await file(who.requester, { targets: [target.dn] }).expect(201);
    const rejected = await t
      .http()
      .post(`/api/v1/requests/${other.body.id}/reject`)
      .set(who.approver)
      .send({ comment: 'not justified' })
      .expect(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.approvals[0]).toMatchObject({ decision: 'reject', comment: 'not justified' });
    await t.http().get('/api/v1/requests/00000000-0000-0000-0000-000000000000').set(who.requester).expect(404);
  });

  it('bad input is VALIDATION_FAILED with a clear message, never a 500', async () => {
    const cases: Record<string, unknown>[] = [
      { targets: [target.dn], duration: 'eight hours' },
      { targets: [target.dn], justification: '' },
      { targets: [target.dn], principals: [] },
      { targets: [target.dn], expiresAt: '2001-01-01T00:00:00Z' },
      { targets: [target.dn], action: 'delete' },
      { targets: [target.dn], unknownField: 1 },
      {},
    ];
    for (const body of cases) {
      const res = await file(who.requester, body);
      expect([400, 422]).toContain(res.status);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    const notFound = await file(who.requester, { targets: ['NO-SUCH-HOST'] }).expect(404);
    expect(notFound.body.error.code).toBe('TARGET_NOT_FOUND');
  });

  it('a write the service account may not make fails the request with DIRECTORY_ACCESS_DENIED and rolls back the other targets', async () => {
    // PAW01 (OU=Tier0) is outside the service account's delegated rights; a rule naming it exactly
    // overrides the Tier 0 deny rule for this test only.
    const t2 = await sandboxApp({
      config: {
        policy: {
          defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
          rules: [{ match: { targetDnSuffix: `CN=PAW01,OU=Tier0,${baseDn}` } }],
        },
      },
    });
    try {
      const w = await actors(t2);
      const before = await readRbcdRaw(target.dn);
      const created = await t2
        .http()
        .post('/api/v1/requests')
        .set(w.requester)
        .send({
          action: 'grant',
          targets: [target.dn, 'PAW01'],
          principals: ['SERVERB$'],
          justification: 'two targets',
        })
        .expect(201);
      await t2.http().post(`/api/v1/requests/${created.body.id}/approve`).set(w.approver).send({}).expect(200);
      await drainJobs(t2);
      const failed = await t2.http().get(`/api/v1/requests/${created.body.id}`).set(w.requester).expect(200);
      expect(failed.body.status).toBe('failed');
      expect(failed.body.result.error.code).toBe('DIRECTORY_ACCESS_DENIED');
      expect(failed.body.result.error.message).toMatch(/write|access/i);
      expect(await readRbcdRaw(target.dn)).toEqual(before);
      expect(await readRbcdRaw('CN=PAW01,OU=Tier0,DC=contoso,DC=test')).toBeNull();
      const audit = await t2
        .http()
        .get(`/api/v1/audit?requestId=${created.body.id}&limit=50`)
        .set(t2.admin)
        .expect(200);
      // The failure leaves a durable rollback job (rollbackPending), which then takes the other target back.
      const items: { type: string; data: Record<string, unknown> }[] = [...audit.body.items].reverse();
      const types = items.map((e) => e.type);
      expect(types.indexOf('request.failed')).toBeLessThan(types.indexOf('request.rolled-back'));
      expect(items.find((e) => e.type === 'request.failed')?.data).toMatchObject({ rollbackPending: true });
      expect(items[items.length - 1]).toMatchObject({ type: 'request.rolled-back', data: { rolledBack: true } });
      expect(types).toContain('directory.write-failed'); // PAW01's refused write closes its intent
    } finally {
      await t2.close();
    }
  });
});
