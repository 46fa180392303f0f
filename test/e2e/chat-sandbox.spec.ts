// A grant filed with a slash command and approved with a button by a second chat user, applied by
// the worker to the real sandbox DC; then read back in chat and revoked from chat.
import { createHmac } from 'node:crypto';
import { JobRunner } from '../../src/jobs/job-runner';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  findDn,
  getSid,
  readRbcdRaw,
  sidToBytes,
  uniqueName,
} from '../support/sandbox';
import { EventReceiver } from '../support/event-receiver';
import type { TestApp } from '../support/test-app';
import { sandboxApp, sleep } from '../support/workflow';

const SECRET = 'sandbox-chat-signing-secret';
const REQUESTER = { id: 'UCHREQ', name: 'rita' };
const APPROVER = { id: 'UCHAPP', name: 'alex' };

function signedPost(t: TestApp, path: string, form: Record<string, string>) {
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

const slash = (t: TestApp, user: { id: string; name: string }, text: string) =>
  signedPost(t, '/api/v1/chatops/slack/commands', { user_id: user.id, user_name: user.name, command: '/rbcd', text });

/** True when the descriptor holds an ACCESS_ALLOWED ACE (type 0) for the SID (independent of src/). */
function allowsSid(raw: Buffer | null, sid: string): boolean {
  if (!raw) return false;
  const at = raw.indexOf(sidToBytes(sid), 20);
  return at >= 28 && raw[at - 8] === 0x00;
}

describe('chat grant on the sandbox DC', () => {
  let t: TestApp;
  let target: CreatedComputer;
  let serverbSid: string;
  const receiver = new EventReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await sandboxApp({
      config: {
        chat: {
          slack: {
            signingSecret: SECRET,
            notifyUrl: `${receiver.url}/chat`,
            users: {
              [REQUESTER.id]: { user: 'alice@contoso.test', roles: ['requester', 'approver'] },
              [APPROVER.id]: { user: 'CONTOSO\\carol', roles: ['approver'] },
            },
          },
        },
      },
    });
    target = await createComputer(uniqueName('CH'));
    serverbSid = await getSid((await findDn('SERVERB$')) as string);
  });

  afterAll(async () => {
    await t?.close();
    await receiver.stop();
    if (target) await deleteObject(target.dn);
  });

  it('slash command → button approval by a second user → applied ACE → show → revoke from chat', async () => {
    const targetName = target.samAccountName.replace(/\$$/, '');
    const filed = await slash(
      t,
      REQUESTER,
      `grant SERVERB$ -&gt; ${targetName} for 1h because chat e2e ticket CHG7`,
    ).expect(200);
    const id = /Filed request ([0-9a-f-]{36})/.exec(filed.body.text)?.[1] as string;
    expect(filed.body).toEqual({
      response_type: 'in_channel',
      text: expect.stringContaining(`SERVERB$ to delegate to ${target.samAccountName}`),
    });
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(false);

    const self = await signedPost(t, '/api/v1/chatops/slack/interactions', {
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: REQUESTER.id, username: REQUESTER.name },
        actions: [{ action_id: 'approve', value: id }],
      }),
    }).expect(200);
    // The requester is an approver too, but never of their own request.
    expect(self.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^:no_entry: You can't approve your own request/),
    });

    const press = await signedPost(t, '/api/v1/chatops/slack/interactions', {
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: APPROVER.id, username: APPROVER.name },
        actions: [{ action_id: 'approve', block_id: `request:${id}`, value: id }],
      }),
    }).expect(200);
    expect(press.body.text).toContain(`alex approved request ${id}; it is approved`);

    await t.app.get(JobRunner).runOnce();
    const applied = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
    expect(applied.body).toMatchObject({
      status: 'applied',
      requester: 'slack:UCHREQ',
      requesterName: 'rita',
      ticket: { system: 'chat', id: 'CHG7' },
      targets: [expect.objectContaining({ dn: target.dn, sid: target.sid })],
      principals: [expect.objectContaining({ sid: serverbSid })],
      approvals: [expect.objectContaining({ approver: 'slack:UCHAPP', approverName: 'alex' })],
    });
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(true);

    const show = await slash(t, { id: 'UNMAPPED', name: 'sam' }, `show ${targetName}`).expect(200);
    expect(show.body.text).toContain(`${target.samAccountName} (${target.dn}) accepts delegation from:\n• SERVERB$`);
    const status = await slash(t, { id: 'UNMAPPED', name: 'sam' }, `status ${id}`).expect(200);
    expect(status.body.text).toMatch(/applied[\s\S]*klist purge -li 0x3e7/);

    const revoke = await slash(t, REQUESTER, `revoke ${id} done`).expect(200);
    expect(revoke.body.text).toContain('revoked the grant');
    await t.app.get(JobRunner).runOnce();
    const revoked = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
    expect(revoked.body.status).toBe('revoked');
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(false);
  });

  it('a scheduled grant from chat starts at its time; extend from chat moves its expiry; the requester is named', async () => {
    const targetName = target.samAccountName.replace(/\$$/, '');
    const startsAt = new Date(Date.now() + 6_000).toISOString();
    const filed = await slash(
      t,
      REQUESTER,
      `grant SERVERB$ -&gt; ${targetName} from ${startsAt} for 1h because maintenance window`,
    ).expect(200);
    const id = /Filed request ([0-9a-f-]{36})/.exec(filed.body.text)?.[1] as string;
    expect(filed.body.text).toContain(`from ${startsAt}`);
    const approved = await slash(t, APPROVER, `approve ${id}`).expect(200);
    expect(approved.body.text).toContain(`it is scheduled and will be applied at ${startsAt}`);
    await t.app.get(JobRunner).runOnce();
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(false);

    await sleep(Math.max(0, Date.parse(startsAt) - Date.now()) + 200);
    await t.app.get(JobRunner).runOnce();
    const applied = (await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200)).body;
    expect(applied.status).toBe('applied');
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(true);
    // The channel was told, naming the requester: approved, scheduled, applied.
    const told = receiver.chatTexts().filter((text) => text.includes(`<@${REQUESTER.id}>`) && text.includes(id));
    expect(told.some((text) => text.includes(`Request ${id} is scheduled`))).toBe(true);
    expect(told.some((text) => text.includes(`Request ${id} is applied until ${applied.expiresAt}`))).toBe(true);

    const extend = await slash(t, REQUESTER, `extend ${id} for 30m because the window ran over`).expect(200);
    const extensionId = /Filed extension ([0-9a-f-]{36})/.exec(extend.body.text)?.[1] as string;
    expect(extend.body.text).toContain('pending');
    await slash(t, APPROVER, `approve ${extensionId}`).expect(200);
    await t.app.get(JobRunner).runOnce();
    const extended = (await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200)).body;
    expect(Date.parse(extended.expiresAt) - Date.parse(applied.expiresAt)).toBe(30 * 60_000);
    expect(
      receiver
        .chatTexts()
        .some((text) => text.includes(`The grant of request ${id} now runs until ${extended.expiresAt}`)),
    ).toBe(true);

    await slash(t, REQUESTER, `revoke ${id} done`).expect(200);
    await t.app.get(JobRunner).runOnce();
    expect(allowsSid(await readRbcdRaw(target.dn), serverbSid)).toBe(false);
  });
});
