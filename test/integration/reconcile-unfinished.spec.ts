// The reconciler and writes whose outcome never came (issue 19): a drift repair interrupted after
// its LDAP write (the process died before the commit) leaves a pending intent; the reconciler
// reports UNFINISHED_WRITE (never drift), and since no job will resume it, closes it as `unknown`
// with what the directory shows, in the audit.
import { DataSource } from 'typeorm';
import { DirectoryWrites } from '../../src/directory-writes/directory-writes';
import { UnitOfWork } from '../../src/database/unit-of-work';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  referenceRbcdDescriptor,
  uniqueName,
  writeRbcdRaw,
} from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, drainJobs, grantApproved, sandboxApp, sleep } from '../support/workflow';

describe('reconciler: unfinished writes', () => {
  const created: CreatedComputer[] = [];
  let t: TestApp;

  beforeAll(async () => {
    t = await sandboxApp({ env: { RBCD_JOB_LEASE_MS: '1000' } });
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  it('an interrupted repair is UNFINISHED_WRITE, then closed as unknown with what the directory showed', async () => {
    const [target, frontEnd] = await Promise.all([createComputer(uniqueName('UT')), createComputer(uniqueName('UF'))]);
    created.push(target, frontEnd);
    const who = await actors(t);
    const id = await grantApproved(t, who, { targets: [target.dn], principals: [frontEnd.sid] });
    await drainJobs(t);
    // The ACE is removed behind the service's back; a repair announces its write, writes, and dies.
    await writeRbcdRaw(target.dn, null);
    const [intent] = await t.app.get(UnitOfWork).run((m) =>
      t.app.get(DirectoryWrites).announce(m, [
        {
          requestId: null,
          action: 'repair',
          operation: 'add',
          target: { dn: target.dn, sid: target.sid, domain: 'contoso.test' },
          principals: [frontEnd.sid],
          inForceBefore: [],
          valueBefore: null,
          actor: 'system',
        },
      ]),
    );
    const written = referenceRbcdDescriptor([frontEnd.sid]);
    await writeRbcdRaw(target.dn, written);
    await sleep(1100); // older than a job lease: no worker is on it

    const report = (await t.http().post('/api/v1/reconcile').set(t.admin).expect(200)).body as {
      findings: { kind: string; sid?: string; message: string }[];
    };
    const about = report.findings.filter((f) => f.sid === frontEnd.sid);
    expect(about.map((f) => f.kind)).toEqual(['unfinished-write']);
    expect(about[0].message).toMatch(/directory shows it done; closed as unknown/);

    const ds = t.app.get(DataSource);
    expect(await ds.query(`SELECT state FROM directory_intents WHERE id = '${intent.id}'`)).toEqual([
      { state: 'unknown' },
    ]);
    const events = (await t.http().get('/api/v1/audit?type=directory.write&limit=50').set(t.admin).expect(200)).body
      .items as { data: Record<string, unknown> }[];
    expect(events.find((e) => e.data.intentId === intent.id)?.data).toMatchObject({
      action: 'repair',
      outcome: 'unknown',
      intendedChangeInForce: true,
      observed: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})`,
    });
    expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toMatchObject({ ok: true });

    // Closed: the next run has nothing unfinished, and the grant is in force (no drift either).
    const again = (await t.http().post('/api/v1/reconcile').set(t.admin).expect(200)).body as {
      findings: { sid?: string }[];
    };
    expect(again.findings.filter((f) => f.sid === frontEnd.sid)).toEqual([]);
    expect(await readRbcdRaw(target.dn)).toEqual(written);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('applied');
  });
});
