// Break-glass (issue 14 §3), proven by the KDC: applied without approval → allowed → a review revokes
// it → refused. Only where a rule allows it, never on Tier 0 (even a Tier 0 object a rule names
// exactly), ticket required, loud (webhook, chat message naming every approver, metric), reviewed
// by someone else, escalated when nobody does. Each refusal sits beside its positive control.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BreakGlassScheduler } from '../../src/breakglass/breakglass.scheduler';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { createOu, ldapmodify } from '../support/ldapmodify';
import { createComputer, type CreatedComputer, deleteObject, readRbcdRaw, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { drainJobs, issueKey, type Headers, sandboxApp, sleep } from '../support/workflow';

const SECRET = 'breakglass-chat-secret';
const APPROVER_CHAT_ID = 'UAPPROVER1';

interface Delivery {
  path: string;
  body: Record<string, unknown>;
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('break-glass on %s', (database) => {
  let t: TestApp;
  let server: Server;
  const deliveries: Delivery[] = [];
  let ou: string;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let second: CreatedComputer;
  let tier0: CreatedComputer;
  let spn: string;
  let spn2: string;
  let glass: Headers; // breakglass + approver: may not review their own
  let approver: Headers;
  let requester: Headers;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString() || '{}') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    ou = await createOu(`OU=${uniqueName('BG')},OU=Servers,DC=contoso,DC=test`);
    frontEnd = await createComputer(uniqueName('GF'), { ou });
    await enableProtocolTransition(frontEnd.samAccountName);
    const n1 = uniqueName('GB');
    spn = `cifs/${n1.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(n1, { ou, spns: [spn] });
    const n2 = uniqueName('GC');
    spn2 = `cifs/${n2.toLowerCase()}.contoso.test`;
    second = await createComputer(n2, { ou, spns: [spn2] });
    tier0 = await createComputer(uniqueName('GT'), { ou });
    await ldapmodify(tier0.dn, `dn: ${tier0.dn}\nchangetype: modify\nreplace: adminCount\nadminCount: 1\n-\n`);
    created.push(frontEnd, backEnd, second, tier0);

    t = await sandboxApp({
      database,
      config: {
        policy: {
          defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
          rules: [
            // Names the Tier 0 object exactly: an ordinary grant would be allowed; break-glass never.
            {
              match: { targetDnSuffix: tier0.dn },
              breakGlass: { allowed: true, maxDuration: 'PT4H', reviewWithin: 'PT24H' },
            },
            {
              match: { targetDnSuffix: ou },
              requiredApprovals: 2,
              breakGlass: { allowed: true, maxDuration: 'PT4H', reviewWithin: 'PT2S' },
            },
          ],
        },
        webhooks: [{ url: `${base}/hook`, events: ['request.breakglass', 'request.breakglass.escalated'] }],
        chat: {
          slack: {
            signingSecret: SECRET,
            notifyUrl: `${base}/slack`,
            users: {
              [APPROVER_CHAT_ID]: { roles: ['approver'] },
              UGLASS: { user: 'carol@contoso.test', roles: ['breakglass'] },
              UREQUESTER: { user: 'alice@contoso.test', roles: ['requester'] },
            },
          },
        },
      },
    });
    glass = await issueKey(t, 'oncall', ['breakglass', 'approver']);
    approver = await issueKey(t, 'reviewer', ['approver']);
    requester = await issueKey(t, 'ticketing', ['requester']);
  });

  afterAll(async () => {
    await t?.close();
    server?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (ou) await deleteObject(ou).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const oracle = (s = spn) => canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn: s });
  const body = (extra: Record<string, unknown> = {}) => ({
    targets: [backEnd.dn],
    principals: [frontEnd.sid],
    justification: 'P1: restore fails, nobody can approve before morning',
    ticket: { system: 'pagerduty', id: 'INC-4242' },
    duration: 'PT2H',
    ...extra,
  });
  const file = (headers: Headers, extra: Record<string, unknown> = {}) =>
    t.http().post('/api/v1/breakglass').set(headers).send(body(extra));
  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(approver).expect(200)).body;
  const metric = async (state: string) => {
    const text: string = (await t.http().get('/metrics').expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith(`rbcd_breakglass_unreviewed{state="${state}"}`));
    return line ? Number(line.split(' ').pop()) : undefined;
  };

  it('applied without approval → KDC allowed → a review revokes it → KDC refused', async () => {
    expect((await oracle()).allowed).toBe(false);

    // Refused: no breakglass role; no ticket; longer than the rule's maxDuration; Tier 0 (named exactly by a rule).
    expect((await file(requester).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect((await file(glass, { ticket: undefined }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await file(glass, { duration: 'PT5H' }).expect(422)).body.error.code).toBe('POLICY_DENIED');
    const t0 = await file(glass, { targets: [tier0.dn] }).expect(422);
    expect(t0.body.error.message).toMatch(/never applies to Tier 0/);
    // ... while an ordinary grant on that object is allowed by the rule that names it (it waits for approval).
    await t
      .http()
      .post('/api/v1/requests')
      .set(requester)
      .send({ action: 'grant', targets: [tier0.dn], principals: [frontEnd.sid], justification: 'control' })
      .expect(201);
    // Refused: a target no rule allows break-glass on (SERVERC, OU=Servers).
    const elsewhere = await file(glass, { targets: ['SERVERC'] }).expect(422);
    expect(elsewhere.body.error.message).toMatch(/no policy rule allows break-glass/);
    expect((await oracle()).allowed).toBe(false);

    const filed = await file(glass).expect(201);
    expect(filed.body).toMatchObject({ status: 'approved', emergency: true, review: null, approvals: [] });
    expect(Date.parse(filed.body.reviewDueAt)).toBeGreaterThan(Date.now() - 1000);
    await drainJobs(t);
    const applied = await get(filed.body.id);
    expect(applied.status).toBe('applied');
    expect(applied.nextSteps.join(' ')).toMatch(/must review it/);
    expect((await oracle()).allowed).toBe(true);

    // Loud: the webhook, and a chat message naming every approver.
    const hook = deliveries.find((d) => d.path === '/hook' && d.body.type === 'request.breakglass');
    expect(hook?.body.data).toMatchObject({ requestId: filed.body.id, request: { emergency: true } });
    const chat = deliveries.find(
      (d) =>
        d.path === '/slack' && String(d.body.text).includes(filed.body.id) && /BREAK-GLASS/.test(String(d.body.text)),
    );
    expect(chat).toBeDefined();
    expect(String(chat?.body.text)).toContain(`<@${APPROVER_CHAT_ID}>`);
    expect(String(chat?.body.text)).not.toContain('<@UGLASS>');
    expect(await metric('pending')).toBeGreaterThanOrEqual(0);

    // Unreviewed past reviewWithin (PT2S): escalated once, and counted as overdue.
    await sleep(Math.max(0, Date.parse(applied.reviewDueAt) - Date.now()) + 100);
    expect(await t.app.get(BreakGlassScheduler).escalateDue()).toBe(1);
    expect(await t.app.get(BreakGlassScheduler).escalateDue()).toBe(0);
    await drainJobs(t);
    expect((await get(filed.body.id)).escalatedAt).toEqual(expect.any(String));
    expect(await metric('overdue')).toBe(1);
    expect(deliveries.some((d) => d.path === '/hook' && d.body.type === 'request.breakglass.escalated')).toBe(true);

    // The break-glass user may not review their own request (they hold approver too); a bad outcome is 400.
    const own = await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(glass)
      .send({ outcome: 'confirm', comment: 'fine by me' })
      .expect(403);
    expect(own.body.error.code).toBe('SELF_APPROVAL');
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(approver)
      .send({ outcome: 'maybe', comment: 'x' })
      .expect(400);
    const reviewed = await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(approver)
      .send({ outcome: 'revoke', comment: 'the incident is over' })
      .expect(200);
    expect(reviewed.body.review).toMatchObject({ outcome: 'revoke', reviewer: 'apikey:reviewer' });
    await drainJobs(t);
    expect((await get(filed.body.id)).status).toBe('revoked');
    expect(await readRbcdRaw(backEnd.dn)).toBeNull();
    expect((await oracle()).allowed).toBe(false);
    expect(await metric('overdue')).toBe(0);
    // Reviewed once; an ordinary request has nothing to review.
    const again = await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/review`)
      .set(approver)
      .send({ outcome: 'confirm', comment: 'again' })
      .expect(409);
    expect(again.body.error.code).toBe('INVALID_STATE');

    const audit = await t.http().get(`/api/v1/audit?requestId=${filed.body.id}&limit=100`).set(t.admin).expect(200);
    const types = (audit.body.items as { type: string }[]).map((e) => e.type).reverse();
    expect(types.slice(0, 3)).toEqual(['request.created', 'request.breakglass', 'request.approved']);
    expect(types).toEqual(
      expect.arrayContaining(['request.breakglass-escalated', 'request.reviewed', 'request.revoked']),
    );
  });

  it('chat: `breakglass … ticket …` applies at once; GraphQL reviewRequest confirms it', async () => {
    expect((await oracle(spn2)).allowed).toBe(false);
    const command = async (userId: string, text: string) => {
      const form = new URLSearchParams({ user_id: userId, user_name: userId, text, command: '/rbcd' }).toString();
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${form}`).digest('hex')}`;
      return t
        .http()
        .post('/api/v1/chatops/slack/commands')
        .type('form')
        .set('X-Slack-Request-Timestamp', ts)
        .set('X-Slack-Signature', signature)
        .send(form)
        .expect(200);
    };
    const target = second.samAccountName.replace(/\$$/, '');
    // Refused: without a ticket; and by a chat user without the breakglass role.
    expect(
      (await command('UGLASS', `breakglass ${frontEnd.samAccountName} -> ${target} for 1h because outage`)).body.text,
    ).toMatch(/needs a ticket/);
    expect(
      (
        await command(
          'UREQUESTER',
          `breakglass ${frontEnd.samAccountName} -> ${target} for 1h because outage ticket INC-1`,
        )
      ).body.text,
    ).toMatch(/roles: .*breakglass/);
    expect((await oracle(spn2)).allowed).toBe(false);

    const reply = await command(
      'UGLASS',
      `breakglass ${frontEnd.samAccountName} -> ${target} for 1h because backups down ticket INC-77`,
    );
    expect(reply.body.response_type).toBe('in_channel');
    const id = /request ([0-9a-f-]{36})/.exec(reply.body.text)?.[1] as string;
    await drainJobs(t);
    expect(await get(id)).toMatchObject({
      status: 'applied',
      emergency: true,
      ticket: { system: 'chat', id: 'INC-77' },
    });
    expect((await oracle(spn2)).allowed).toBe(true);

    const gql = await t
      .http()
      .post('/graphql')
      .set(approver)
      .send({
        query: `mutation($id: String!) { reviewRequest(id: $id, input: {outcome: "confirm", comment: "needed"}) { status review { outcome } } }`,
        variables: { id },
      })
      .expect(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.reviewRequest).toEqual({ status: 'applied', review: { outcome: 'confirm' } });
    await drainJobs(t);
    expect((await oracle(spn2)).allowed).toBe(true); // confirmed: it stays until it expires
    await t.http().post(`/api/v1/requests/${id}/revoke`).set(approver).send({}).expect(200);
    await drainJobs(t);
    expect((await oracle(spn2)).allowed).toBe(false);
  });
});
