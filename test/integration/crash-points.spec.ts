// Exactly once across the directory and the database (issue 19): a real service process is killed
// (SIGKILL, through the test-only RBCD_TEST_CRASH_AT hook) at each point of a directory write:
// after the intent, after the LDAP write, before the commit, after the commit; for a grant, a
// revoke, an expiry and a rollback. After a restart on the same database:
//   - the request ends in its right state;
//   - the ACE the service added is gone at the end (the KDC refuses), and the entry that was there
//     before survives byte for byte;
//   - the write is in the audit exactly once (changed: true), every intent is closed, and the chain
//     verifies.
// 'bulk-grant' is a grant on 7 targets with RBCD_WRITE_BATCH=2: batches of 1, 2, 2 and 2 in two
// lanes, so the kill lands while the other lane writes, and after-commit lands after a batch's
// outcomes committed together with the intents of its lane's next batch (announced, not written).
// Every case has its own database and target; the crashing processes run side by side.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { mapLimit } from '../../src/delegations/target-expander';
import { CRASH_POINTS, type CrashPoint } from '../../src/directory-writes/crash-points';
import { effectiveSids } from '../../src/directory-writes/directory-writes';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  referenceRbcdDescriptor,
  sandboxDir,
  uniqueName,
  writeRbcdRaw,
} from '../support/sandbox';
import { compileService, runUntilExit } from '../support/service-process';
import { testDatabaseUrl, type TestApp, type TestDatabase } from '../support/test-app';
import { drainJobs, expireDue, issueKey, SANDBOX_CONFIG, sandboxApp, sleep } from '../support/workflow';

const SCENARIOS = ['grant', 'revoke', 'expiry', 'rollback', 'bulk-grant'] as const;
type Scenario = (typeof SCENARIOS)[number];
const CRASHING_ACTION: Record<Scenario, string> = {
  grant: 'grant',
  'bulk-grant': 'grant',
  revoke: 'end-grant',
  expiry: 'end-grant',
  rollback: 'rollback',
};
const FINAL: Record<Scenario, string> = {
  grant: 'applied',
  'bulk-grant': 'applied',
  revoke: 'revoked',
  expiry: 'expired',
  rollback: 'failed',
};
/** The bulk grant's targets besides the one the KDC checks. */
const BULK_EXTRA_TARGETS = 6;
const PAW01 = 'CN=PAW01,OU=Tier0,DC=contoso,DC=test';
const LEASE_MS = 1000;
const CRASH_CONCURRENCY = 4;

