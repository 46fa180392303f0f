// Structured JSON logs with request ids, and no secret in any log line: the real logger (redaction
// included) at LOG_LEVEL=info, written to a captured stream instead of stdout.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/load-config';
import { configureApp, initApp } from '../../src/configure-app';
import { createHttpAdapter } from '../../src/http-adapter';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { createRootLogger } from '../../src/logging/root-logger';
import { sandboxDir, sandboxDomain, svcPassword } from '../support/sandbox';
import { contractChecked } from '../support/contract-http';
import { testDatabaseUrl } from '../support/test-app';

const ADMIN_KEY = 'log-admin-key-Zq8vW3xY7uT5sR1p';
const WRONG_KEY = 'log-wrong-key-Kj4hG6fD2sA9lP0o';
const BODY_PASSWORD = 'Body-Pa55word-Mn3bV5cX7zL9kJ1h';
const WRONG_LDAP_PASSWORD = 'Ldap-Wr0ng-Pw-Qa2sW4eD6rF8tG0y';

describe('logs', () => {
  let app: INestApplication;
  const output: string[] = [];
  const http = () => contractChecked(request(app.getHttpServer()));
  const text = () => output.join('');
  const lines = () =>
    output
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  let issuedKey = '';

  beforeAll(async () => {
    const contoso = sandboxDomain('contoso.test');
    const config = loadConfig({
      DATABASE_URL: await testDatabaseUrl('sqlite'),
      RBCD_ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
      RBCD_WORKER: 'off',
      RBCD_CONFIG: path.join(sandboxDir(), 'rbcd.yaml'),
      // A third domain on the CONTOSO DC whose bind password is wrong: its failures get logged.
      LDAP_URL: contoso.url,
      LDAP_DOMAIN: 'wrongpw.test',
      LDAP_BASE_DN: contoso.baseDn,
      LDAP_BIND_DN: contoso.svcDn,
      LDAP_BIND_PASSWORD: WRONG_LDAP_PASSWORD,
      LDAP_CA_FILE: contoso.caFile,
    });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output.push(chunk.toString('utf8'));
        done();
      },
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(stream)
      .compile();
    app = moduleRef.createNestApplication(createHttpAdapter(config), { bufferLogs: true });
    configureApp(app, { bufferLogs: true });
    await initApp(app);

    // Traffic carrying every kind of secret.
    await http()
      .get('/api/v1/requests')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .set('X-Request-Id', 'log-test-bearer')
      .expect(200);
    await http()
      .get('/api/v1/requests')
      .set('X-API-Key', ADMIN_KEY)
      .set('X-Request-Id', 'log-test-x-api-key')
      .expect(200);
    const issued = await http()
      .post('/api/v1/api-keys')
      .set('X-API-Key', ADMIN_KEY)
      .send({ name: 'log-test', roles: ['auditor'] })
      .expect(201);
    issuedKey = issued.body.key;
    await http()
      .get('/api/v1/audit')
      .set('Authorization', `Bearer ${issuedKey}`)
      .set('Cookie', `session=${issuedKey}`)
      .expect(200);
    await http().get('/api/v1/requests').set('Authorization', `Bearer ${WRONG_KEY}`).expect(401);
    await http().get('/api/v1/requests').set('X-API-Key', WRONG_KEY).expect(401);
    await http()
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .set('X-Request-Id', 'log-test-password-body')
      .send({ name: 'x', roles: ['requester'], password: BODY_PASSWORD, secret: BODY_PASSWORD })
      .expect(400);
    await http()
      .post('/graphql')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ query: 'query($p: String!) { request(id: $p) { id } }', variables: { p: BODY_PASSWORD } });
    await http()
      .get('/api/v1/delegations/CONTOSO%5CSERVERC%24')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(200); // binds with the svc-rbcd password
    await http().get('/health/ready').expect(503); // wrongpw.test does not bind: logged as a failed check
    await new Promise((resolve) => setImmediate(resolve));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('writes one JSON object per line (level, time, message), each naming the service', () => {
    expect(lines().length).toBeGreaterThanOrEqual(8);
    for (const line of lines())
      expect(line).toMatchObject({
        level: expect.any(Number),
        time: expect.any(Number),
        msg: expect.any(String),
        service: 'rbcd-broker',
      });
    expect(lines().filter((l) => l.req).length).toBeGreaterThanOrEqual(7);
  });

  it('never writes an API key, a password from a body, or an LDAP bind password', () => {
    const all = text();
    expect(issuedKey).toMatch(/.{16,}/);
    for (const secret of [
      ADMIN_KEY,
      WRONG_KEY,
      issuedKey,
      BODY_PASSWORD,
      WRONG_LDAP_PASSWORD,
      svcPassword('contoso.test'),
      svcPassword('fabrikam.test'),
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it('logs each request once, with its id, method, URL, status and duration, and no headers', () => {
    const byId = (id: string) => lines().filter((l) => l.req?.id === id);
    expect(byId('log-test-bearer')).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: { id: 'log-test-bearer', method: 'GET', url: '/api/v1/requests', remoteAddress: expect.any(String) },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(byId('log-test-x-api-key')).toHaveLength(1);
    expect(byId('log-test-password-body')).toEqual([expect.objectContaining({ res: { statusCode: 400 } })]);
    for (const line of lines().filter((l) => l.req)) expect(line.req.headers).toBeUndefined();
  });

  it('redacts credentials in objects logged by the code (defence in depth)', () => {
    const captured: string[] = [];
    const logger = createRootLogger(
      'info',
      new Writable({ write: (chunk: Buffer, _e, done) => (captured.push(chunk.toString()), done()) }),
    );
    logger.info(
      {
        req: { headers: { authorization: `Bearer ${ADMIN_KEY}`, cookie: 'c', 'x-api-key': ADMIN_KEY } },
        ldap: { bindPassword: WRONG_LDAP_PASSWORD },
        slack: { signingSecret: BODY_PASSWORD },
      },
      'x',
    );
    expect(captured.join('')).not.toMatch(new RegExp(`${ADMIN_KEY}|${WRONG_LDAP_PASSWORD}|${BODY_PASSWORD}`));
    expect(JSON.parse(captured[0])).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' } },
      ldap: { bindPassword: '[redacted]' },
    });
  });

  it('generates a request id when the caller sends none, and returns it', async () => {
    const res = await http().get('/api/v1/requests').set('X-API-Key', ADMIN_KEY).expect(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().filter((l) => l.req?.id === id)).toHaveLength(1);
    const bad = await http()
      .get('/api/v1/requests')
      .set('X-API-Key', ADMIN_KEY)
      .set('X-Request-Id', 'not ok; <script>')
      .expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs the failed directory bind without the password', () => {
    expect(text()).toMatch(/wrongpw\.test/);
  });
});
