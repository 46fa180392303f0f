// Issue 17 against the sandbox DC: one person through chat, OIDC and a personal key is one person
// (self-approval, quorum, reject, cancel); resource owners from managedBy (a user; a group with a
// nested member) and an OU owner group approve for their targets; noOwner; roles from AD groups;
// requestedFor that names nobody. Over REST, GraphQL and chat. Fixtures: issue17_fixtures in
// scripts/sandbox/fixtures.py (SRV17A managedBy owen, SRV17B managedBy SRV17B Owners ⊃ SRV17B
// Admins ⊃ gina, WEB17 in OU=Web owned by Web Owners ⊃ walt, SRV17N owned by nobody, vera an
// approver through RBCD Approvers ⊃ RBCD Approvers L2).
import { Attribute, Change } from 'ldapts';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/config.types';
import { ChatClient, filedId, OidcIssuer } from '../support/identities';
import type { TestApp } from '../support/test-app';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  adminClient,
  createComputer,
  type CreatedComputer,
  deleteObject,
  uniqueName,
  withClient,
} from '../support/sandbox';
import { drainJobs, issueKey, sandboxApp, type Headers } from '../support/workflow';

const BASE = 'DC=contoso,DC=test';
const SECRET = 'issue-17-chat-secret';
const chat = new ChatClient(SECRET);

/** The service's view of persons and owners for these tests. */
export function personsConfig(): Partial<AppConfig> {
  return {
    chat: {
      slack: {
        signingSecret: SECRET,
        users: {
          UALICE: { user: 'alice@contoso.test', roles: ['requester', 'approver'] },
          UBOB: { user: 'CONTOSO\\bob', roles: ['approver'] },
          UOWEN: { user: 'owen', roles: [] },
          UGINA: { user: 'gina@contoso.test', roles: [] },
          UOLD: { roles: ['requester', 'approver'] },
        },
      },
    },
    policy: {
      defaults: { requiredApprovals: 1, maxDuration: 'P1D', requireTicket: false },
      rules: [
        {
          match: { targetDnSuffix: `CN=SRV17N,OU=Servers,${BASE}` },
          approvers: { owners: 1, others: 1 },
          noOwner: 'approvers',
        },
        { match: { targetDnSuffix: `OU=Servers,${BASE}` }, approvers: { owners: 1, others: 1 }, noOwner: 'deny' },
      ],
      owners: { [`OU=Web,OU=Servers,${BASE}`]: `CN=Web Owners,CN=Users,${BASE}` },
    },
    roles: { fromGroups: { approver: [`CN=RBCD Approvers,CN=Users,${BASE}`] }, groupCacheMs: 60_000 },
  };
}

