// Outbound webhooks against a receiver on 127.0.0.1: signed bodies with event ids, retries with
// growing backoff after failures and timeouts, the admin view of deliveries, and delivery across
// a restart (the job is durable in the database, not in memory).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { JobRunner } from '../../src/jobs/job-runner';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { createTestApp, testDatabaseUrl, type TestApp } from '../support/test-app';
import { issueKey, sleep } from '../support/workflow';

const SECRET = 'whsec-test-5b1d0c';
const GRANT = {
  action: 'grant',
  targets: ['SERVERC'],
  principals: ['SERVERB$'],
  justification: 'webhook spec',
  duration: 'PT1H',
};

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  status: number;
}

/** Answers 500 `failures` times, hangs `hangs` times (no answer at all), then 204. */
class Receiver {
  received: Received[] = [];
  failures = 0;
  hangs = 0;
  private server?: Server;

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.hangs > 0) {
          this.hangs--;
          this.received.push({ headers: req.headers, raw: Buffer.concat(chunks), status: 0 });
          return; // never answer: the sender's timeout must fire
        }
        const status = this.failures > 0 ? (this.failures--, 500) : 204;
        this.received.push({ headers: req.headers, raw: Buffer.concat(chunks), status });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  delivered(): Received[] {
    return this.received.filter((r) => r.status === 204);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function expectSigned(r: Received): Record<string, unknown> {
  expect(r.headers['x-rbcd-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
  const event = JSON.parse(r.raw.toString('utf8'));
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.headers['x-rbcd-event-id']).toBe(event.id);
  expect(r.headers['x-rbcd-event']).toBe(event.type);
  return event;
}

async function appWithHook(
  url: string,
  options: { databaseUrl?: string; timeoutMs?: number; maxAttempts?: number; backoffMs?: number } = {},
): Promise<TestApp> {
  return createTestApp({
    directory: new StrictFakeDirectory(),
    env: {
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.maxAttempts ? { RBCD_JOB_MAX_ATTEMPTS: String(options.maxAttempts) } : {}),
      ...(options.timeoutMs ? { RBCD_WEBHOOK_TIMEOUT_MS: String(options.timeoutMs) } : {}),
      ...(options.backoffMs ? { RBCD_JOB_BACKOFF_MS: String(options.backoffMs) } : {}),
    },
    config: { webhooks: [{ url, secret: SECRET, events: ['request.created', 'request.cancelled'] }] },
  });
}

async function fileRequest(t: TestApp): Promise<string> {
  const requester = await issueKey(t, `requester-${Math.random().toString(36).slice(2, 8)}`, ['requester']);
  const res = await t.http().post('/api/v1/requests').set(requester).send(GRANT).expect(201);
  return res.body.id;
}

async function deliveries(t: TestApp) {
  const res = await t.http().get('/api/v1/webhooks/deliveries').set(t.admin).expect(200);
  return res.body.items as Record<string, unknown>[];
}

/** Runs the worker until the receiver has `count` successful deliveries (the backoff is 50 ms based in tests). */
async function runUntilDelivered(t: TestApp, receiver: Receiver, count: number): Promise<void> {
  for (let round = 0; round < 100 && receiver.delivered().length < count; round++) {
    await t.app.get(JobRunner).runOnce();
    if (receiver.delivered().length < count) await sleep(40);
  }
  expect(receiver.delivered()).toHaveLength(count);
}

async function runUntilFailed(t: TestApp): Promise<void> {
  for (let round = 0; round < 100; round++) {
    await t.app.get(JobRunner).runOnce();
    const [job] = await deliveries(t);
    if (job.status === 'failed') return;
    await sleep(40);
  }
  throw new Error('the delivery never failed for good');
}

describe('outbound webhooks', () => {
  const receiver = new Receiver();
  let port: number;

  beforeAll(async () => {
    port = await receiver.start();
  });

  beforeEach(() => {
    receiver.received = [];
    receiver.failures = 0;
    receiver.hangs = 0;
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('POSTs each subscribed event signed over the exact body, with its event id', async () => {
    const t = await appWithHook(`http://127.0.0.1:${port}/hooks/rbcd`);
    try {
      const id = await fileRequest(t);
      expect(receiver.received).toHaveLength(0); // nothing leaves before the worker runs
      await t.app.get(JobRunner).runOnce();
      expect(receiver.received).toHaveLength(1);
      const event = expectSigned(receiver.received[0]);
      expect(event).toMatchObject({
        type: 'request.created',
        id: `request.created:${id}`,
        data: { requestId: id, request: { id, status: 'pending' } },
      });

      const list = await deliveries(t);
      expect(list).toEqual([
        expect.objectContaining({
          target: 'webhook',
          eventType: 'request.created',
          eventId: event.id,
          requestId: id,
          url: `http://127.0.0.1:${port}/hooks/rbcd`,
          status: 'done',
          attempts: 1,
          lastError: null,
        }),
      ]);
    } finally {
      await t.close();
    }
  });

  it('retries with growing backoff after failures; the same event (same id and signature) arrives in the end', async () => {
    receiver.failures = 2;
    // A base backoff of 1 s, not the tests' 50 ms: runOnce() drains every job that is due, so on a busy
    // machine a 50 ms backoff could make the retry due (attempt 2) within the same runOnce().
    const t = await appWithHook(`http://hookuser:hook%20pass@127.0.0.1:${port}/hooks/rbcd?token=abc`, {
      backoffMs: 1000,
    });
    try {
      await fileRequest(t);
      const runner = t.app.get(JobRunner);
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 2; attempt++) {
        await runner.runOnce();
        const [job] = await deliveries(t);
        // The admin view shows the attempt and the error, never the URL's credentials or query.
        expect(job).toMatchObject({
          status: 'queued',
          attempts: attempt,
          url: `http://127.0.0.1:${port}/hooks/rbcd?…`,
          lastError: `http://127.0.0.1:${port}/hooks/rbcd?… answered 500`,
        });
        expect(JSON.stringify(job)).not.toMatch(/hookuser|hook%20pass|hook pass|token=abc/);
        delays.push(Date.parse(job.runAt as string) - Date.parse(job.updatedAt as string));
        await sleep(delays[delays.length - 1] + 20);
      }
      expect(delays[0]).toBeGreaterThan(0);
      expect(delays[1]).toBeGreaterThanOrEqual(delays[0]);
      await runUntilDelivered(t, receiver, 1);

      expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 204]);
      const bodies = new Set(receiver.received.map((r) => r.raw.toString()));
      expect(bodies.size).toBe(1);
      for (const r of receiver.received) {
        expectSigned(r);
        expect(r.headers.authorization).toBe(`Basic ${Buffer.from('hookuser:hook pass').toString('base64')}`);
      }
      const [job] = await deliveries(t);
      expect(job).toMatchObject({ status: 'done', attempts: 3, lastError: null });
    } finally {
      await t.close();
    }
  });

  it('retries after a timeout', async () => {
    receiver.hangs = 1;
    const t = await appWithHook(`http://127.0.0.1:${port}/hooks/rbcd`, { timeoutMs: 300 });
    try {
      await fileRequest(t);
      await t.app.get(JobRunner).runOnce();
      const [job] = await deliveries(t);
      expect(job).toMatchObject({
        status: 'queued',
        attempts: 1,
        lastError: expect.stringContaining('no answer within 300 ms'),
      });
      await runUntilDelivered(t, receiver, 1);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1].raw.equals(receiver.received[0].raw)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('marks a delivery failed once retries are exhausted; an admin can queue it again (audited)', async () => {
    receiver.failures = 2;
    const t = await appWithHook(`http://127.0.0.1:${port}/hooks/rbcd`, { maxAttempts: 2 });
    try {
      await fileRequest(t);
      await runUntilFailed(t);
      const [failed] = await deliveries(t);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastError: expect.stringContaining('answered 500'),
      });

      const auditor = await issueKey(t, 'deliveries-auditor', ['auditor']);
      await t.http().post(`/api/v1/webhooks/deliveries/${failed.id}/retry`).set(auditor).expect(403);
      const queued = await t.http().post(`/api/v1/webhooks/deliveries/${failed.id}/retry`).set(t.admin).expect(200);
      expect(queued.body).toMatchObject({ id: failed.id, status: 'queued', attempts: 0 });
      const again = await t.http().post(`/api/v1/webhooks/deliveries/${failed.id}/retry`).set(t.admin).expect(409);
      expect(again.body.error.code).toBe('INVALID_STATE');

      await runUntilDelivered(t, receiver, 1);
      expect(new Set(receiver.received.map((r) => r.headers['x-rbcd-event-id'])).size).toBe(1);
      const audit = await t.http().get('/api/v1/audit?actor=apikey:bootstrap-admin').set(t.admin).expect(200);
      expect(audit.body.items.find((e: { type: string }) => e.type === 'webhook.retried')).toMatchObject({
        data: { deliveryId: failed.id },
      });
    } finally {
      await t.close();
    }
  });

  it('is not lost across a restart: a job queued by a stopped app is delivered by the next one', async () => {
    const databaseUrl = await testDatabaseUrl('sqlite');
    const url = `http://127.0.0.1:${port}/hooks/rbcd`;
    const first = await appWithHook(url, { databaseUrl });
    let id: string;
    try {
      id = await fileRequest(first);
    } finally {
      await first.close();
    }
    expect(receiver.received).toHaveLength(0);

    const second = await appWithHook(url, { databaseUrl });
    try {
      await second.app.get(JobRunner).runOnce();
      expect(receiver.received).toHaveLength(1);
      expect(expectSigned(receiver.received[0])).toMatchObject({ type: 'request.created', data: { requestId: id } });
    } finally {
      await second.close();
    }
  });

  it('is not lost when a worker died holding the job: its lease runs out and the job is taken over', async () => {
    const databaseUrl = await testDatabaseUrl('sqlite');
    const url = `http://127.0.0.1:${port}/hooks/rbcd`;
    const first = await appWithHook(url, { databaseUrl });
    try {
      await fileRequest(first);
      // What a crashed worker leaves behind: the job leased ("running") by an owner that is gone.
      await first.app
        .get(DataSource)
        .query(
          "UPDATE jobs SET status = 'running', lease_owner = 'dead-worker', lease_until = ?, attempts = 1 WHERE kind = 'webhook'",
          [new Date(Date.now() - 1000).toISOString()],
        );
    } finally {
      await first.close();
    }
    const second = await appWithHook(url, { databaseUrl });
    try {
      await second.app.get(JobRunner).runOnce();
      expect(receiver.delivered()).toHaveLength(1);
      const [job] = await deliveries(second);
      expect(job).toMatchObject({ status: 'done', attempts: 2 });
    } finally {
      await second.close();
    }
  });
});
