// The Slack-compatible endpoints over HTTP with a strict fake directory: signature checks on the
// raw body, the commands and their role rules, button presses (self-approval refused kindly),
// and the notification of new pending requests with Approve/Reject buttons.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobRunner } from '../../src/jobs/job-runner';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { sleep } from '../support/workflow';

const SECRET = 'slack-signing-secret-e2e';
const REQUESTER = { user_id: 'UREQ01', user_name: 'rita' };
const APPROVER = { user_id: 'UAPP01', user_name: 'alex' };
const STRANGER = { user_id: 'UNOBODY', user_name: 'sam' };
const COMMANDS = '/api/v1/chatops/slack/commands';
const INTERACTIONS = '/api/v1/chatops/slack/interactions';

function sign(body: string, timestamp: string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function post(
  t: TestApp,
  path: string,
  form: Record<string, string>,
  options: { timestamp?: number; secret?: string; signature?: string } = {},
) {
  const body = new URLSearchParams(form).toString();
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return t
    .http()
    .post(path)
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .set('X-Slack-Request-Timestamp', timestamp)
    .set('X-Slack-Signature', options.signature ?? sign(body, timestamp, options.secret))
    .send(body);
}

function command(t: TestApp, user: { user_id: string; user_name: string }, text: string) {
  return post(t, COMMANDS, {
    token: 'ignored',
    team_id: 'T1',
    channel_id: 'C1',
    command: '/rbcd',
    text,
    response_url: 'https://hooks.slack.invalid/x',
    trigger_id: '1.2.3',
    ...user,
  });
}

function press(
  t: TestApp,
  user: { user_id: string; user_name: string },
  action: 'approve' | 'reject',
  requestId: string,
  responseUrl?: string,
) {
  const payload = {
    type: 'block_actions',
    user: { id: user.user_id, username: user.user_name, name: user.user_name, team_id: 'T1' },
    actions: [
      { action_id: action, block_id: `request:${requestId}`, value: requestId, type: 'button', action_ts: '1' },
    ],
    ...(responseUrl ? { response_url: responseUrl } : {}),
  };
  return post(t, INTERACTIONS, { payload: JSON.stringify(payload) });
}

/** Collects JSON POSTs (Slack incoming webhook and response_url). */
class Collector {
  bodies: { path: string; body: Record<string, unknown> }[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.bodies.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString() || '{}') });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async waitFor(
    path: string,
    match: (body: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<Record<string, unknown>> {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(20)) {
      const found = this.bodies.find((b) => b.path === path && match(b.body));
      if (found) return found.body;
    }
    throw new Error(`nothing was posted to ${path}`);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const idIn = (text: string) => /Request ([0-9a-f-]{36})/.exec(text)?.[1] as string;

describe('chat (Slack-compatible)', () => {
  const collector = new Collector();
  let base: string;
  let t: TestApp;

  beforeAll(async () => {
    base = await collector.start();
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      config: {
        chat: {
          slack: {
            signingSecret: SECRET,
            notifyUrl: `${base}/services/T1/B1/secret-token`,
            users: {
              [REQUESTER.user_id]: { user: 'alice@contoso.test', roles: ['requester', 'approver'] },
              [APPROVER.user_id]: { user: 'bob@contoso.test', roles: ['approver'] },
            },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await collector.stop();
  });

  describe('signature verification', () => {
    it('accepts a correctly signed command', async () => {
      const res = await command(t, STRANGER, 'help').expect(200);
      expect(res.body).toEqual({
        response_type: 'ephemeral',
        text: expect.stringContaining('grant <principal> -> <target>'),
      });
    });

    it('refuses a bad signature, a wrong secret, a changed body and missing headers with 401', async () => {
      const body = new URLSearchParams({ ...STRANGER, text: 'help' }).toString();
      const ts = String(Math.floor(Date.now() / 1000));
      const attempts = [
        post(t, COMMANDS, { ...STRANGER, text: 'help' }, { secret: 'not-the-secret' }),
        post(t, COMMANDS, { ...STRANGER, text: 'help' }, { signature: 'v0=deadbeef' }),
        t
          .http()
          .post(COMMANDS)
          .type('form')
          .set('X-Slack-Request-Timestamp', ts)
          .set('X-Slack-Signature', sign(body, ts))
          .send(body.replace('help', 'helq')),
        t.http().post(COMMANDS).type('form').send(body),
        // The same fields re-encoded differently: only the exact raw bytes are signed.
        t
          .http()
          .post(COMMANDS)
          .type('form')
          .set('X-Slack-Request-Timestamp', ts)
          .set('X-Slack-Signature', sign(body, ts))
          .send(`${body}&`),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it('refuses a replay: a timestamp older than five minutes, and the same signed request twice', async () => {
      const old = await post(
        t,
        COMMANDS,
        { ...STRANGER, text: 'help' },
        { timestamp: Math.floor(Date.now() / 1000) - 301 },
      ).expect(401);
      expect(old.body.error.message).toMatch(/five minutes/);
      const body = new URLSearchParams({ ...STRANGER, text: 'help me' }).toString();
      const ts = String(Math.floor(Date.now() / 1000) - 60);
      const send = () =>
        t
          .http()
          .post(COMMANDS)
          .type('form')
          .set('X-Slack-Request-Timestamp', ts)
          .set('X-Slack-Signature', sign(body, ts))
          .send(body);
      await send().expect(200);
      const replay = await send().expect(401);
      expect(replay.body.error.message).toMatch(/replay/);
    });

    it('verifies button presses too; an API key does not replace the signature', async () => {
      await t.http().post(INTERACTIONS).set(t.admin).type('form').send({ payload: '{}' }).expect(401);
      const res = await post(t, INTERACTIONS, {
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: 'U1' },
          actions: [{ action_id: 'dance', value: 'x' }],
        }),
      }).expect(200);
      expect(res.body.text).toBe('This action is not supported.');
      await post(t, INTERACTIONS, { payload: 'not json' }).expect(400);
    });

    it('is off (404) when no signing secret is configured', async () => {
      const off = await createTestApp({ directory: new StrictFakeDirectory() });
      try {
        const res = await command(off, STRANGER, 'help').expect(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      } finally {
        await off.close();
      }
    });
  });

  describe('commands', () => {
    it('lets an unmapped user read but not change anything', async () => {
      const show = await command(t, STRANGER, 'show SERVERC').expect(200);
      expect(show.body).toEqual({
        response_type: 'ephemeral',
        text: expect.stringContaining('Nobody may delegate to SERVERC$'),
      });
      const grant = await command(t, STRANGER, 'grant SERVERB$ -> SERVERC because I want it').expect(200);
      expect(grant.body).toEqual({
        response_type: 'ephemeral',
        text: expect.stringMatching(/not linked to a person.*show, status and help/),
      });
      const list = await t.http().get('/api/v1/requests').set(t.admin).expect(200);
      expect(list.body.items.filter((r: { requester: string }) => r.requester === 'slack:UNOBODY')).toEqual([]);
    });

    it('files a grant as slack:<user id>, answers with id, names, status and next steps; status shows it', async () => {
      const res = await command(
        t,
        REQUESTER,
        'grant SERVERB$ -&gt; SERVERC, SERVERD for 2h because patching window ticket CHG42',
      ).expect(200);
      expect(res.body.response_type).toBe('in_channel');
      const id = idIn(res.body.text);
      expect(res.body.text).toContain(`Filed request ${id} — pending`);
      expect(res.body.text).toContain('SERVERB$ to delegate to SERVERC$, SERVERD$');
      expect(res.body.text).toContain(`approve ${id}`);

      const stored = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
      expect(stored.body).toMatchObject({
        requester: 'slack:UREQ01',
        requesterName: 'rita',
        justification: 'patching window',
        ticket: { system: 'chat', id: 'CHG42' },
        status: 'pending',
      });
      expect(Date.parse(stored.body.expiresAt) - Date.parse(stored.body.createdAt)).toBe(2 * 3600_000);

      const status = await command(t, STRANGER, `status ${id}`).expect(200);
      expect(status.body.text).toMatch(
        new RegExp(`Request ${id}: SERVERB\\$ to delegate to SERVERC\\$, SERVERD\\$ .*pending`),
      );
      expect(status.body.text).toContain('Approvals: 0/1');
      expect(status.body.text).toContain('Waiting for 1 approval(s)');
    });

    it('explains mistakes briefly: unknown names, usage, unknown commands', async () => {
      const unknown = await command(t, REQUESTER, 'grant SERVERB$ -> NOPE because x').expect(200);
      expect(unknown.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('TARGET_NOT_FOUND') });
      const usage = await command(t, REQUESTER, 'grant SERVERB$ to SERVERC').expect(200);
      expect(usage.body.text).toMatch(/^Usage: grant/);
      const other = await command(t, REQUESTER, 'dance').expect(200);
      expect(other.body.text).toMatch(/^Unknown command "dance"/);
      const missing = await command(t, REQUESTER, 'status 00000000-0000-4000-8000-000000000000').expect(200);
      expect(missing.body.text).toContain('REQUEST_NOT_FOUND');
    });

    it('reject needs the approver role and a reason; the requester cannot reject their own', async () => {
      const filed = await command(t, REQUESTER, 'grant SERVERB$ -> SERVERC because to be rejected').expect(200);
      const id = idIn(filed.body.text);
      const own = await command(t, REQUESTER, `reject ${id} changed my mind`).expect(200);
      expect(own.body.text).toMatch(/^:no_entry: Cancel your own request/);
      const byStranger = await command(t, STRANGER, `reject ${id} nope`).expect(200);
      expect(byStranger.body.text).toMatch(/not linked to a person/);
      const rejected = await command(t, APPROVER, `reject ${id} not in a change window`).expect(200);
      expect(rejected.body).toEqual({
        response_type: 'in_channel',
        text: expect.stringContaining(`alex rejected request ${id}`),
      });
      expect(rejected.body.text).toContain('rejected by alex: "not in a change window"');
    });

    it('cancel by the requester', async () => {
      const filed = await command(t, REQUESTER, 'grant SERVERB$ -> SERVERC because to be cancelled').expect(200);
      const id = idIn(filed.body.text);
      const byApprover = await command(t, APPROVER, `cancel ${id}`).expect(200);
      expect(byApprover.body.text).toMatch(/^:lock: This needs one of the roles: requester, admin/);
      const cancelled = await command(t, REQUESTER, `cancel ${id}`).expect(200);
      expect(cancelled.body.text).toContain(`Request ${id}`);
      expect(cancelled.body.text).toContain('cancelled');
    });
  });

  describe('notification and buttons', () => {
    it('posts a new pending request to notifyUrl with Approve/Reject buttons carrying the request id', async () => {
      collector.bodies = [];
      const filed = await command(t, REQUESTER, 'grant SERVERB$ -> SERVERD because notify me').expect(200);
      const id = idIn(filed.body.text);
      await t.app.get(JobRunner).runOnce();
      // Every pending request filed above is announced; this one too.
      const message = await collector.waitFor('/services/T1/B1/secret-token', (body) =>
        String(body.text).includes(`Request ${id}`),
      );
      expect(message.text).toContain('SERVERB$ to delegate to SERVERD$');
      const actions = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
        (b) => b.type === 'actions',
      );
      expect(actions?.elements?.map((e) => [e.action_id, e.value])).toEqual([
        ['approve', id],
        ['reject', id],
      ]);
      const deliveries = await t.http().get('/api/v1/webhooks/deliveries').set(t.admin).expect(200);
      const slack = deliveries.body.items.find(
        (d: { requestId: string; target: string }) => d.requestId === id && d.target === 'slack',
      );
      expect(slack).toMatchObject({ status: 'done', url: `${base}/…` });
      expect(JSON.stringify(deliveries.body)).not.toContain('secret-token');
    });

    it('approves on a button press by another mapped approver, exactly like REST; self-approval is refused kindly', async () => {
      const filed = await command(t, REQUESTER, 'grant SERVERB$ -> SERVERC for 30m because buttons').expect(200);
      const id = idIn(filed.body.text);

      collector.bodies = [];
      const self = await press(t, REQUESTER, 'approve', id, `${base}/response/self`).expect(200);
      expect(self.body).toMatchObject({
        response_type: 'ephemeral',
        replace_original: false,
        text: expect.stringMatching(/^:no_entry: You can't approve your own request/),
      });
      expect(await collector.waitFor('/response/self')).toMatchObject({
        text: self.body.text,
        replace_original: false,
      });

      const stranger = await press(t, STRANGER, 'approve', id).expect(200);
      expect(stranger.body.text).toMatch(/not linked to a person/);

      const approved = await press(t, APPROVER, 'approve', id, `${base}/response/ok`).expect(200);
      expect(approved.body).toMatchObject({
        response_type: 'in_channel',
        replace_original: true,
        text: expect.stringContaining(`alex approved request ${id}; it is approved`),
      });
      expect(JSON.stringify(approved.body.blocks)).not.toContain('"action_id":"approve"'); // no buttons once decided
      expect(await collector.waitFor('/response/ok')).toMatchObject({ replace_original: true });

      const stored = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
      expect(stored.body).toMatchObject({
        status: 'approved',
        approvals: [expect.objectContaining({ approver: 'slack:UAPP01', approverName: 'alex', decision: 'approve' })],
      });
      const audit = await t.http().get(`/api/v1/audit?requestId=${id}&actor=slack:UAPP01`).set(t.admin).expect(200);
      expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining(['request.approval', 'request.approved']),
      );

      const again = await press(t, APPROVER, 'approve', id).expect(200);
      expect(again.body.text).toContain('INVALID_STATE');
    });

    it('rejects on a button press', async () => {
      const filed = await command(t, REQUESTER, 'grant SERVERB$ -> SERVERC because reject button').expect(200);
      const id = idIn(filed.body.text);
      const res = await press(t, APPROVER, 'reject', id).expect(200);
      expect(res.body.text).toContain(`alex rejected request ${id}`);
      const stored = await t.http().get(`/api/v1/requests/${id}`).set(t.admin).expect(200);
      expect(stored.body).toMatchObject({
        status: 'rejected',
        approvals: [
          expect.objectContaining({
            approver: 'slack:UAPP01',
            decision: 'reject',
            comment: 'Rejected in chat by alex',
          }),
        ],
      });
    });
  });
});
