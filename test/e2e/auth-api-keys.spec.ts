// API keys end to end: issued through the API (shown once, stored hashed), static YAML keys, the
// bootstrap key, revocation, audit, and the identities the workflow records (requestedFor too).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey, type Headers } from '../support/workflow';

const STATIC_KEY = 'static-servicenow-key-4f1c2a9e7b';
/** `rbcd_<prefix>_<secret>`; the secret itself may hold `_`. */
const partsOf = (key: string) => /^rbcd_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(key)?.slice(1) as [string, string];
const grant = {
  action: 'grant',
  targets: ['SERVERC'],
  principals: ['SERVERB$'],
  justification: 'keys spec',
  duration: 'PT1H',
};

describe('API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      config: {
        apiKeys: [
          {
            name: 'servicenow',
            roles: ['requester'],
            sha256: createHash('sha256').update(STATIC_KEY).digest('hex'),
            mayActOnBehalf: true,
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('issues a key shown once; it works as Bearer and as X-API-Key; lists never show it', async () => {
    const issued = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'portal', roles: ['auditor', 'auditor'] })
      .expect(201);
    expect(issued.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'portal',
      roles: ['auditor'],
      mayActOnBehalf: false,
      owner: null,
      createdAt: expect.any(String),
      createdBy: 'apikey:bootstrap-admin',
      lastUsedAt: null,
      key: expect.stringMatching(/^rbcd_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/),
    });
    const key = issued.body.key as string;
    await t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${key}`).expect(200);
    await t.http().get('/api/v1/audit/verify').set('X-API-Key', key).expect(200);
    await t.http().get('/api/v1/audit/verify').set('Authorization', `bearer   ${key}  `).expect(200);

    const list = await t.http().get('/api/v1/api-keys').set(t.admin).expect(200);
    const listed = list.body.find((k: { id: string }) => k.id === issued.body.id);
    expect(listed).toMatchObject({ name: 'portal', roles: ['auditor'] });
    expect(JSON.stringify(list.body)).not.toContain(partsOf(key)[1]);
    for (const secretField of ['key', 'keyHash', 'prefix']) expect(listed).not.toHaveProperty(secretField);
  });

  it('stores only a hash and the lookup prefix: neither the key nor any part of its secret is in the database', async () => {
    const issued = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'cleartext-check', roles: ['requester'] })
      .expect(201);
    const key = issued.body.key as string;
    const [prefix, secret] = partsOf(key);
    expect(secret).toHaveLength(43);
    const rows = await t.app.get(DataSource).query('SELECT * FROM api_keys WHERE id = ?', [issued.body.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ prefix, key_hash: createHash('sha256').update(key).digest('hex') });
    const dump = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM api_keys'));
    const auditDump = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM audit_events'));
    const file = t.config.database.type === 'sqlite' ? readFileSync(t.config.database.path).toString('latin1') : '';
    expect(dump).not.toContain(key);
    for (let i = 0; i + 8 <= secret.length; i++) {
      const piece = secret.slice(i, i + 8);
      expect([dump.includes(piece), auditDump.includes(piece), file.includes(piece)]).toEqual([false, false, false]);
    }
  });

  it('revokes a key (audited): it stops working at once, and a second revoke is 404', async () => {
    const issued = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'short-lived', roles: ['auditor'] })
      .expect(201);
    const auth = { Authorization: `Bearer ${issued.body.key}` };
    await t.http().get('/api/v1/audit/verify').set(auth).expect(200);
    await t.http().delete(`/api/v1/api-keys/${issued.body.id}`).set(t.admin).expect(204);
    const refused = await t.http().get('/api/v1/audit/verify').set(auth).expect(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    const again = await t.http().delete(`/api/v1/api-keys/${issued.body.id}`).set(t.admin).expect(404);
    expect(again.body.error.code).toBe('API_KEY_NOT_FOUND');
    const list = await t.http().get('/api/v1/api-keys').set(t.admin).expect(200);
    expect(list.body.map((k: { id: string }) => k.id)).not.toContain(issued.body.id);

    const audit = await t.http().get('/api/v1/audit').set(t.admin).expect(200);
    const events = audit.body.items.filter((e: { data: { id?: string } }) => e.data.id === issued.body.id);
    expect(events.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['apikey.revoked', 'apikey:bootstrap-admin'],
      ['apikey.created', 'apikey:bootstrap-admin'],
    ]);
    expect(JSON.stringify(events)).not.toContain(issued.body.key);
  });

  it('validates what it issues', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', roles: [] }, 'roles'],
      [{ name: 'x', roles: ['root'] }, 'roles'],
      [{ name: 'has space', roles: ['auditor'] }, 'name'],
      [{ name: 'x', roles: ['auditor'], key: 'mine' }, 'key'],
      [{ name: 'bootstrap-admin', roles: ['auditor'] }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post('/api/v1/api-keys').set(t.admin).send(body).expect(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field) });
    }
    await t.http().delete('/api/v1/api-keys/not-a-uuid').set(t.admin).expect(400);
  });

  it('accepts the static YAML key (by its SHA-256) and the bootstrap key; refuses malformed credentials', async () => {
    await t.http().get('/api/v1/requests').set('X-API-Key', STATIC_KEY).expect(200);
    await t.http().get('/api/v1/audit').set('X-API-Key', STATIC_KEY).expect(403);
    await t.http().get('/api/v1/audit').set(t.admin).expect(200);
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      `Bearer ${STATIC_KEY}x`,
      `Token ${STATIC_KEY}`,
      'Bearer a.b.c',
    ]) {
      const res = await t.http().get('/api/v1/requests').set('Authorization', authorization).expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  describe('identities recorded by the workflow', () => {
    let requester: Headers;
    let approver: Headers;
    let bob: Headers;

    beforeAll(async () => {
      requester = await issueKey(t, 'ids-requester', ['requester', 'approver']);
      approver = await issueKey(t, 'ids-approver', ['approver']);
      // bob's own key: a person's key, so it is bob when something is filed for him.
      bob = await issueKey(t, 'bob', ['approver'], { owner: 'bob' });
    });

    it('records the key identity as requester and approver; nobody approves their own request', async () => {
      const created = await t.http().post('/api/v1/requests').set(requester).send(grant).expect(201);
      expect(created.body).toMatchObject({
        requester: 'apikey:ids-requester',
        requesterName: 'ids-requester',
        requestedFor: null,
        status: 'pending',
      });
      const self = await t
        .http()
        .post(`/api/v1/requests/${created.body.id}/approve`)
        .set(requester)
        .send({})
        .expect(403);
      expect(self.body.error.code).toBe('SELF_APPROVAL');
      const approved = await t
        .http()
        .post(`/api/v1/requests/${created.body.id}/approve`)
        .set(approver)
        .send({ comment: 'ok' })
        .expect(200);
      expect(approved.body.approvals).toEqual([
        expect.objectContaining({
          approver: 'apikey:ids-approver',
          approverName: 'ids-approver',
          decision: 'approve',
          comment: 'ok',
        }),
      ]);
      const audit = await t.http().get(`/api/v1/audit?requestId=${created.body.id}`).set(t.admin).expect(200);
      expect(audit.body.items.map((e: { actor: string }) => e.actor)).toEqual(
        expect.arrayContaining(['apikey:ids-requester', 'apikey:ids-approver']),
      );
    });

    it('requestedFor: only keys that may act on behalf; both identities are recorded', async () => {
      const refused = await t
        .http()
        .post('/api/v1/requests')
        .set(requester)
        .send({ ...grant, requestedFor: 'alice@contoso.test' })
        .expect(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');

      const bot = await issueKey(t, 'ticket-bot', ['requester'], { mayActOnBehalf: true });
      const created = await t
        .http()
        .post('/api/v1/requests')
        .set(bot)
        .send({ ...grant, requestedFor: 'alice@contoso.test' })
        .expect(201);
      expect(created.body).toMatchObject({ requester: 'apikey:ticket-bot', requestedFor: 'alice@contoso.test' });
      const viaStatic = await t
        .http()
        .post('/api/v1/requests')
        .set('X-API-Key', STATIC_KEY)
        .send({ ...grant, requestedFor: 'bob' })
        .expect(201);
      expect(viaStatic.body).toMatchObject({ requester: 'apikey:servicenow', requestedFor: 'bob' });
      // bob may not approve what was filed for him.
      const self = await t.http().post(`/api/v1/requests/${viaStatic.body.id}/approve`).set(bob).send({}).expect(403);
      expect(self.body.error.code).toBe('SELF_APPROVAL');

      const gql = await t
        .http()
        .post('/graphql')
        .set(requester)
        .send({
          query:
            'mutation { requestDelegation(input: {action: "grant", targets: ["SERVERC"], principals: ["SERVERB$"], justification: "x", requestedFor: "alice"}) { id } }',
        })
        .expect(200);
      expect(gql.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it("a person's key names exactly one AD user and may not act on behalf; requestedFor must name a person (422)", async () => {
      const nobody = await t
        .http()
        .post('/api/v1/api-keys')
        .set(t.admin)
        .send({ name: 'ghost-key', roles: ['requester'], owner: 'ghost@contoso.test' })
        .expect(422);
      expect(nobody.body.error).toMatchObject({
        code: 'PERSON_NOT_RESOLVED',
        message: expect.stringContaining('ghost@contoso.test'),
      });
      const computer = await t
        .http()
        .post('/api/v1/api-keys')
        .set(t.admin)
        .send({ name: 'serverc-key', roles: ['requester'], owner: 'SERVERC$' })
        .expect(422);
      expect(computer.body.error.code).toBe('PERSON_NOT_RESOLVED');
      const both = await t
        .http()
        .post('/api/v1/api-keys')
        .set(t.admin)
        .send({ name: 'alice-bot', roles: ['requester'], owner: 'alice', mayActOnBehalf: true })
        .expect(400);
      expect(both.body.error.code).toBe('VALIDATION_FAILED');
      const alice = await t
        .http()
        .post('/api/v1/api-keys')
        .set(t.admin)
        .send({ name: 'alice-laptop', roles: ['requester'], owner: 'CONTOSO\\alice' })
        .expect(201);
      expect(alice.body).toMatchObject({ owner: 'alice@contoso.test', mayActOnBehalf: false });

      const bot = await issueKey(t, 'ticket-bot-2', ['requester'], { mayActOnBehalf: true });
      const unknown = await t
        .http()
        .post('/api/v1/requests')
        .set(bot)
        .send({ ...grant, requestedFor: 'nobody@contoso.test' })
        .expect(422);
      expect(unknown.body.error).toMatchObject({
        code: 'PERSON_NOT_RESOLVED',
        message: '"nobody@contoso.test" names no user in the configured domains',
      });
      const gql = await t
        .http()
        .post('/graphql')
        .set(bot)
        .send({
          query:
            'mutation { requestDelegation(input: {action: "grant", targets: ["SERVERC"], principals: ["SERVERB$"], justification: "x", requestedFor: "SERVERC$"}) { id } }',
        })
        .expect(200);
      expect(gql.body.errors[0].extensions.code).toBe('PERSON_NOT_RESOLVED');
      const filed = await t
        .http()
        .post('/api/v1/requests')
        .set(bot)
        .send({ ...grant, requestedFor: 'CONTOSO\\bob' })
        .expect(201);
      expect(filed.body.requestedForPerson).toMatchObject({ kind: 'directory', upn: 'bob@contoso.test', name: 'bob' });
      expect(filed.body.requestedBy).toEqual({ id: 'apikey:ticket-bot-2', via: 'api-key', person: null });
    });

    it('keeps lastUsedAt as a hint', async () => {
      const list = await t.http().get('/api/v1/api-keys').set(t.admin).expect(200);
      const used = list.body.find((k: { name: string }) => k.name === 'ids-requester');
      expect(Date.parse(used.lastUsedAt)).toBeGreaterThan(Date.parse(used.createdAt) - 1);
    });
  });
});