describe('persons and owners on the sandbox DC (issue 17)', () => {
  const idp = new OidcIssuer();
  let t: TestApp;
  const oidc: Record<string, Headers> = {};
  let aliceKey: Headers;
  let env: Record<string, string>;

  const grant = (targets: string[], extra: Record<string, unknown> = {}) => ({
    action: 'grant',
    targets,
    principals: ['SERVERB$'],
    justification: 'issue 17',
    ...extra,
  });
  const approve = (id: string, who: Headers) => t.http().post(`/api/v1/requests/${id}/approve`).set(who).send({});
  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200)).body;
  const fileInChat = async (user: string, target: string) =>
    filedId((await chat.slash(t, user, `grant SERVERB$ -> ${target} for 1h because issue 17`).expect(200)).body.text);

  beforeAll(async () => {
    env = await idp.start({ OIDC_USER_CLAIM: 'upn' });
    t = await sandboxApp({ env, config: personsConfig() });
    // Tokens: roles from the claim for alice and bob; none for the owners and vera (her role comes from AD groups).
    oidc.alice = await idp.bearer('sub-alice', { upn: 'alice@contoso.test', roles: ['requester', 'approver'] });
    oidc.bob = await idp.bearer('sub-bob', { upn: 'bob@contoso.test', roles: ['approver'] });
    oidc.owen = await idp.bearer('sub-owen', { upn: 'owen@contoso.test' });
    oidc.walt = await idp.bearer('sub-walt', { upn: 'walt@contoso.test' });
    oidc.gina = await idp.bearer('sub-gina', { upn: 'gina@contoso.test' });
    oidc.vera = await idp.bearer('sub-vera', { upn: 'vera@contoso.test' });
    oidc.ghost = await idp.bearer('sub-ghost', { upn: 'ghost@contoso.test', roles: ['approver'] });
    aliceKey = await issueKey(t, 'alice-laptop', ['requester', 'approver'], { owner: 'alice@contoso.test' });
  });

  afterAll(async () => {
    await t?.close();
    await idp.stop();
  });

  it('a token whose upn names no AD user is refused (403); one that does is that person', async () => {
    const ghost = await t.http().get('/api/v1/requests').set(oidc.ghost).expect(403);
    expect(ghost.body.error.message).toMatch(/upn claim "ghost@contoso.test" names no user/);
    await t.http().get('/api/v1/requests').set(oidc.bob).expect(200);
  });

  it('self-approval across channels is refused: filed in chat, approved with OIDC, a personal key or a chat button', async () => {
    const id = await fileInChat('UALICE', 'SRV17A');
    const view = await get(id);
    expect(view.requestedBy).toEqual({
      id: 'slack:UALICE',
      via: 'chat',
      person: expect.objectContaining({ kind: 'directory', upn: 'alice@contoso.test', name: 'alice' }),
    });
    for (const who of [oidc.alice, aliceKey]) {
      const self = await approve(id, who).expect(403);
      expect(self.body.error.code).toBe('SELF_APPROVAL');
    }
    const gql = await t
      .http()
      .post('/graphql')
      .set(oidc.alice)
      .send({ query: `mutation { approveRequest(id: "${id}") { id } }` })
      .expect(200);
    expect(gql.body.errors[0].extensions.code).toBe('SELF_APPROVAL');
    const rejectOwn = await t
      .http()
      .post(`/api/v1/requests/${id}/reject`)
      .set(aliceKey)
      .send({ comment: 'no' })
      .expect(403);
    expect(rejectOwn.body.error.code).toBe('SELF_APPROVAL');
    // Positive control: bob, another person, may.
    const byBob = await approve(id, oidc.bob).expect(200);
    expect(byBob.body.approvals).toEqual([
      expect.objectContaining({
        approver: 'oidc:sub-bob',
        via: 'oidc',
        person: expect.objectContaining({ upn: 'bob@contoso.test' }),
        ownerOf: [],
      }),
    ]);
    // alice cancels through another channel: she is the requester.
    const cancelled = await t.http().post(`/api/v1/requests/${id}/cancel`).set(oidc.alice).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('the quorum counts one person once across chat and OIDC; an owner approval satisfies the owner rule (chat, no role)', async () => {
    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(aliceKey)
      .send(grant(['SRV17A']))
      .expect(201);
    const id = created.body.id as string;
    expect(created.body.requestedBy).toEqual({
      id: 'apikey:alice-laptop',
      via: 'api-key',
      person: expect.objectContaining({ upn: 'alice@contoso.test' }),
    });
    expect(created.body.approvalStatus.owners).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ samAccountName: 'SRV17A$' }),
        required: 1,
        owners: [expect.objectContaining({ source: 'managedBy', name: 'owen@contoso.test', isGroup: false })],
      }),
    ]);
    const pressed = await chat.press(t, 'UBOB', 'approve', id).expect(200);
    expect(pressed.body.text).toContain('approved request');
    const again = await approve(id, oidc.bob).expect(409);
    expect(again.body.error).toMatchObject({
      code: 'DUPLICATE_APPROVAL',
      message: expect.stringMatching(
        /bob@contoso.test has already approved .*through chat: one person is one approver/,
      ),
    });
    const pending = await get(id);
    expect(pending).toMatchObject({
      status: 'pending',
      approvalStatus: {
        approvers: 1,
        required: 2,
        missing: ['1 approval(s) from an owner of SRV17A$', '1 more approval(s) in all (1/2)'],
      },
    });
    expect(pending.nextSteps[0]).toMatch(/Waiting for 1 approval\(s\) from an owner of SRV17A\$/);
    // owen owns SRV17A (managedBy) and holds no role: as owner he may approve, in chat.
    const owner = await chat.slash(t, 'UOWEN', `approve ${id}`).expect(200);
    expect(owner.body.text).toContain('it is approved');
    const done = await get(id);
    expect(done.approvals.find((a: { approver: string }) => a.approver === 'slack:UOWEN')).toMatchObject({
      ownerOf: ['SRV17A$'],
      via: 'chat',
      person: expect.objectContaining({ name: 'owen' }),
    });
    const audit = await t.http().get(`/api/v1/audit?requestId=${id}&type=request.approval`).set(t.admin).expect(200);
    expect(audit.body.items.map((e: { data: Record<string, unknown> }) => [e.data.person, e.data.via])).toEqual(
      expect.arrayContaining([
        ['bob@contoso.test', 'chat'],
        ['owen@contoso.test', 'chat'],
      ]),
    );
  });

  it("a non-owner's approval does not satisfy the owner rule; a non-owner without the approver role may not approve; the owner can (GraphQL)", async () => {
    const id = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(oidc.alice)
        .send(grant(['SRV17A']))
        .expect(201)
    ).body.id as string;
    await approve(id, oidc.bob).expect(200);
    // vera: approver through nested AD groups (her token has no roles claim); not an owner.
    const byVera = await approve(id, oidc.vera).expect(200);
    expect(byVera.body).toMatchObject({
      status: 'pending',
      approvalStatus: { approvers: 2, missing: ['1 approval(s) from an owner of SRV17A$'] },
    });
    // gina owns SRV17B, not SRV17A, and holds no role.
    const byGina = await approve(id, oidc.gina).expect(403);
    expect(byGina.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('owners of a target'),
    });
    const gql = await t
      .http()
      .post('/graphql')
      .set(oidc.owen)
      .send({
        query: `mutation { approveRequest(id: "${id}") { status approvals { approver ownerOf person { upn } } approvalStatus { approvers missing owners { approvedBy missing } } } }`,
      })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.approveRequest).toMatchObject({
      status: 'approved',
      approvalStatus: { approvers: 3, missing: [], owners: [{ approvedBy: ['owen@contoso.test'], missing: 0 }] },
    });
  });

  it('a two-target request needs an owner of each: a nested group member for SRV17B, the OU owner group for WEB17; the plan names them', async () => {
    const plan = await t
      .http()
      .post('/api/v1/delegations/plan')
      .set(oidc.alice)
      .send({ action: 'grant', targets: ['SRV17B', 'WEB17'], principals: ['SERVERB$'] })
      .expect(200);
    expect(plan.body.items.map((i: { policy: { owners: unknown } }) => i.policy.owners)).toEqual([
      expect.objectContaining({
        required: 1,
        others: 1,
        owners: [
          expect.objectContaining({
            source: 'managedBy',
            name: 'SRV17B Owners',
            isGroup: true,
            people: ['gina@contoso.test'],
          }),
        ],
      }),
      expect.objectContaining({
        required: 1,
        owners: [
          expect.objectContaining({
            source: 'ouGroup',
            name: 'Web Owners',
            ou: `OU=Web,OU=Servers,${BASE}`,
            people: ['walt@contoso.test'],
          }),
        ],
      }),
    ]);
    const gqlPlan = await t
      .http()
      .post('/graphql')
      .set(oidc.alice)
      .send({
        query:
          '{ planDelegation(input: {action: "grant", targets: ["WEB17"], principals: ["SERVERB$"]}) { items { policy { owners { summary owners { name people } } } } } }',
      })
      .expect(200);
    expect(gqlPlan.body.data.planDelegation.items[0].policy.owners.summary).toMatch(
      /1 approval\(s\) from an owner \(Web Owners \(walt@contoso.test\)\) and 1 more from any approver/,
    );

    const id = await fileInChat('UALICE', 'SRV17B WEB17');
    const byGina = await chat.press(t, 'UGINA', 'approve', id).expect(200);
    expect(byGina.body.text).toContain('approved request');
    const half = await get(id);
    expect(half).toMatchObject({
      status: 'pending',
      approvalStatus: {
        approvers: 1,
        missing: ['1 approval(s) from an owner of WEB17$', '1 more approval(s) in all (1/2)'],
      },
    });
    // walt owns WEB17 through the OU owner group; with gina that is both owners and two persons.
    const byWalt = await approve(id, oidc.walt).expect(200);
    expect(byWalt.body).toMatchObject({ status: 'approved', approvalStatus: { approvers: 2, missing: [] } });
    expect(byWalt.body.approvals.map((a: { ownerOf: string[] }) => a.ownerOf)).toEqual([['SRV17B$'], ['WEB17$']]);
  });

  it('noOwner: deny refuses a target nobody owns, saying so; noOwner: approvers lets approvers stand in', async () => {
    const denied = await t
      .http()
      .post('/api/v1/requests')
      .set(aliceKey)
      .send(grant(['SERVERC']))
      .expect(422);
    expect(denied.body.error).toMatchObject({
      code: 'POLICY_DENIED',
      message: expect.stringContaining(
        'SERVERC$: nobody owns it (no managedBy, no OU owner group) and the policy rule says noOwner: deny',
      ),
    });
    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(aliceKey)
      .send(grant(['SRV17N']))
      .expect(201);
    expect(created.body.approvalStatus.owners).toEqual([
      expect.objectContaining({ required: 0, owners: [], noOwner: 'approvers' }),
    ]);
    await approve(created.body.id, oidc.bob).expect(200);
    const done = await approve(created.body.id, oidc.vera).expect(200);
    expect(done.body.status).toBe('approved');
  });

  it('roles from AD groups: vera (nested member of RBCD Approvers) is an approver; gina (no group) holds no role', async () => {
    await t.http().get('/api/v1/requests').set(oidc.vera).expect(200);
    const gina = await t.http().get('/api/v1/requests').set(oidc.gina).expect(403);
    expect(gina.body.error.code).toBe('FORBIDDEN');
  });

  it('requestedFor must name a person (422), and the person it names may not approve it', async () => {
    const bot = await issueKey(t, 'ticket-bot', ['requester'], { mayActOnBehalf: true });
    for (const name of ['nobody@contoso.test', 'SERVERC$', 'CONTOSO\\SRV17B Owners']) {
      const refused = await t
        .http()
        .post('/api/v1/requests')
        .set(bot)
        .send(grant(['SRV17A'], { requestedFor: name }))
        .expect(422);
      expect(refused.body.error.code).toBe('PERSON_NOT_RESOLVED');
    }
    const gql = await t
      .http()
      .post('/graphql')
      .set(bot)
      .send({
        query:
          'mutation { requestDelegation(input: {action: "grant", targets: ["SRV17A"], principals: ["SERVERB$"], justification: "x", requestedFor: "nobody"}) { id } }',
      })
      .expect(200);
    expect(gql.body.errors[0].extensions.code).toBe('PERSON_NOT_RESOLVED');
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(bot)
      .send(grant(['SRV17A'], { requestedFor: 'bob.builder@contoso.test' }))
      .expect(201);
    expect(filed.body.requestedForPerson).toMatchObject({ upn: 'bob@contoso.test' });
    const self = await chat.press(t, 'UBOB', 'approve', filed.body.id).expect(200);
    expect(self.body.text).toMatch(/You can't approve your own request/);
  });

  it('an old-form chat user is unlinked: reads only', async () => {
    const read = await chat.slash(t, 'UOLD', 'show SRV17A').expect(200);
    expect(read.body.text).toContain('SRV17A$');
    const change = await chat.slash(t, 'UOLD', 'grant SERVERB$ -> SRV17A because old form').expect(200);
    expect(change.body.text).toMatch(/not linked to a person/);
  });

  it('owners are notified first: request.owner_approval_needed is queued before request.created', async () => {
    const hooks = await sandboxApp({
      env,
      config: {
        ...personsConfig(),
        webhooks: [{ url: 'http://127.0.0.1:9/hook', events: ['request.created', 'request.owner_approval_needed'] }],
      },
    });
    try {
      const key = await issueKey(hooks, 'alice-key', ['requester'], { owner: 'alice' });
      const id = (
        await hooks
          .http()
          .post('/api/v1/requests')
          .set(key)
          .send(grant(['SRV17B']))
          .expect(201)
      ).body.id as string;
      const jobs: { payload: string }[] = await hooks.app
        .get(DataSource)
        .query("SELECT payload FROM jobs WHERE kind = 'webhook' AND request_id = ? ORDER BY created_at, rowid", [id]);
      const events = jobs.map((j) => JSON.parse(j.payload).event);
      expect(events.map((e: { type: string }) => e.type)).toEqual(['request.owner_approval_needed', 'request.created']);
      expect(events[0].data.owners).toEqual([
        expect.objectContaining({
          target: expect.objectContaining({ samAccountName: 'SRV17B$' }),
          required: 1,
          owners: [expect.objectContaining({ name: 'SRV17B Owners', isGroup: true })],
        }),
      ]);
    } finally {
      await hooks.close();
    }
  });
});

