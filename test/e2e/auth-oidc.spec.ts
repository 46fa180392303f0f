// OIDC JWTs signed by keys from a JWKS that this test serves on 127.0.0.1: issuer, audience,
// expiry, key ids, algorithm confusion, roles from a nested claim, key rotation and JWKS caching.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';

const ISSUER = 'https://idp.contoso.test/realms/corp';
const AUDIENCE = 'rbcd-broker';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWKS endpoint whose key set the test changes (rotation) and whose fetches it counts. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.fetches++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function token(
  key: SigningKey,
  claims: Record<string, unknown> = {},
  options: { iss?: string; aud?: string; exp?: string | number; sub?: string | null; alg?: string } = {},
) {
  let jwt = new SignJWT({ preferred_username: 'alice', realm_access: { roles: ['auditor'] }, ...claims })
    .setProtectedHeader({ alg: options.alg ?? key.jwk.alg ?? 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m');
  if (options.sub !== null) jwt = jwt.setSubject(options.sub ?? 'f7c1-alice');
  return jwt.sign(key.privateKey);
}

const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function appFor(jwksUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({
    directory: new StrictFakeDirectory(),
    env: {
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: jwksUrl,
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      ...env,
    },
  });
}

describe('OIDC bearer tokens', () => {
  const jwks = new JwksServer();
  let t: TestApp;
  let keyA: SigningKey;
  let keyB: SigningKey;
  let stranger: SigningKey;

  beforeAll(async () => {
    [keyA, keyB, stranger] = await Promise.all([
      signingKey('key-a'),
      signingKey('key-b', 'ES256'),
      signingKey('key-x'),
    ]);
    jwks.keys = [keyA.jwk];
    // No cooldown here, so the rotation test needs no waiting; the cooldown has its own test below.
    t = await appFor(await jwks.start(), { OIDC_JWKS_COOLDOWN_MS: '0' });
  });

  afterAll(async () => {
    await t?.close();
    await jwks.stop();
  });

  it('accepts a valid token: identity oidc:<sub>, name, roles from the nested claim', async () => {
    await t
      .http()
      .get('/api/v1/audit')
      .set(bearer(await token(keyA)))
      .expect(200);
    const forbidden = await t
      .http()
      .post('/api/v1/requests')
      .set(bearer(await token(keyA)))
      .send({})
      .expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');

    const requester = await token(
      keyA,
      { preferred_username: 'bob', realm_access: { roles: ['requester', 'not-a-role'] } },
      { sub: 'f7c1-bob' },
    );
    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(bearer(requester))
      .send({
        action: 'grant',
        targets: ['SERVERC'],
        principals: ['SERVERB$'],
        justification: 'oidc',
        duration: 'PT1H',
      })
      .expect(201);
    expect(created.body).toMatchObject({ requester: 'oidc:f7c1-bob', requesterName: 'bob' });

    const gql = await t
      .http()
      .post('/graphql')
      .set(bearer(await token(keyA)))
      .send({ query: '{ auditEvents { items { actor } } }' })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.auditEvents.items.map((e: { actor: string }) => e.actor)).toContain('oidc:f7c1-bob');
  });

  it('an OIDC identity may not file on behalf of someone else', async () => {
    const requester = await token(keyA, { realm_access: { roles: ['requester'] } });
    const res = await t
      .http()
      .post('/api/v1/requests')
      .set(bearer(requester))
      .send({
        action: 'grant',
        targets: ['SERVERC'],
        principals: ['SERVERB$'],
        justification: 'oidc',
        requestedFor: 'carol',
      })
      .expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('a valid token without any known role is authenticated but forbidden (403, not 401)', async () => {
    const res = await t
      .http()
      .get('/api/v1/inventory')
      .set(bearer(await token(keyA, { realm_access: { roles: ['viewer'] } })))
      .expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  describe('refuses with 401', () => {
    const cases: [string, () => Promise<string>][] = [
      ['an expired token', () => token(keyA, {}, { exp: Math.floor(Date.now() / 1000) - 3600 })],
      ['a wrong audience', () => token(keyA, {}, { aud: 'someone-else' })],
      ['a wrong issuer', () => token(keyA, {}, { iss: 'https://evil.example.com/' })],
      ['a token without sub', () => token(keyA, {}, { sub: null })],
      ['an unknown key id', () => token(stranger)],
      [
        'a known key id over a foreign signature',
        async () => (await token(stranger)).replace(/^[^.]+/, b64({ alg: 'RS256', kid: 'key-a', typ: 'JWT' })),
      ],
      [
        'alg: none',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 300, realm_access: { roles: ['admin'] } })}.`;
        },
      ],
      [
        'HS256 signed with the public key as the secret',
        async () => {
          const pem = await exportSPKI(keyA.publicKey);
          return new SignJWT({ realm_access: { roles: ['admin'] } })
            .setProtectedHeader({ alg: 'HS256', kid: 'key-a' })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setSubject('x')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(pem));
        },
      ],
    ];

    it.each(cases)('%s', async (_name, make) => {
      const jwt = await make();
      const res = await t.http().get('/api/v1/requests').set(bearer(jwt)).expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      const gql = await t
        .http()
        .post('/graphql')
        .set(bearer(jwt))
        .send({ query: '{ requests { items { id } } }' })
        .expect(200);
      expect(gql.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('a valid JWT in X-API-Key (tokens go in Authorization: Bearer)', async () => {
      await t
        .http()
        .get('/api/v1/requests')
        .set('X-API-Key', await token(keyA))
        .expect(401);
    });
  });

  it('caches the JWKS: valid tokens do not refetch it', async () => {
    await t
      .http()
      .get('/api/v1/audit')
      .set(bearer(await token(keyA)))
      .expect(200);
    const before = jwks.fetches;
    for (let i = 0; i < 5; i++)
      await t
        .http()
        .get('/api/v1/audit')
        .set(bearer(await token(keyA, {}, { sub: `user-${i}` })))
        .expect(200);
    expect(jwks.fetches).toBe(before);
  });

  it('follows key rotation: a new key id is fetched and accepted; the retired key stops working', async () => {
    jwks.keys = [keyB.jwk];
    const before = jwks.fetches;
    await t
      .http()
      .get('/api/v1/audit')
      .set(bearer(await token(keyB)))
      .expect(200);
    expect(jwks.fetches).toBe(before + 1);
    await t
      .http()
      .get('/api/v1/audit')
      .set(bearer(await token(keyA)))
      .expect(401);
  });

  it('with the default cooldown, unknown key ids do not make it hammer the provider', async () => {
    const server = new JwksServer();
    server.keys = [keyA.jwk];
    const app = await appFor(await server.start());
    try {
      await app
        .http()
        .get('/api/v1/audit')
        .set(bearer(await token(keyA)))
        .expect(200);
      for (let i = 0; i < 5; i++)
        await app
          .http()
          .get('/api/v1/audit')
          .set(bearer(await token(stranger)))
          .expect(401);
      expect(server.fetches).toBe(1);
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it('answers 401 (not 500) while the JWKS endpoint is down', async () => {
    const server = new JwksServer();
    const url = await server.start();
    await server.stop();
    const app = await appFor(url);
    try {
      const res = await app
        .http()
        .get('/api/v1/requests')
        .set(bearer(await token(keyA)))
        .expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    } finally {
      await app.close();
    }
  });
});