interface AuditItem {
  type: string;
  target?: string;
  data: Record<string, unknown>;
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('kill points on %s', (database) => {
  const created: CreatedComputer[] = [];
  let dist: string;
  let config: string;
  let frontEnd: CreatedComputer;
  let preOwner: CreatedComputer;

  beforeAll(async () => {
    dist = compileService();
    // The sandbox configuration, plus a rule that lets PAW01 (which the service account may not
    // write) be requested: the second target whose refused write fails a grant, for the rollback.
    config = join(sandboxDir(), `crash-points-${process.pid}-${database}.yaml`);
    writeFileSync(
      config,
      `${readFileSync(SANDBOX_CONFIG, 'utf8')}\npolicy:\n  defaults: { requiredApprovals: 1, maxDuration: P30D }\n  rules:\n    - match: { targetDnSuffix: "${PAW01}" }\n`,
    );
    frontEnd = await createComputer(uniqueName('KF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    preOwner = await createComputer(uniqueName('KP'));
    created.push(frontEnd, preOwner);
  });

  afterAll(async () => {
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
    rmSync(dist, { recursive: true, force: true });
    rmSync(config, { force: true });
  });

  it('grant, revoke, expiry, rollback and a bulk grant in two lanes: a crash at every point leaves nothing behind and nothing unaccounted for', async () => {
    // Set-up and recovery run one app at a time; the crashing service processes run side by side, a
    // few at a time.
    const scenarios = SCENARIOS.filter((s) => !process.env.CRASH_SCENARIO || s === process.env.CRASH_SCENARIO);
    const points = CRASH_POINTS.filter((p) => !process.env.CRASH_POINT || p === process.env.CRASH_POINT);
    const cases: Case[] = [];
    for (const scenario of scenarios) for (const point of points) cases.push(await prepare(scenario, point));
    await sleep(Math.max(0, ...cases.map((c) => c.expiresAt + 50 - Date.now())));
    await mapLimit(cases, CRASH_CONCURRENCY, crash);
    for (const c of cases) await recover(c);
  }, 900_000);

  interface Case {
    scenario: Scenario;
    point: CrashPoint;
    label: string;
    env: Record<string, string>;
    id: string;
    approver: Record<string, string>;
    target: CreatedComputer;
    /** The bulk grant's other targets (no SPN; each holds the same earlier entry). */
    extras: CreatedComputer[];
    before: Buffer;
    oracle: () => Promise<boolean>;
    expiresAt: number;
  }

  async function prepare(scenario: Scenario, point: CrashPoint): Promise<Case> {
    const label = `${scenario} killed ${point}`;
    const url = await testDatabaseUrl(database);
    const env: Record<string, string> = {
      DATABASE_URL: url,
      RBCD_CONFIG: config,
      RBCD_JOB_LEASE_MS: String(LEASE_MS),
      ...(scenario === 'bulk-grant' ? { RBCD_WRITE_BATCH: '2' } : {}),
    };
    const name = uniqueName('KT');
    const spn = `cifs/${name.toLowerCase()}.contoso.test`;
    const target = await createComputer(name, { spns: [spn] });
    created.push(target);
    // An entry that was there before the service: it must survive every crash, byte for byte.
    const before = referenceRbcdDescriptor([preOwner.sid]);
    await writeRbcdRaw(target.dn, before);
    const extras: CreatedComputer[] = [];
    for (let i = 0; scenario === 'bulk-grant' && i < BULK_EXTRA_TARGETS; i++) {
      const extra = await createComputer(uniqueName('KB'));
      created.push(extra);
      extras.push(extra);
      await writeRbcdRaw(extra.dn, before);
    }
    const oracle = async () => (await canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn })).allowed;

    // Set-up in this process (worker off): the request up to the job that will crash.
    const t: TestApp = await sandboxApp({ database, env });
    let expiresAt = 0;
    const requester = await issueKey(t, 'r', ['requester']);
    const approver = await issueKey(t, 'a', ['approver']);
    const targets = scenario === 'rollback' ? [target.dn, PAW01] : [target.dn, ...extras.map((e) => e.dn)];
    const duration = scenario === 'expiry' ? 'PT2S' : 'PT1H';
    const id = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(requester)
        .send({ action: 'grant', targets, principals: [frontEnd.sid], justification: label, duration })
        .expect(201)
    ).body.id as string;
    await t.http().post(`/api/v1/requests/${id}/approve`).set(approver).send({}).expect(200);
    if (scenario === 'revoke' || scenario === 'expiry') {
      await drainJobs(t);
      const applied = (await t.http().get(`/api/v1/requests/${id}`).set(approver).expect(200)).body;
      expect(applied.status).toBe('applied');
      if (scenario === 'revoke')
        await t.http().post(`/api/v1/requests/${id}/revoke`).set(approver).send({}).expect(200);
      else expiresAt = Date.parse(applied.expiresAt);
    }
    await t.close();
    return {
      scenario,
      point,
      label,
      env: { ...env, RBCD_TEST_CRASH_AT: `${CRASHING_ACTION[scenario]}:${point}` },
      id,
      approver,
      target,
      extras,
      before,
      oracle,
      expiresAt,
    };
  }

  /** The service process that dies at the point. */
  async function crash(c: Case): Promise<void> {
    const end = await runUntilExit(dist, {
      ...c.env,
      RBCD_MIGRATE_ON_START: 'true',
      RBCD_EXPIRY_CHECK_MS: '100',
      RBCD_RECONCILE_MS: '0',
    });
    if (end.signal !== 'SIGKILL')
      throw new Error(`${c.label}: the service did not crash (${end.code} ${end.signal}): ${end.stderr}`);
  }

  /** Restart on the same database: the dead worker's lease runs out, the job is taken over. */
  async function recover({
    scenario,
    point,
    label,
    env: crashEnv,
    id,
    approver,
    target,
    extras,
    before,
    oracle,
  }: Case): Promise<void> {
    const { RBCD_TEST_CRASH_AT: _hook, ...env } = crashEnv;
    const t = await sandboxApp({ database, env });
    try {
      const granting = scenario === 'grant' || scenario === 'bulk-grant';
      if (granting) {
        // Before the job is taken over, the reconciler sees the unfinished write for what it is:
        // never an ACE added outside the service. (It looks at intents older than a lease: with
        // only a few cases, the crash may be less than that ago.)
        await sleep(LEASE_MS + 100);
        const report = (await t.http().post('/api/v1/reconcile').set(t.admin).expect(200)).body as {
          findings: { kind: string; sid?: string; message: string }[];
        };
        const about = report.findings.filter((f) => f.sid === frontEnd.sid);
        if (scenario === 'grant') {
          expect([label, about.map((f) => f.kind)]).toEqual([
            label,
            point === 'after-commit' ? [] : ['unfinished-write'],
          ]);
          if (point === 'after-write' || point === 'before-commit')
            expect(about[0].message).toMatch(/directory shows it done; the job of request/);
        } else {
          // Some batch's intents are pending at every point (after-commit: the next batch's, announced).
          expect([label, about.length > 0, [...new Set(about.map((f) => f.kind))]]).toEqual([
            label,
            true,
            ['unfinished-write'],
          ]);
        }
      }
      let status = '';
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
        if (scenario === 'expiry') await expireDue(t);
        else await drainJobs(t);
        const request = (await t.http().get(`/api/v1/requests/${id}`).set(approver).expect(200)).body;
        status = request.status;
        const rolledBack = (await auditOf(t, id)).some((e) => e.type === 'request.rolled-back');
        if (status === FINAL[scenario] && (scenario !== 'rollback' || rolledBack)) break;
      }
      expect(`${label}: ${status}`).toBe(`${label}: ${FINAL[scenario]}`);
      const ds = t.app.get(DataSource);
      if (granting) {
        // Ownership came from the intent, not from what AD showed after the crash.
        const rows = await ds.query(`SELECT ace_added_by_service AS owned FROM grants WHERE request_id = '${id}'`);
        expect(rows.map((r: { owned: unknown }) => [label, Boolean(Number(r.owned) || r.owned === true)])).toEqual(
          [target, ...extras].map(() => [label, true]),
        );
        // Every other target holds the ACE now, next to the earlier entry (its positive control).
        for (const extra of extras)
          expect([label, [...effectiveSids(await readRbcdRaw(extra.dn))].sort()]).toEqual([
            label,
            [frontEnd.sid.toUpperCase(), preOwner.sid.toUpperCase()].sort(),
          ]);
        expect([label, await oracle()]).toEqual([label, true]); // positive control: the grant is in force
        await t.http().post(`/api/v1/requests/${id}/revoke`).set(approver).send({}).expect(200);
        await drainJobs(t);
        expect((await t.http().get(`/api/v1/requests/${id}`).set(approver).expect(200)).body.status).toBe('revoked');
      }
      // Nothing left behind: the service's ACE is gone, the earlier entry kept byte for byte.
      for (const each of [target, ...extras])
        expect([label, (await readRbcdRaw(each.dn))?.toString('base64')]).toEqual([label, before.toString('base64')]);
      expect([label, await oracle()]).toEqual([label, false]);
      if (scenario === 'rollback') expect(await readRbcdRaw(PAW01)).toBeNull();

      // Nothing unaccounted for: every intent closed, each announced write closed in the audit, and
      // the crashed write recorded exactly once as a change.
      const pending = await ds.query(`SELECT id FROM directory_intents WHERE state = 'pending'`);
      expect([label, pending]).toEqual([label, []]);
      const audit = await auditOf(t, id);
      const announced = audit.filter((e) => e.type === 'directory.intent').map((e) => e.data.intentId);
      const closed = new Set(audit.filter((e) => e.type.startsWith('directory.write')).map((e) => e.data.intentId));
      expect([label, announced.filter((i) => !closed.has(i))]).toEqual([label, []]);
      const action = CRASHING_ACTION[scenario];
      const changes = audit.filter(
        (e) => e.type === 'directory.write' && e.data.action === action && e.data.changed === true,
      );
      expect([label, changes.length, new Set(changes.map((e) => e.data.intentId)).size]).toEqual([
        label,
        1 + extras.length,
        1 + extras.length,
      ]);
      const changedTargets = new Set(changes.map((e) => e.target));
      expect([label, changedTargets.size]).toEqual([label, 1 + extras.length]);
      if (scenario === 'rollback')
        expect(audit.find((e) => e.type === 'request.failed')?.data).toMatchObject({ rollbackPending: true });
      expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toMatchObject({ ok: true });
    } finally {
      await t.close();
    }
  }
});

async function auditOf(t: TestApp, requestId: string): Promise<AuditItem[]> {
  const res = await t.http().get(`/api/v1/audit?requestId=${requestId}&limit=1000`).set(t.admin).expect(200);
  return [...res.body.items].reverse();
}