describe('the KDC closes the happy path: the owner approves, the grant is applied, the delegation is allowed', () => {
  const idp = new OidcIssuer();
  let t: TestApp;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;

  beforeAll(async () => {
    t = await sandboxApp({ env: await idp.start({ OIDC_USER_CLAIM: 'upn' }), config: personsConfig() });
    frontEnd = await createComputer(uniqueName('FE17'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const backName = uniqueName('BE17');
    spn = `cifs/${backName.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(backName, { spns: [spn] });
    // owen owns the back-end, as an admin records it in AD.
    await withClient(adminClient(), (c) =>
      c.modify(
        backEnd.dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'managedBy', values: [`CN=owen,CN=Users,${BASE}`] }),
        }),
      ),
    );
  });

  afterAll(async () => {
    await t?.close();
    await idp.stop();
    if (backEnd) await deleteObject(backEnd.dn);
    if (frontEnd) {
      await deleteObject(frontEnd.dn);
      await forgetKeytab(frontEnd.samAccountName);
    }
  });

  it('alice files with her key, bob (OIDC) approves, owen (chat) approves as owner: applied, and the KDC allows it', async () => {
    const ask = () => canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn });
    expect((await ask()).allowed).toBe(false);
    const aliceKey = await issueKey(t, 'alice-kdc', ['requester'], { owner: 'alice@contoso.test' });
    const id = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(aliceKey)
        .send({
          action: 'grant',
          targets: [backEnd.dn],
          principals: [frontEnd.samAccountName],
          justification: 'issue 17 KDC',
        })
        .expect(201)
    ).body.id as string;
    await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set(await idp.bearer('sub-bob', { upn: 'bob@contoso.test', roles: ['approver'] }))
      .send({})
      .expect(200);
    await drainJobs(t);
    expect((await ask()).allowed).toBe(false); // bob alone is not an owner: still pending, nothing written
    const owner = await chat.slash(t, 'UOWEN', `approve ${id}`).expect(200);
    expect(owner.body.text).toContain('it is approved');
    await drainJobs(t);
    const applied = (await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200)).body;
    expect(applied).toMatchObject({
      status: 'applied',
      approvalStatus: { approvers: 2, owners: [{ approvedBy: ['owen@contoso.test'], missing: 0 }] },
    });
    const r = await ask();
    expect(r.allowed).toBe(true);
  });
});

describe('on PostgreSQL, with the email claim and external users', () => {
  const idp = new OidcIssuer();
  let t: TestApp;

  beforeAll(async () => {
    t = await sandboxApp({
      database: 'postgres',
      env: await idp.start({ OIDC_USER_CLAIM: 'email', OIDC_USERS_EXTERNAL: 'true' }),
      config: personsConfig(),
    });
  });

  afterAll(async () => {
    await t?.close();
    await idp.stop();
  });

  it('the email claim is matched to mail; one person through chat and OIDC counts once; an unknown email is an external person', async () => {
    const id = filedId(
      (await chat.slash(t, 'UALICE', 'grant SERVERB$ -> SRV17A for 1h because issue 17 on PostgreSQL').expect(200)).body
        .text,
    );
    // alice's mail (alice.liddell@...) is not her UPN: the email claim finds her by mail.
    const self = await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set(await idp.bearer('sub-a', { email: 'alice.liddell@contoso.test', roles: ['approver'] }))
      .send({});
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('SELF_APPROVAL');
    await chat.press(t, 'UBOB', 'approve', id).expect(200);
    const bob = await idp.bearer('sub-b', { email: 'bob.builder@contoso.test', roles: ['approver'] });
    const twice = await t.http().post(`/api/v1/requests/${id}/approve`).set(bob).send({}).expect(409);
    expect(twice.body.error.code).toBe('DUPLICATE_APPROVAL');
    const external = await idp.bearer('sub-x', { email: 'Auditor@Partner.example', roles: ['approver'] });
    const byExternal = await t.http().post(`/api/v1/requests/${id}/approve`).set(external).send({}).expect(200);
    expect(byExternal.body.approvals.find((a: { approver: string }) => a.approver === 'oidc:sub-x').person).toEqual(
      expect.objectContaining({ kind: 'external', key: 'external:auditor@partner.example', sid: null }),
    );
    // Two persons now, but neither owns SRV17A: the owner part is still missing.
    expect(byExternal.body).toMatchObject({
      status: 'pending',
      approvalStatus: { approvers: 2, missing: ['1 approval(s) from an owner of SRV17A$'] },
    });
  });
});
