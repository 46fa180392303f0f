// Every operation of openapi/openapi.json, called on the sandbox DC with real data, through the
// contract-checked supertest helper: each answer matches the spec, and none of the operations is
// left out (a new route without a call here fails the last test).
import { createHmac } from 'node:crypto';
import { committedContract } from '../support/contract';
import { checkedAnswers } from '../support/contract-http';
import { createComputer, type CreatedComputer, deleteObject, sandboxDomain, uniqueName } from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, issueKey, sandboxApp } from '../support/workflow';

const SECRET = 'contract-chat-signing-secret';

function signed(t: TestApp, path: string, form: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return t
    .http()
    .post(path)
    .type('form')
    .set('X-Slack-Request-Timestamp', ts)
    .set('X-Slack-Signature', signature)
    .send(body);
}

describe('the contract on every operation (sandbox DC)', () => {
  let t: TestApp;
  let who: Actors;
  let target: CreatedComputer;
  const base = sandboxDomain().baseDn;

  beforeAll(async () => {
    t = await sandboxApp({
      config: {
        policy: {
          defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
          rules: [
            {
              match: { targetDnSuffix: `OU=Servers,${base}` },
              breakGlass: { allowed: true, maxDuration: 'PT4H', reviewWithin: 'PT24H' },
            },
          ],
        },
        chat: {
          slack: { signingSecret: SECRET, users: { UCONTRACT: { user: 'alice@contoso.test', roles: ['requester'] } } },
        },
      },
    });
    who = await actors(t);
    target = await createComputer(uniqueName('CT'), { spns: [] });
  });

  afterAll(async () => {
    await t?.close();
    if (target) await deleteObject(target.dn);
  });

  it('health, metrics and API keys', async () => {
    await t.http().get('/health/live').expect(200);
    await t.http().get('/health/ready').expect(200);
    await t.http().get('/metrics').expect(200);
    await t.http().get('/api/v1/console/config').expect(200);
    await t.http().get('/api/v1/me').set(who.requester).expect(200);
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'contract', roles: ['auditor'] })
      .expect(201);
    await t.http().get('/api/v1/api-keys').set(t.admin).expect(200);
    await t.http().delete(`/api/v1/api-keys/${key.body.id}`).set(t.admin).expect(204);
    await t.http().delete(`/api/v1/api-keys/${key.body.id}`).set(t.admin).expect(404);
    await t.http().get('/api/v1/api-keys').expect(401);
    await t.http().get('/api/v1/api-keys').set(who.requester).expect(403);
  });

  it('live reads: delegations, inventory, standing, plan, diagnose', async () => {
    await t.http().get('/api/v1/delegations/SERVERC').set(who.requester).expect(200);
    await t.http().get('/api/v1/delegations/NO-SUCH-HOST').set(who.requester).expect(404);
    await t.http().get('/api/v1/delegations').query({ principal: 'SERVERB$' }).set(who.requester).expect(200);
    await t
      .http()
      .get('/api/v1/inventory')
      .query({ base: `OU=Servers,${base}` })
      .set(who.requester)
      .expect(200);
    await t
      .http()
      .get('/api/v1/standing')
      .query({ base: `OU=Servers,${base}`, limit: 50 })
      .set(who.requester)
      .expect(200);
    await t.http().get('/api/v1/standing').query({ cursor: 'nonsense' }).set(who.requester).expect(400);
    await t
      .http()
      .post('/api/v1/delegations/plan')
      .set(who.requester)
      .send({ action: 'grant', targets: [target.dn], principals: ['SERVERB$'] })
      .expect(200);
    await t
      .http()
      .post('/api/v1/diagnose')
      .set(who.requester)
      .send({ user: 'alice', frontEnd: 'SERVERB$', backEnd: target.samAccountName })
      .expect(200);
    await t.http().post('/api/v1/diagnose').set(who.requester).send({ user: 'alice' }).expect(400);
  });

  it('the request workflow: file, approve, apply, read, revoke; reject; cancel', async () => {
    const grant = {
      action: 'grant',
      targets: [target.dn],
      principals: ['SERVERB$'],
      justification: 'contract tour',
      ticket: { system: 'servicenow', id: 'CHG1' },
      duration: 'PT1H',
    };
    const filed = await t.http().post('/api/v1/requests').set(who.requester).send(grant).expect(201);
    await t.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.requester).send({}).expect(403);
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/approve`)
      .set(who.approver)
      .send({ comment: 'ok' })
      .expect(200);
    await drainJobs(t);
    await t.http().get(`/api/v1/requests/${filed.body.id}`).set(who.requester).expect(200);
    await t.http().get('/api/v1/requests').set(who.requester).expect(200);
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/extend`)
      .set(who.requester)
      .send({ duration: 'PT30M', justification: 'more time' })
      .expect(201);
    await t.http().post(`/api/v1/requests/${filed.body.id}/extend`).set(who.requester).send({}).expect(400);
    await t.http().post(`/api/v1/requests/${filed.body.id}/revoke`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const toReject = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ ...grant, ticket: undefined })
      .expect(201);
    await t
      .http()
      .post(`/api/v1/requests/${toReject.body.id}/reject`)
      .set(who.approver)
      .send({ comment: 'no' })
      .expect(200);
    await t.http().post(`/api/v1/requests/${toReject.body.id}/cancel`).set(who.requester).expect(409);
    const toCancel = await t.http().post('/api/v1/requests').set(who.requester).send(grant).expect(201);
    await t.http().post(`/api/v1/requests/${toCancel.body.id}/cancel`).set(who.requester).expect(200);
    await t.http().get('/api/v1/requests/00000000-0000-4000-8000-000000000000').set(who.requester).expect(404);
  });

  it('break-glass and its review; adoption refused when nothing stands', async () => {
    const glass = await issueKey(t, 'contract-oncall', ['breakglass']);
    const emergency = {
      targets: [target.dn],
      principals: ['SERVERB$'],
      justification: 'contract tour',
      ticket: { system: 'pagerduty', id: 'INC1' },
      duration: 'PT1H',
    };
    const filed = await t.http().post('/api/v1/breakglass').set(glass).send(emergency).expect(201);
    await t
      .http()
      .post('/api/v1/breakglass')
      .set(glass)
      .send({ ...emergency, ticket: undefined })
      .expect(400);
    await t
      .http()
      .post('/api/v1/breakglass')
      .set(glass)
      .send({ ...emergency, targets: ['PAW01'] })
      .expect(422);
    await drainJobs(t);
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(who.approver)
      .send({ outcome: 'revoke', comment: 'over' })
      .expect(200);
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(who.approver)
      .send({ outcome: 'confirm', comment: 'again' })
      .expect(409);
    await drainJobs(t);
    await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'adopt', targets: [target.dn], principals: ['SERVERD$'], justification: 'x', standing: true })
      .expect(409);
  });

  it('access reviews: open, read, decide, report (JSON and CSV)', async () => {
    const opened = await t
      .http()
      .post('/api/v1/reviews')
      .set(who.approver)
      .send({
        scope: [target.dn],
        reviewers: ['role:approver'],
        dueAt: new Date(Date.now() + 3600_000).toISOString(),
        defaultDecision: 'keep',
      })
      .expect(201);
    await t.http().post('/api/v1/reviews').set(who.approver).send({ scope: [] }).expect(400);
    await t.http().get('/api/v1/reviews').set(who.approver).expect(200);
    await t.http().get(`/api/v1/reviews/${opened.body.id}`).set(who.approver).expect(200);
    await t.http().get('/api/v1/reviews/00000000-0000-4000-8000-000000000000').set(who.approver).expect(404);
    await t
      .http()
      .post(`/api/v1/reviews/${opened.body.id}/items/00000000-0000-4000-8000-000000000000/decision`)
      .set(who.approver)
      .send({ decision: 'keep', comment: 'contract' })
      .expect(404);
    await t.http().get(`/api/v1/reviews/${opened.body.id}/report`).set(who.approver).expect(200);
    await t.http().get(`/api/v1/reviews/${opened.body.id}/report.csv`).set(who.approver).expect(200);
  });

  it('audit, webhooks, reconcile and chat', async () => {
    await t.http().get('/api/v1/audit').set(t.admin).expect(200);
    await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200);
    await t.http().get('/api/v1/audit/export').set(t.admin).expect(200);
    await t.http().get('/api/v1/audit/export').query({ fromSeq: 'x' }).set(t.admin).expect(400);
    await t.http().get('/api/v1/audit/sinks').set(t.admin).expect(200);
    await t.http().post('/api/v1/audit/sinks/none/replay').set(t.admin).send({ fromSeq: 1 }).expect(404);
    await t.http().get('/api/v1/webhooks/deliveries').set(t.admin).expect(200);
    await t
      .http()
      .post('/api/v1/webhooks/deliveries/00000000-0000-4000-8000-000000000000/retry')
      .set(t.admin)
      .expect(404);
    await t.http().post('/api/v1/reconcile').set(t.admin).expect(200);
    await signed(t, '/api/v1/chatops/slack/commands', {
      user_id: 'UCONTRACT',
      user_name: 'carl',
      command: '/rbcd',
      text: 'help',
    }).expect(200);
    await signed(t, '/api/v1/chatops/slack/commands', { ssl_check: '1' }).expect(200);
    const payload = JSON.stringify({
      type: 'block_actions',
      user: { id: 'UCONTRACT', username: 'carl' },
      actions: [{ action_id: 'nothing', value: 'x' }],
    });
    await signed(t, '/api/v1/chatops/slack/interactions', { payload }).expect(200);
    await t.http().post('/api/v1/chatops/slack/commands').type('form').send('text=help').expect(401);
  });

  it('every operation of the spec was called and answered as documented', () => {
    const called = new Set([...checkedAnswers()].map((answer) => answer.replace(/ \d{3}$/, '')));
    expect(
      committedContract()
        .operationNames()
        .filter((op) => !called.has(op)),
    ).toEqual([]);
  });
});
