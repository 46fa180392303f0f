// Start and stop: the reconciler's schedule (on with the worker and an interval, off otherwise,
// stopped by app.close()), and graceful shutdown of the worker: leased jobs are given back.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { AuditService } from '../../src/audit/audit.service';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { GrantEntity } from '../../src/grants/grant.entity';
import { JobEntity } from '../../src/jobs/job.entity';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { Reconciler } from '../../src/reconcile/reconciler.service';
import { sandboxDir } from '../support/sandbox';
import { createTestApp } from '../support/test-app';

const RBCD_CONFIG = path.join(sandboxDir(), 'rbcd.yaml');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function jobRows(
  databaseUrl: string,
): Promise<
  Record<string, { status: string; lease_owner: string | null; lease_until: string | null; attempts: number }>
> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT id, status, lease_owner, lease_until, attempts FROM jobs');
    return Object.fromEntries(
      rows.map((r) => [
        r.id,
        { status: r.status, lease_owner: r.lease_owner, lease_until: r.lease_until, attempts: r.attempts },
      ]),
    );
  } finally {
    await client.end();
  }
}

describe('reconciler schedule', () => {
  it('runs on its own with the worker on, and stops at app.close()', async () => {
    const t = await createTestApp({ worker: true, env: { RBCD_CONFIG, RBCD_RECONCILE_MS: '200' } });
    let closed = false;
    try {
      const reconciler = t.app.get(Reconciler);
      expect(reconciler.scheduled).toBe(true);
      // An active grant on a target SID that does not exist in contoso.test: a target-missing finding.
      const uow = t.app.get(UnitOfWork);
      await uow.manager.getRepository(GrantEntity).insert({
        id: randomUUID(),
        requestId: randomUUID(),
        targetSid: 'S-1-5-21-1-2-3-987654',
        targetDn: 'CN=GONE,OU=Servers,DC=contoso,DC=test',
        targetDomain: 'contoso.test',
        principalSid: 'S-1-5-21-1-2-3-987655',
        state: 'active',
        aceAddedByService: true,
        adopted: false,
        createdAt: new Date().toISOString(),
        expiresAt: null,
        endedAt: null,
      });
      const event = await until(
        'a scheduled drift.detected event',
        async () => (await t.app.get(AuditService).search({ type: 'drift.detected' })).items[0],
      );
      expect(event).toMatchObject({
        actor: 'system',
        target: 'CN=GONE,OU=Servers,DC=contoso,DC=test',
        data: { kind: 'target-missing' },
      });
      await t.close();
      closed = true;
      expect(reconciler.scheduled).toBe(false);
    } finally {
      if (!closed) await t.close();
    }
  });

  it('is off when RBCD_WORKER=off or the interval is 0', async () => {
    const off = await createTestApp({ env: { RBCD_RECONCILE_MS: '200' } }); // createTestApp sets RBCD_WORKER=off
    const zero = await createTestApp({ worker: true, env: { RBCD_RECONCILE_MS: '0' } });
    try {
      expect(off.app.get(Reconciler).scheduled).toBe(false);
      expect(zero.app.get(Reconciler).scheduled).toBe(false);
    } finally {
      await off.close();
      await zero.close();
    }
  });
});

describe('graceful shutdown (PostgreSQL)', () => {
  it('gives this instance’s leased jobs back on app.close(), and only those', async () => {
    const t = await createTestApp({ database: 'postgres' });
    const databaseUrl = t.config.database.type === 'postgres' ? t.config.database.url : '';
    const queue = t.app.get(JobQueue);
    const uow = t.app.get(UnitOfWork);
    const past = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const mine = await uow.run((m) => queue.enqueue(m, { kind: 'apply', requestId: randomUUID(), runAt: past(10) }));
    const notDue = await uow.run((m) =>
      queue.enqueue(m, { kind: 'apply', requestId: randomUUID(), runAt: new Date(Date.now() + 3600_000) }),
    );
    const theirs = await uow.run((m) => queue.enqueue(m, { kind: 'apply', requestId: randomUUID(), runAt: past(5) }));
    const foreignLease = new Date(Date.now() + 3600_000).toISOString();
    await uow.manager
      .getRepository(JobEntity)
      .update(
        { id: theirs },
        { status: 'running', leaseOwner: 'another-replica', leaseUntil: foreignLease, attempts: 1 },
      );

    const leased = await queue.lease(10);
    expect(leased.map((j) => j.id)).toEqual([mine]);
    const before = await jobRows(databaseUrl);
    expect(before[mine]).toMatchObject({ status: 'running', lease_owner: queue.owner, attempts: 1 });

    await t.close();

    const after = await jobRows(databaseUrl);
    expect(after[mine]).toEqual({ status: 'queued', lease_owner: null, lease_until: null, attempts: 0 });
    expect(after[theirs]).toEqual({
      status: 'running',
      lease_owner: 'another-replica',
      lease_until: foreignLease,
      attempts: 1,
    });
    expect(after[notDue]).toEqual({ status: 'queued', lease_owner: null, lease_until: null, attempts: 0 });
  });

  it('lets a job in flight finish before it closes, leaving nothing leased', async () => {
    let received = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server: Server = createServer((req, res) => {
      received++;
      req.resume();
      void gate.then(() => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const t = await createTestApp({
        database: 'postgres',
        worker: true,
        config: { webhooks: [{ url: `http://127.0.0.1:${port}/hook`, events: ['drift.detected'] }] },
      });
      const databaseUrl = t.config.database.type === 'postgres' ? t.config.database.url : '';
      const id = await t.app.get(UnitOfWork).run((m) =>
        t.app.get(JobQueue).enqueue(m, {
          kind: 'webhook',
          payload: {
            target: 'webhook',
            index: 0,
            event: { type: 'drift.detected', id: 'e1', at: new Date().toISOString(), data: {} },
          },
        }),
      );
      await until('the delivery to start', async () => (received > 0 ? true : undefined));
      const closing = t.close();
      const early = await Promise.race([
        closing.then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
      ]);
      expect(early).toBe('waiting'); // close waits for the job in flight
      release();
      await closing;
      expect((await jobRows(databaseUrl))[id]).toMatchObject({ status: 'done', lease_until: null }); // done: the owner stays as the record of who ran it
    } finally {
      release();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
