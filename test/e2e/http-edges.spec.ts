// What the HTTP platform (Fastify) does before a handler runs, and the envelope around every
// answer: malformed input gets the contract's error body with a stable code, never a bare
// framework error, and every answer carries its request id.
import { BODY_LIMIT_BYTES } from '../../src/http-adapter';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('HTTP edges', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ directory: new StrictFakeDirectory() });
  });

  afterAll(async () => {
    await t?.close();
  });

  const expectError = (
    res: { status: number; body: { error?: { code?: string; message?: string } }; headers: Record<string, string> },
    status: number,
    code: string,
  ) => {
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(typeof res.body.error?.message).toBe('string');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  };

  it('refuses a body that is not JSON, empty, of another media type or too large, with a code', async () => {
    const post = () => t.http().post('/api/v1/requests').set(t.admin);
    expectError(await post().set('Content-Type', 'application/json').send('{"action":'), 400, 'VALIDATION_FAILED');
    expectError(await post().set('Content-Type', 'application/json'), 400, 'VALIDATION_FAILED');
    expectError(await post().set('Content-Type', 'application/xml').send('<grant/>'), 415, 'VALIDATION_FAILED');
    const tooLarge = JSON.stringify({ justification: 'x'.repeat(BODY_LIMIT_BYTES) });
    expectError(await post().set('Content-Type', 'application/json').send(tooLarge), 413, 'VALIDATION_FAILED');
  });

  it("answers a malformed %-escape in the path with the error body, not the router's", async () => {
    const res = await t.http().get('/api/v1/delegations/%ZZ').set(t.admin);
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('routes a trailing slash and HEAD like the plain GET', async () => {
    const plain = await t.http().get('/api/v1/delegations/SERVERC').set(t.admin).expect(200);
    const slash = await t.http().get('/api/v1/delegations/SERVERC/').set(t.admin).expect(200);
    expect(slash.body).toEqual(plain.body);
    const head = await t.http().head('/api/v1/delegations/SERVERC').set(t.admin).expect(200);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers an unknown route 404 NOT_FOUND and echoes a sane X-Request-Id', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').set(t.admin).set('X-Request-Id', 'edge-404');
    expect([res.status, res.body.error.code, res.headers['x-request-id']]).toEqual([404, 'NOT_FOUND', 'edge-404']);
  });

  it('gives a GraphQL request Apollo refuses as a possible CSRF the VALIDATION_FAILED code', async () => {
    const res = await t.http().get('/graphql').query({ query: '{ __typename }' }).set(t.admin);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });
});
