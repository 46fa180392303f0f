// Drift detection against the sandbox DC: a grant put in force through the API, then the
// directory changed behind the service's back (ACE removed, principal added, mask broken);
// POST /api/v1/reconcile reports it, audits it, announces it, and with RBCD_DRIFT_REPAIR=true
// puts the missing ACE back.
import * as path from 'node:path';
import { AuditService } from '../../src/audit/audit.service';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { JobEntity } from '../../src/jobs/job.entity';
import { JobRunner } from '../../src/jobs/job-runner';
import { decodeSecurityDescriptor, listPrincipals } from '../../src/security-descriptor';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  referenceRbcdDescriptor,
  sandboxDir,
  uniqueName,
  withAceMask,
  writeRbcdRaw,
} from '../support/sandbox';
import { createTestApp, type TestApp, testDatabaseUrl } from '../support/test-app';

const RBCD_CONFIG = path.join(sandboxDir(), 'rbcd.yaml');
const WEBHOOK = { url: 'http://127.0.0.1:9/rbcd-hooks', events: ['drift.detected'] };

type Finding = {
  target: { dn: string; sid: string; domain: string };
  kind: string;
  sid?: string;
  message: string;
  repaired?: boolean;
};

function effectiveSids(raw: Buffer | null): string[] {
  if (!raw) return [];
  return listPrincipals(decodeSecurityDescriptor(raw))
    .principals.filter((p) => p.effective)
    .map((p) => p.sid)
    .sort();
}

function byKind(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.kind.localeCompare(b.kind));
}

