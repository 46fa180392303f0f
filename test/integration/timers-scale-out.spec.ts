// Timers across replicas: two service processes (each with its worker) on one PostgreSQL database.
// Pending requests are reminded, escalated and timed out; scheduled grants start at startsAt and
// announce their expiry: each exactly once, whichever process leases the timer (issue 13).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parse, stringify } from 'yaml';
import { readDatabase } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { contractFetch } from '../support/contract-http';
import { EventReceiver } from '../support/event-receiver';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { TEST_ADMIN_KEY, testDatabaseUrl } from '../support/test-app';
import { SANDBOX_CONFIG } from '../support/workflow';

const PENDING = 12;
const SCHEDULED = 4;

describe('timers: two service processes on one PostgreSQL database', () => {
  const computers: CreatedComputer[] = [];
  const services: ServiceProcess[] = [];
  const receiver = new EventReceiver();
  let ds: DataSource;

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await receiver.stop();
    await ds?.destroy();
    for (const c of computers) await deleteObject(c.dn).catch(() => undefined);
  });

  it('every reminder, escalation, time-out, scheduled start and expiry notice happens once', async () => {
    await receiver.start();
    const url = await testDatabaseUrl('postgres');
    ds = new DataSource(buildDataSourceOptions(readDatabase(url)));
    await ds.initialize();
    await ds.runMigrations();
    const yaml = parse(readFileSync(SANDBOX_CONFIG, 'utf8')) as Record<string, unknown>;
    yaml.policy = {
      defaults: {
        requiredApprovals: 1,
        maxDuration: 'PT1H',
        remindAfter: 'PT3S',
        escalateAfter: 'PT5S',
        escalateTo: { url: `${receiver.url}/escalate`, format: 'webhook' },
        pendingTimeout: 'PT8S',
      },
    };
    yaml.notifications = { expiringLeads: ['PT20S'] };
    yaml.webhooks = [
      {
        url: `${receiver.url}/hook`,
        events: ['request.reminder', 'request.escalated', 'request.timed_out', 'request.applied', 'grant.expiring'],
      },
    ];
    const configFile = join(mkdtempSync(join(tmpdir(), 'rbcd-timers-')), 'rbcd.yaml');
    writeFileSync(configFile, stringify(yaml));
    const env = { DATABASE_URL: url, RBCD_CONFIG: configFile };
    services.push(...(await Promise.all([startServiceProcess(env), startServiceProcess(env)])));

    const target = await createComputer(uniqueName('TT'));
    const principals: CreatedComputer[] = [];
    for (let i = 0; i < SCHEDULED; i++) principals.push(await createComputer(uniqueName('TP')));
    computers.push(target, ...principals);

    const call = async (service: ServiceProcess, path: string, key: string, body: unknown, expected: number) => {
      const res = await contractFetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== expected) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const key = async (name: string, roles: string[]) =>
      (await call(services[0], '/api/v1/api-keys', TEST_ADMIN_KEY, { name, roles }, 201)).key as string;
    const requester = await key('ticketing', ['requester']);
    const approver = await key('approver', ['approver']);

    // Pending requests nobody decides, filed through both processes.
    const pending: string[] = [];
    for (let i = 0; i < PENDING; i++) {
      const filed = await call(
        services[i % 2],
        '/api/v1/requests',
        requester,
        { action: 'grant', targets: [target.dn], principals: [principals[0].sid], justification: `pending ${i}` },
        201,
      );
      pending.push(filed.id as string);
    }
    // Scheduled grants: approved now, applied at startsAt (8 s ahead), 30 s long, noticed 20 s before expiry.
    const startsAt = new Date(Date.now() + 8_000).toISOString();
    const scheduled: string[] = [];
    for (const [i, principal] of principals.entries()) {
      const filed = await call(
        services[i % 2],
        '/api/v1/requests',
        requester,
        {
          action: 'grant',
          targets: [target.dn],
          principals: [principal.sid],
          justification: `scheduled ${i}`,
          duration: 'PT30S',
          startsAt,
        },
        201,
      );
      const approved = await call(services[(i + 1) % 2], `/api/v1/requests/${filed.id}/approve`, approver, {}, 200);
      expect(approved.status).toBe('scheduled');
      scheduled.push(filed.id as string);
    }

    const count = async (sql: string, params: unknown[]) => ((await ds.query(sql, params)) as [{ n: number }])[0].n;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const timedOut = await count(`SELECT COUNT(*)::int AS n FROM requests WHERE status = 'timedOut'`, []);
      const applied = await count(`SELECT COUNT(*)::int AS n FROM requests WHERE status = 'applied'`, []);
      const notices = receiver.events('grant.expiring').length;
      if (timedOut === PENDING && applied === SCHEDULED && notices >= SCHEDULED) break;
      if (Date.now() > deadline)
        throw new Error(
          `timed out: ${timedOut}/${PENDING} timedOut, ${applied}/${SCHEDULED} applied, ${notices} notices`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1_500)); // a second delivery, if any, would arrive by now

    const perRequest = (type: string, ids: string[]) => {
      const seen = receiver.events(type).map((e) => (e.data as { requestId: string }).requestId);
      return ids.map((id) => seen.filter((s) => s === id).length);
    };
    expect(perRequest('request.reminder', pending)).toEqual(pending.map(() => 1));
    expect(perRequest('request.timed_out', pending)).toEqual(pending.map(() => 1));
    const escalated = receiver.received
      .filter((r) => r.path === '/escalate')
      .map((r) => (r.body.data as { requestId: string }).requestId);
    expect(pending.map((id) => escalated.filter((e) => e === id).length)).toEqual(pending.map(() => 1));
    expect(perRequest('request.applied', scheduled)).toEqual(scheduled.map(() => 1));
    expect(perRequest('grant.expiring', scheduled)).toEqual(scheduled.map(() => 1));

    // The audit agrees: one time-out per request, one apply and one directory write per scheduled grant.
    const audited = async (type: string, ids: string[]) =>
      (
        (await ds.query(
          `SELECT request_id, COUNT(*)::int AS n FROM audit_events WHERE type = $1 AND request_id = ANY($2) GROUP BY request_id`,
          [type, ids],
        )) as { n: number }[]
      ).map((r) => r.n);
    expect(await audited('request.timed-out', pending)).toEqual(pending.map(() => 1));
    expect(await audited('request.reminded', pending)).toEqual(pending.map(() => 1));
    expect(await audited('request.escalated', pending)).toEqual(pending.map(() => 1));
    expect(await audited('request.applying', scheduled)).toEqual(scheduled.map(() => 1));
    expect(await audited('directory.write', scheduled)).toEqual(scheduled.map(() => 1));
    const applied = (await ds.query(`SELECT applied_at FROM requests WHERE id = ANY($1)`, [scheduled])) as {
      applied_at: string;
    }[];
    expect(applied.every((r) => r.applied_at >= startsAt)).toBe(true);
    const timers = (await ds.query(
      `SELECT status, attempts, lease_owner FROM jobs WHERE kind = 'timer' AND request_id = ANY($1)`,
      [pending],
    )) as { status: string; attempts: number; lease_owner: string }[];
    expect(timers).toHaveLength(PENDING * 3);
    expect(timers.every((t) => t.status === 'done' && t.attempts === 1)).toBe(true);

    for (const [i, id] of scheduled.entries())
      await call(services[i % 2], `/api/v1/requests/${id}/revoke`, requester, {}, 200);
  }, 300_000);
});
