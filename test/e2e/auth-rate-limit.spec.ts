// Changes are rate limited per identity (sliding minute): REST POST/DELETE and GraphQL
// mutations; reads are not, and POST /delegations/plan and POST /diagnose are reads.
// RBCD_RATE_LIMIT_PER_MINUTE sets the limit.
import { createHmac } from 'node:crypto';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey, type Headers } from '../support/workflow';

const PLAN = { action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'] };
const DIAGNOSE = { user: 'alice', frontEnd: 'SERVERB$', backEnd: 'SERVERC' };
const NO_SUCH_REQUEST = '00000000-0000-4000-8000-000000000000';
/** A change (cancel) of a request that does not exist: 404, but counted like any change. */
const cancelNothing = (t: TestApp, caller: Headers) =>
  t.http().post(`/api/v1/requests/${NO_SUCH_REQUEST}/cancel`).set(caller).send({});
const LIMIT = 3;
const SLACK_SECRET = 'rate-limit-slack-secret';

/** A signed slash command, as Slack sends it; `send` posts the very same bytes to an app. */
function signedSlash(userId: string, text: string) {
  const body = new URLSearchParams({
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: '/rbcd',
    text,
  }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    send: (t: TestApp) =>
      t
        .http()
        .post('/api/v1/chatops/slack/commands')
        .type('form')
        .set('X-Slack-Request-Timestamp', ts)
        .set('X-Slack-Signature', signature)
        .send(body),
  };
}

function slash(t: TestApp, userId: string, text: string) {
  return signedSlash(userId, text).send(t);
}

const CHAT = {
  chat: { slack: { signingSecret: SLACK_SECRET, users: { UCHATTY: { user: 'alice', roles: ['requester'] } } } },
};

describe('rate limiting of mutations', () => {
  let t: TestApp;
  let first: Headers;
  let second: Headers;

  beforeAll(async () => {
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      env: { RBCD_RATE_LIMIT_PER_MINUTE: String(LIMIT) },
      config: CHAT,
    });
    first = await issueKey(t, 'busy-client', ['requester', 'approver']);
    second = await issueKey(t, 'other-client', ['requester']);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once an identity used its mutations for the minute', async () => {
    for (let i = 0; i < LIMIT; i++) await cancelNothing(t, first).expect(404);
    const refused = await cancelNothing(t, first).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limitPerMinute: LIMIT } });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body.error.details.retryAfterSeconds).toBe(retryAfter);
    // DELETE counts too: the bootstrap admin issued two keys, so its third mutation is the last one.
    await t.http().delete('/api/v1/api-keys/00000000-0000-4000-8000-000000000000').set(t.admin).expect(404);
    const deleteRefused = await t
      .http()
      .delete('/api/v1/api-keys/00000000-0000-4000-8000-000000000000')
      .set(t.admin)
      .expect(429);
    expect(deleteRefused.body.error.code).toBe('RATE_LIMITED');
  });

  it('does not limit reads, nor other identities', async () => {
    for (let i = 0; i < LIMIT + 2; i++) await t.http().get('/api/v1/requests').set(first).expect(200);
    await cancelNothing(t, second).expect(404);
  });

  it('counts neither POST /delegations/plan nor POST /diagnose: they are reads, also for a caller already limited', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      await t.http().post('/api/v1/delegations/plan').set(first).send(PLAN).expect(200);
      await t.http().post('/api/v1/diagnose').set(first).send(DIAGNOSE).expect(200);
    }
  });

  it('limits GraphQL mutations of the same identity (code and Retry-After), not queries', async () => {
    const mutation = await t
      .http()
      .post('/graphql')
      .set(first)
      .send({ query: 'mutation { cancelRequest(id: "00000000-0000-4000-8000-000000000000") { id } }' })
      .expect(200);
    expect(mutation.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(mutation.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const query = await t
      .http()
      .post('/graphql')
      .set(first)
      .send({ query: '{ requests { items { id } } }' })
      .expect(200);
    expect(query.body.errors).toBeUndefined();
  });

  it('limits chat changes per chat identity the same way; chat reads are not counted', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const filed = await slash(t, 'UCHATTY', `grant SERVERB$ -> SERVERC because chatty ${i}`).expect(200);
      expect(filed.body.text).toMatch(/^:inbox_tray: Filed request/);
    }
    const refused = await slash(t, 'UCHATTY', 'grant SERVERB$ -> SERVERC because one too many').expect(200);
    expect(refused.body).toEqual({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^:hourglass: Too many changes: at most 3 per minute/),
    });
    const read = await slash(t, 'UCHATTY', 'show SERVERC').expect(200);
    expect(read.body.text).toContain('Nobody may delegate to SERVERC$');
  });
});

describe('the default limit (120 changes a minute) and reads', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ directory: new StrictFakeDirectory() });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('121 diagnose calls and 10 plans in a minute leave the caller free to approve', async () => {
    expect(t.config.limits.mutationsPerMinute).toBe(120);
    const requester = await issueKey(t, 'ticketing', ['requester']);
    const approver = await issueKey(t, 'busy-approver', ['approver']);
    for (let i = 0; i < 121; i++) await t.http().post('/api/v1/diagnose').set(approver).send(DIAGNOSE).expect(200);
    for (let i = 0; i < 10; i++) await t.http().post('/api/v1/delegations/plan').set(approver).send(PLAN).expect(200);
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(requester)
      .send({ ...PLAN, justification: 'after many reads', duration: 'PT1H' })
      .expect(201);
    const approved = await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/approve`)
      .set(approver)
      .send({})
      .expect(200);
    expect(approved.body.status).toBe('approved');
  });
});

describe('limits shared by every replica (two apps on one PostgreSQL database)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { RBCD_RATE_LIMIT_PER_MINUTE: String(LIMIT) };
    a = await createTestApp({ directory: new StrictFakeDirectory(), database: 'postgres', env, config: CHAT });
    const url = (a.config.database as { url: string }).url;
    b = await createTestApp({ directory: new StrictFakeDirectory(), env: { ...env, DATABASE_URL: url }, config: CHAT });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("counts one identity's changes across replicas: the fourth, on either, is refused", async () => {
    const caller = await issueKey(a, 'spread-client', ['requester']);
    await cancelNothing(a, caller).expect(404);
    await cancelNothing(b, caller).expect(404);
    await cancelNothing(a, caller).expect(404);
    const refused = await cancelNothing(b, caller).expect(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    await cancelNothing(a, caller).expect(429);
  });

  it('accepts a signed chat request once in the whole deployment: the same bytes sent to the other replica are a replay', async () => {
    const request = signedSlash('UCHATTY', 'show SERVERC');
    const accepted = await request.send(a).expect(200);
    expect(accepted.body.text).toContain('SERVERC$');
    const replayed = await request.send(b).expect(401);
    expect(replayed.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/replay/) });
    await request.send(a).expect(401);
  });
});
