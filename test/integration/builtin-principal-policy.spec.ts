// Issue 10 §2 against the real sandbox DC: principals that mean "anyone" (nested groups, groups
// whose membership someone outside Tier 0 can change, users without SPN, computers made through
// MachineAccountQuota) and targets that are never targets (DCs, krbtgt, Tier 0 by nesting). Each
// refused case sits next to its positive control. Fixtures: issue10_fixtures in scripts/sandbox/fixtures.py.
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  loadSandbox,
  readRbcdRaw,
  uniqueName,
} from '../support/sandbox';
import { DirectoryPort } from '../../src/directory/directory.port';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp } from '../support/workflow';

describe('built-in policy: principals that mean anyone, targets that are never targets', () => {
  let t: TestApp;
  let who: Actors;
  let target: CreatedComputer;
  const baseDn = 'DC=contoso,DC=test';

  beforeAll(async () => {
    loadSandbox();
    target = await createComputer(uniqueName('BP'));
    t = await sandboxApp();
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
    if (target) await deleteObject(target.dn).catch(() => undefined);
  });

  const file = (principals: string[], targets: string[] = [target.dn]) =>
    t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', justification: 'issue 10', principals, targets, duration: 'PT1H' });
  const plan = (principals: string[], targets: string[] = [target.dn]) =>
    t
      .http()
      .post('/api/v1/delegations/plan')
      .set(who.requester)
      .send({ action: 'grant', principals, targets })
      .expect(200);

  async function expectRefused(principals: string[], reason: RegExp, targets?: string[]): Promise<string> {
    const res = await file(principals, targets).expect(422);
    expect(res.body.error.code).toBe('POLICY_DENIED');
    expect(res.body.error.message).toMatch(reason);
    const planned = await plan(principals, targets);
    expect(planned.body.items[0].policy.allowed).toBe(false);
    expect(planned.body.items[0].policy.reasons.join('\n')).toMatch(reason);
    return res.body.error.message as string;
  }

  it('positive control: a plain group of jump hosts is accepted (request and plan)', async () => {
    await file(['RBCD-JumpHosts']).expect(201);
    const planned = await plan(['RBCD-JumpHosts']);
    expect(planned.body.items[0].policy.allowed).toBe(true);
    expect(planned.body.items[0].warnings).toEqual([]);
  });

  it('a group holding Domain Computers two levels down is refused, and the reason names the chain', async () => {
    const message = await expectRefused(
      ['RBCD-AllBoxesNested'],
      /RBCD-AllBoxesNested → RBCD-AllBoxes → CONTOSO\\Domain Computers/,
    );
    expect(message).not.toMatch(/S-1-5-21-\d+-\d+-\d+-\d+ →/);
    await expectRefused(['RBCD-AllBoxes'], /RBCD-AllBoxes → CONTOSO\\Domain Computers/);
  });

  it('the walk reads a group from both links on the real DC: memberOf in its domain, member (with SIDs) for other domains', async () => {
    const directory = t.app.get(DirectoryPort);
    const nested = await directory.nestedMembers({
      dn: `CN=RBCD-AllBoxesNested,CN=Users,${baseDn}`,
      domain: 'contoso.test',
    });
    expect(nested.members.map((m) => m.samAccountName)).toEqual(['RBCD-AllBoxes']);
    expect(nested.outOfReach).toEqual([]);
    const auth = await directory.nestedMembers({ dn: `CN=RBCD-AuthUsers,CN=Users,${baseDn}`, domain: 'contoso.test' });
    expect(auth.members.map((m) => m.sid)).toEqual(['S-1-5-11']);
    expect(auth.outOfReach).toEqual([]);
    // A member named by DN in another domain of the forest is Windows-only (Samba makes no
    // multi-domain forest): src/policy/builtin-guard.spec.ts covers it on the strict fake.
  });

  it('a group holding Domain Users, or Authenticated Users through its foreign security principal, is refused', async () => {
    await expectRefused(['RBCD-AllUsers'], /RBCD-AllUsers → CONTOSO\\Domain Users/);
    await expectRefused(['RBCD-AuthUsers'], /RBCD-AuthUsers → Authenticated Users/);
  });

  it('a group whose membership the helpdesk can change (WriteProperty on member), or that alice owns, is refused naming who', async () => {
    await expectRefused(
      ['RBCD-HelpdeskManaged'],
      /membership of RBCD-HelpdeskManaged can be changed by RBCD-Helpdesk \(WriteProperty\)/,
    );
    await expectRefused(
      ['RBCD-OwnedByAlice'],
      /membership of RBCD-OwnedByAlice can be changed by alice \(owner, WriteDacl\)/,
    );
  });

  it('negative control: an inherit-only ACE on the group does not make its membership writable', async () => {
    await file(['RBCD-InheritOnly']).expect(201);
  });

  it('a user account without an SPN is refused; a service account with one is allowed, with PRINCIPAL_IS_USER_ACCOUNT in plan', async () => {
    await expectRefused(['alice'], /alice is a user account without an SPN/);
    await file(['svc-web']).expect(201);
    const planned = await plan(['svc-web']);
    expect(planned.body.items[0].policy.allowed).toBe(true);
    expect(planned.body.items[0].warnings).toEqual([expect.objectContaining({ code: 'PRINCIPAL_IS_USER_ACCOUNT' })]);
  });

  it('a computer created through MachineAccountQuota (ms-DS-CreatorSID) is refused unless policy.allowUserCreatedComputers', async () => {
    await expectRefused(['MAQPC01$'], /MAQPC01\$ was created by an ordinary user \(ms-DS-CreatorSID S-1-5-21-/);
    await file(['JUMPBOX$']).expect(201); // positive control: a computer an admin made
  });

  it('every refusal is a request.denied audit event', async () => {
    const audit = await t.http().get('/api/v1/audit?type=request.denied&limit=200').set(t.admin).expect(200);
    const text = JSON.stringify(audit.body.items);
    for (const needle of ['RBCD-AllBoxesNested', 'RBCD-HelpdeskManaged', 'without an SPN', 'ms-DS-CreatorSID'])
      expect(text).toContain(needle);
  });

  it('a member of a Tier 0 group (T0BOX01 in RBCD-T0Nested in Domain Admins) is protected like adminCount=1; SERVERC is not', async () => {
    const res = await file(['JUMPBOX$'], ['T0BOX01']).expect(422);
    expect(res.body.error.message).toMatch(/T0BOX01\$ is a member of the Tier 0 group Domain Admins/);
    await file(['JUMPBOX$'], ['SERVERC']).expect(201);
  });

  it('checked again just before the write: a group that gains Domain Computers after approval fails the request, nothing is written', async () => {
    const { createGroup, withClient, adminClient } = await import('../support/sandbox');
    const { Attribute, Change } = await import('ldapts');
    const groupName = uniqueName('GRP');
    const groupDn = `CN=${groupName},CN=Users,${baseDn}`;
    await createGroup(groupDn, groupName, [`CN=JUMPBOX,OU=Servers,${baseDn}`]);
    try {
      const created = await file([groupName]).expect(201);
      await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(who.approver).send({}).expect(200);
      await withClient(adminClient(), (c) =>
        c.modify(
          groupDn,
          new Change({
            operation: 'add',
            modification: new Attribute({ type: 'member', values: [`CN=Domain Computers,CN=Users,${baseDn}`] }),
          }),
        ),
      );
      await drainJobs(t);
      const after = await t.http().get(`/api/v1/requests/${created.body.id}`).set(who.requester).expect(200);
      expect(after.body.status).toBe('failed');
      expect(after.body.result.error).toMatchObject({
        code: 'POLICY_DENIED',
        message: expect.stringContaining('CONTOSO\\Domain Computers'),
      });
      expect(await readRbcdRaw(target.dn)).toBeNull();
      const audit = await t.http().get(`/api/v1/audit?requestId=${created.body.id}`).set(t.admin).expect(200);
      expect(audit.body.items.map((e: { type: string }) => e.type)).toContain('request.denied');
    } finally {
      await deleteObject(groupDn);
    }
  });
  it('policy.allowUserCreatedComputers: true lets such a computer be requested', async () => {
    const allowing = await sandboxApp({ config: { policy: { ...t.config.policy, allowUserCreatedComputers: true } } });
    try {
      const key = await allowing
        .http()
        .post('/api/v1/api-keys')
        .set(allowing.admin)
        .send({ name: 'r', roles: ['requester'] })
        .expect(201);
      await allowing
        .http()
        .post('/api/v1/requests')
        .set({ Authorization: `Bearer ${key.body.key}` })
        .send({
          action: 'grant',
          justification: 'allowed by policy',
          principals: ['MAQPC01$'],
          targets: [target.dn],
          duration: 'PT1H',
        })
        .expect(201);
    } finally {
      await allowing.close();
    }
  });

  it('a domain controller and krbtgt are never targets, even when a rule names the DC’s exact DN', async () => {
    const dcDn = `CN=DC1,OU=Domain Controllers,${baseDn}`;
    const naming = await sandboxApp({
      config: {
        policy: {
          ...t.config.policy,
          rules: [{ match: { targetDnSuffix: dcDn } }, { match: { targetDnSuffix: `CN=krbtgt,CN=Users,${baseDn}` } }],
        },
      },
    });
    try {
      const key = await naming
        .http()
        .post('/api/v1/api-keys')
        .set(naming.admin)
        .send({ name: 'r', roles: ['requester'] })
        .expect(201);
      const send = (targets: string[]) =>
        naming
          .http()
          .post('/api/v1/requests')
          .set({ Authorization: `Bearer ${key.body.key}` })
          .send({ action: 'grant', justification: 'x', principals: ['JUMPBOX$'], targets, duration: 'PT1H' });
      const dc = await send([dcDn]).expect(422);
      expect(dc.body.error.message).toMatch(
        /DC1\$ is a domain controller: never a delegation target \(built in; no rule overrides it\)/,
      );
      const krbtgt = await send(['CONTOSO\\krbtgt']).expect(422);
      expect(krbtgt.body.error.message).toMatch(/krbtgt is a krbtgt account/);
    } finally {
      await naming.close();
    }
  });
});
