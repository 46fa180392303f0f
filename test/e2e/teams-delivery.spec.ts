// Microsoft Teams (chat.teams): Adaptive Cards POSTed to a local receiver standing in for the
// Workflows / incoming-webhook URL, as durable outbox jobs (a failing receiver gets the same card
// again), each card valid against the Adaptive Card schema and Microsoft's parser, with "Open in
// console". The URL is a secret: the admin view and the error messages never show it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AddressInfo } from 'node:net';
import { TEAMS_EVENTS } from '../../src/config/sections/console';
import { JobRunner } from '../../src/jobs/job-runner';
import { adaptiveCardProblems } from '../support/adaptive-card';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, type TestApp } from '../support/test-app';
import { issueKey, sleep } from '../support/workflow';

const CONSOLE = 'https://rbcd.example.test';

class TeamsReceiver {
  posts: { path: string; body: Record<string, unknown>; status: number }[] = [];
  failures = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const status = this.failures > 0 ? (this.failures--, 500) : 202; // Workflows answers 202
        this.posts.push({ path: req.url ?? '/', body: JSON.parse(text) as Record<string, unknown>, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  delivered() {
    return this.posts.filter((p) => p.status === 202);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

type Card = {
  body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
  actions: { title: string; url: string }[];
};
const cardOf = (post: { body: Record<string, unknown> }) =>
  (post.body.attachments as { contentType: string; content: Card }[])[0];

describe('Microsoft Teams cards', () => {
  let receiver: TeamsReceiver;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await new TeamsReceiver().start();
    t = await createTestApp({
      directory: new StrictFakeDirectory(),
      env: { RBCD_PUBLIC_URL: CONSOLE },
      config: {
        chat: {
          teams: { webhookUrl: `${receiver.url}/workflows/abc?sig=secret-signature`, events: [...TEAMS_EVENTS] },
        },
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  async function runUntilDelivered(count: number): Promise<void> {
    for (let round = 0; round < 100 && receiver.delivered().length < count; round++) {
      await t.app.get(JobRunner).runOnce();
      if (receiver.delivered().length < count) await sleep(40);
    }
    expect(receiver.delivered()).toHaveLength(count);
  }

  it('a new pending request: a valid card with everything to decide on, delivered again after a failure', async () => {
    receiver.failures = 1;
    const requester = await issueKey(t, 'teams-requester', ['requester']);
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(requester)
      .send({
        action: 'grant',
        targets: ['SERVERC'],
        principals: ['SERVERB$'],
        justification: 'Teams card test',
        duration: 'PT8H',
        ticket: { system: 'ServiceNow', id: 'CHG0042' },
      })
      .expect(201);
    await runUntilDelivered(1);
    expect(receiver.posts.map((p) => p.status)).toEqual([500, 202]); // the durable job tried again
    expect(receiver.posts[0].body).toEqual(receiver.posts[1].body); // the same card

    const attachment = cardOf(receiver.delivered()[0]);
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(adaptiveCardProblems(attachment.content)).toEqual([]);
    const facts = Object.fromEntries(
      (attachment.content.body.find((b) => b.type === 'FactSet')?.facts ?? []).map((f) => [f.title, f.value]),
    );
    expect(facts).toMatchObject({
      Requester: 'teams\\-requester',
      Justification: 'Teams card test',
      Ticket: 'ServiceNow CHG0042',
      Approvals: '0 of 1',
    });
    expect(facts.Target).toContain('SERVERC$');
    expect(facts.Principal).toContain('SERVERB$');
    expect(facts.Duration).toMatch(/^8 h, until /);
    expect(JSON.stringify(attachment.content.body)).toContain('Policy');
    expect(attachment.content.actions[0]).toEqual({
      type: 'Action.OpenUrl',
      title: 'Open in console',
      url: `${CONSOLE}/#/inbox/${filed.body.id}`,
    });

    // The admin view names the target and hides the secret URL.
    const deliveries = await t.http().get('/api/v1/webhooks/deliveries').set(t.admin).expect(200);
    const teams = (deliveries.body.items as { target: string; url: string; status: string }[]).filter(
      (d) => d.target === 'teams',
    );
    expect(teams).toEqual([expect.objectContaining({ target: 'teams', status: 'done', url: `${receiver.url}/…` })]);
    expect(JSON.stringify(deliveries.body)).not.toContain('secret-signature');
  });

  it('an outcome: the rejection, with the comment, opens the request page', async () => {
    const requester = await issueKey(t, 'teams-requester-2', ['requester']);
    const approver = await issueKey(t, 'teams-approver', ['approver']);
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(requester)
      .send({ action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'], justification: 'to be rejected' })
      .expect(201);
    await t
      .http()
      .post(`/api/v1/requests/${filed.body.id}/reject`)
      .set(approver)
      .send({ comment: 'no change window' })
      .expect(200);
    const before = receiver.delivered().length;
    await runUntilDelivered(before + 2);
    const rejected = receiver
      .delivered()
      .map(cardOf)
      .find((a) => a.content.body[0].text === 'RBCD request rejected');
    expect(rejected).toBeDefined();
    expect(adaptiveCardProblems(rejected?.content)).toEqual([]);
    expect(JSON.stringify(rejected?.content.body)).toContain('no change window');
    expect(rejected?.content.actions[0].url).toBe(`${CONSOLE}/#/requests/${filed.body.id}`);
  });

  it('a reminder, from YAML chat.teams (URL from a file) and a policy remindAfter: the card opens the inbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbcd-teams-'));
    writeFileSync(join(dir, 'teams-url'), `${receiver.url}/workflows/reminders?sig=other-secret\n`);
    writeFileSync(
      join(dir, 'rbcd.yaml'),
      stringify({
        policy: { defaults: { requiredApprovals: 1, maxDuration: 'PT1H', remindAfter: 'PT1S' } },
        chat: { teams: { webhookUrlFile: join(dir, 'teams-url'), events: ['request.reminder'] } },
      }),
    );
    const r = await createTestApp({
      directory: new StrictFakeDirectory(),
      env: { RBCD_PUBLIC_URL: CONSOLE, RBCD_CONFIG: join(dir, 'rbcd.yaml') },
    });
    try {
      const requester = await issueKey(r, 'teams-reminded', ['requester']);
      const filed = await r
        .http()
        .post('/api/v1/requests')
        .set(requester)
        .send({ action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'], justification: 'remind me' })
        .expect(201);
      const reminders = () => receiver.delivered().filter((p) => p.path === '/workflows/reminders?sig=other-secret');
      for (let round = 0; round < 150 && reminders().length === 0; round++) {
        await r.app.get(JobRunner).runOnce(); // the reminder timer is due a second after filing
        if (reminders().length === 0) await sleep(100);
      }
      expect(reminders()).toHaveLength(1);
      const card = cardOf(reminders()[0]).content;
      expect(adaptiveCardProblems(card)).toEqual([]);
      expect(card.body[0].text).toBe('Reminder: an RBCD request still waits for approval');
      expect(card.actions[0].url).toBe(`${CONSOLE}/#/inbox/${filed.body.id}`);
    } finally {
      await r.close();
    }
  });
});