describe('reconciler (sandbox DC, PostgreSQL)', () => {
  let t: TestApp;
  let databaseUrl: string;
  let target: CreatedComputer;
  let granted: CreatedComputer;
  let extra: CreatedComputer;
  let approver: { Authorization: string };
  const apps: TestApp[] = [];

  const reconcile = async (app: TestApp): Promise<{ checkedTargets: number; findings: Finding[]; errors: unknown[] }> =>
    (await app.http().post('/api/v1/reconcile').set(app.admin).expect(200)).body;
  const driftEvents = async (app: TestApp) =>
    (await app.app.get(AuditService).search({ type: 'drift.detected', limit: 1000 })).items;

  beforeAll(async () => {
    [target, granted, extra] = await Promise.all([
      createComputer(uniqueName('RTGT')),
      createComputer(uniqueName('RGRT')),
      createComputer(uniqueName('REXT')),
    ]);
    databaseUrl = await testDatabaseUrl('postgres');
    t = await createTestApp({ env: { DATABASE_URL: databaseUrl, RBCD_CONFIG }, config: { webhooks: [WEBHOOK] } });
    apps.push(t);
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'reconcile-approver', roles: ['approver'] })
      .expect(201);
    approver = { Authorization: `Bearer ${key.body.key}` };

    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(t.admin)
      .send({
        action: 'grant',
        targets: [target.dn],
        principals: [granted.sid],
        justification: 'reconcile test',
        duration: 'PT1H',
      })
      .expect(201);
    await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(approver).send({}).expect(200);
    await t.app.get(JobRunner).runOnce();
    const applied = await t.http().get(`/api/v1/requests/${created.body.id}`).set(t.admin).expect(200);
    expect(applied.body.status).toBe('applied');
    expect(effectiveSids(await readRbcdRaw(target.dn))).toEqual([granted.sid]);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await Promise.all([target, granted, extra].filter(Boolean).map((c) => deleteObject(c.dn)));
  });

  it('finds no drift while the directory matches the grants', async () => {
    expect(t.config.driftRepair).toBe(false);
    await expect(reconcile(t)).resolves.toEqual({ checkedTargets: 1, findings: [], errors: [] });
    expect(await driftEvents(t)).toHaveLength(0);
  });

  it('is for admins only', async () => {
    await t.http().post('/api/v1/reconcile').expect(401);
    await t.http().post('/api/v1/reconcile').set(approver).expect(403);
  });

  it('reports an ACE removed and a principal added outside the service; audits and announces each once', async () => {
    const tampered = referenceRbcdDescriptor([extra.sid]);
    await writeRbcdRaw(target.dn, tampered);

    const report = await reconcile(t);
    expect(report.checkedTargets).toBe(1);
    const targetRef = { dn: target.dn, sid: target.sid, domain: 'contoso.test' };
    expect(byKind(report.findings)).toEqual([
      {
        target: targetRef,
        kind: 'missing-ace',
        sid: granted.sid,
        message: expect.stringContaining('removed outside the service'),
      },
      {
        target: targetRef,
        kind: 'unexpected-ace',
        sid: extra.sid,
        message: expect.stringContaining('added outside the service'),
      },
    ]);
    expect(report.findings.every((f) => !('repaired' in f))).toBe(true);
    expect(await readRbcdRaw(target.dn)).toEqual(tampered); // reported only: nothing written

    const events = await driftEvents(t);
    expect(events.map((e) => [e.target, e.data.kind, e.data.sid]).sort()).toEqual([
      [target.dn, 'missing-ace', granted.sid],
      [target.dn, 'unexpected-ace', extra.sid],
    ]);
    expect(events.map((e) => e.actor)).toEqual(['apikey:bootstrap-admin', 'apikey:bootstrap-admin']);
    const jobs = await t.app
      .get(UnitOfWork)
      .manager.getRepository(JobEntity)
      .find({ where: { kind: 'webhook' } });
    const announced = jobs
      .map((j) => j.payload.event as { type: string; data: { kind: string; sid: string; target: { dn: string } } })
      .filter((e) => e.type === 'drift.detected');
    expect(announced.map((e) => [e.data.target.dn, e.data.kind, e.data.sid]).sort()).toEqual([
      [target.dn, 'missing-ace', granted.sid],
      [target.dn, 'unexpected-ace', extra.sid],
    ]);

    // The same drift again: still in the report, not audited or announced a second time.
    expect(byKind((await reconcile(t)).findings).map((f) => f.kind)).toEqual(['missing-ace', 'unexpected-ace']);
    expect(await driftEvents(t)).toHaveLength(2);
    await expect(
      t
        .http()
        .get('/api/v1/audit/verify')
        .set(t.admin)
        .expect(200)
        .then((r) => r.body.ok),
    ).resolves.toBe(true);
  });

  it('reports a granted ACE whose mask the KDC ignores', async () => {
    await writeRbcdRaw(
      target.dn,
      withAceMask(referenceRbcdDescriptor([granted.sid, extra.sid]), granted.sid, 0x10000000),
    );
    const report = await reconcile(t);
    expect(byKind(report.findings).map((f) => [f.kind, f.sid])).toEqual([
      ['ineffective-mask', granted.sid],
      ['unexpected-ace', extra.sid],
    ]);
    expect(report.findings.find((f) => f.kind === 'ineffective-mask')?.message).toContain('0x10000000');
  });

  it('with RBCD_DRIFT_REPAIR=true puts the missing ACE back (and only that), audited as directory.write', async () => {
    await writeRbcdRaw(target.dn, referenceRbcdDescriptor([extra.sid]));
    const repairing = await createTestApp({
      env: { DATABASE_URL: databaseUrl, RBCD_CONFIG, RBCD_DRIFT_REPAIR: 'true' },
    });
    apps.push(repairing);
    expect(repairing.config.driftRepair).toBe(true);

    const report = await reconcile(repairing);
    expect(byKind(report.findings).map((f) => [f.kind, f.sid, f.repaired])).toEqual([
      ['missing-ace', granted.sid, true],
      ['unexpected-ace', extra.sid, undefined],
    ]);
    expect(effectiveSids(await readRbcdRaw(target.dn))).toEqual([extra.sid, granted.sid].sort());

    const writes = (await repairing.app.get(AuditService).search({ type: 'directory.write', limit: 100 })).items.filter(
      (e) => e.data.action === 'repair',
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ target: target.dn, data: { changed: true, principals: [granted.sid] } });
    const repairedEvent = (await driftEvents(repairing)).find(
      (e) => e.data.kind === 'missing-ace' && e.data.repaired === true,
    );
    expect(repairedEvent).toBeDefined();

    // Repaired: the next run finds only what the service never removes on its own.
    expect((await reconcile(repairing)).findings.map((f) => f.kind)).toEqual(['unexpected-ace']);
  });
});
