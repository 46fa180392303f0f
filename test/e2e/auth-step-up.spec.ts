// Step-up for approvals (OIDC_APPROVAL_MAX_AGE): an approval made with an OIDC token needs a recent
// sign-in at the provider (auth_time). Too old, or no auth_time at all: 401 STEP_UP_REQUIRED over
// REST and GraphQL, nothing recorded; a fresh sign-in approves (the positive control); API keys are
// not asked. Without the setting, an old sign-in approves as before.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey } from '../support/workflow';

const ISSUER = 'https://idp.contoso.test/realms/corp';
const AUDIENCE = 'api://rbcd-broker';
const GRANT = { action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'], justification: 'step-up spec' };

describe('step-up for approvals (OIDC_APPROVAL_MAX_AGE)', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: KeyLike;
  let jwk: JWK;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });

  afterAll(async () => {
    for (const t of apps) await t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function app(maxAge?: string): Promise<TestApp> {
    const t = await createTestApp({
      directory: new StrictFakeDirectory(),
      env: {
        OIDC_ISSUER: ISSUER,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_JWKS_URL: jwksUrl,
        ...(maxAge ? { OIDC_APPROVAL_MAX_AGE: maxAge } : {}),
      },
    });
    apps.push(t);
    return t;
  }

  /** An approver's access token, signed in `ageSeconds` ago (no auth_time when null). */
  function approverToken(sub: string, ageSeconds: number | null): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      preferred_username: sub,
      roles: ['approver'],
      ...(ageSeconds === null ? {} : { auth_time: now - ageSeconds }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  }

  async function file(t: TestApp): Promise<string> {
    const requester = await issueKey(t, `requester-${Math.random().toString(36).slice(2, 8)}`, ['requester']);
    return (await t.http().post('/api/v1/requests').set(requester).send(GRANT).expect(201)).body.id;
  }

  it('an old sign-in or none: 401 STEP_UP_REQUIRED (REST and GraphQL), nothing recorded; a fresh one approves', async () => {
    const t = await app('PT15M');
    const id = await file(t);
    const old = await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set({ Authorization: `Bearer ${await approverToken('adam', 3600)}` })
      .send({})
      .expect(401);
    expect(old.body.error).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      details: { maxAgeSeconds: 900, authAgeSeconds: expect.any(Number) },
    });
    const none = await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set({ Authorization: `Bearer ${await approverToken('adam', null)}` })
      .send({})
      .expect(401);
    expect(none.body.error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { maxAgeSeconds: 900 } });
    const graphql = await t
      .http()
      .post('/graphql')
      .set({ Authorization: `Bearer ${await approverToken('adam', 3600)}` })
      .send({ query: `mutation { approveRequest(id: "${id}") { status } }` })
      .expect(200);
    expect(graphql.body.errors[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', status: 401 });
    const still = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
    expect([still.body.status, still.body.approvals]).toEqual(['pending', []]);

    const fresh = await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set({ Authorization: `Bearer ${await approverToken('adam', 60)}` })
      .send({ comment: 'signed in a minute ago' })
      .expect(200);
    expect(fresh.body.approvals).toHaveLength(1);
  });

  it('API keys are not asked for a sign-in time', async () => {
    const t = await app('PT15M');
    const id = await file(t);
    const approver = await issueKey(t, 'approver-key', ['approver']);
    await t.http().post(`/api/v1/requests/${id}/approve`).set(approver).send({}).expect(200);
  });

  it('off when unset: an old sign-in approves', async () => {
    const t = await app();
    const id = await file(t);
    await t
      .http()
      .post(`/api/v1/requests/${id}/approve`)
      .set({ Authorization: `Bearer ${await approverToken('adam', 86_400)}` })
      .send({})
      .expect(200);
  });
});
