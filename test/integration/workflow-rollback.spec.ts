// A failed grant is taken back truthfully (issue 12 §2): when the DC cannot be reached during the
// rollback, the request still ends `failed`, the audit says `rollbackPending` (never a rollback that
// did not happen), the grant rows stay active with a durable rollback job on them, and once the DC
// answers the job removes the ACE (`request.rolled-back`) and the KDC refuses again.
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { GrantApplier } from '../../src/grants/grant-applier';
import { decodeSecurityDescriptor, listPrincipals } from '../../src/security-descriptor';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import { createComputer, type CreatedComputer, deleteObject, readRbcdRaw, uniqueName } from '../support/sandbox';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTestApp, type TestApp, type TestDatabase } from '../support/test-app';
import { actors, drainJobs, SANDBOX_CONFIG, sleep } from '../support/workflow';

const PAW01 = 'CN=PAW01,OU=Tier0,DC=contoso,DC=test';
const principalsOf = (raw: Buffer | null) =>
  raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];

describe.each<TestDatabase>(['sqlite', 'postgres'])('rollback of a failed grant on %s', (database) => {
  const created: CreatedComputer[] = [];
  let frontEnd: CreatedComputer;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    frontEnd = await createComputer(uniqueName('RF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    created.push(frontEnd);
    proxy = await startTcpProxy('127.0.0.1', 636);
    const sandbox = loadConfig({ RBCD_CONFIG: SANDBOX_CONFIG });
    const domains = sandbox.domains.map((d) =>
      d.name === 'contoso.test'
        ? { ...d, urls: [`ldaps://127.0.0.1:${proxy.port}`], connectTimeoutMs: 1000, operationTimeoutMs: 3000 }
        : d,
    );
    // PAW01 is outside the service account's rights: its refused write fails the request. A rule
    // naming it lets it be requested (the Tier 0 rule would refuse it up front).
    const policy = {
      defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
      rules: [{ match: { targetDnSuffix: PAW01 } }],
    };
    t = await createTestApp({
      database,
      env: { RBCD_CONFIG: SANDBOX_CONFIG, RBCD_JOB_BACKOFF_MS: '100' },
      config: { domains, policy } as never,
    });
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  it('the DC is unreachable during the rollback: failed + rollbackPending, the ACE is removed once the DC answers, the KDC refuses', async () => {
    const name = uniqueName('RT');
    const spn = `cifs/${name.toLowerCase()}.contoso.test`;
    const target = await createComputer(name, { spns: [spn] });
    created.push(target);
    const oracle = async () => (await canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn })).allowed;
    expect(await oracle()).toBe(false);

    const who = await actors(t);
    const id = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(who.requester)
        .send({ action: 'grant', targets: [target.dn, PAW01], principals: [frontEnd.sid], justification: 'rollback' })
        .expect(201)
    ).body.id;
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    // The DC goes away between the failure and the rollback.
    const applier = t.app.get(GrantApplier);
    const rollback = applier.rollback.bind(applier);
    jest.spyOn(applier, 'rollback').mockImplementationOnce(async (requestId) => {
      await proxy.cut();
      return rollback(requestId);
    });
    await drainJobs(t);

    const failed = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
    expect(failed.status).toBe('failed');
    expect(failed.result.error.code).toBe('DIRECTORY_ACCESS_DENIED');
    const audit = async () =>
      [
        ...(await t.http().get(`/api/v1/audit?requestId=${id}&limit=200`).set(t.admin).expect(200)).body.items,
      ].reverse() as { type: string; data: Record<string, unknown> }[];
    const pendingAudit = await audit();
    expect(pendingAudit.find((e) => e.type === 'request.failed')?.data).toMatchObject({ rollbackPending: true });
    expect(pendingAudit.find((e) => e.type === 'request.failed')?.data).not.toHaveProperty('rolledBack');
    expect(pendingAudit.some((e) => e.type === 'request.rolled-back')).toBe(false);
    // Not unnoticed: the ACE is still in force (the KDC allows), its grant row active, a rollback job waiting.
    expect(principalsOf(await readRbcdRaw(target.dn))).toEqual([frontEnd.sid]);
    expect(await oracle()).toBe(true);
    const ds = t.app.get(DataSource);
    expect(await ds.query(`SELECT state FROM grants WHERE request_id = '${id}'`)).toEqual([{ state: 'active' }]);
    const [job] = await ds.query(
      `SELECT status, last_error FROM jobs WHERE request_id = '${id}' AND kind = 'rollback'`,
    );
    expect(job.status).toBe('queued');
    expect(job.last_error).toMatch(/unavailable|reach|connect/i);

    await proxy.restore();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
      await drainJobs(t);
      if ((await audit()).some((e) => e.type === 'request.rolled-back')) break;
    }
    const done = await audit();
    expect(done[done.length - 1]).toMatchObject({ type: 'request.rolled-back', data: { rolledBack: true } });
    expect(await readRbcdRaw(target.dn)).toBeNull();
    expect(await oracle()).toBe(false);
    expect(await ds.query(`SELECT state FROM grants WHERE request_id = '${id}'`)).toEqual([{ state: 'ended' }]);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('failed');
    expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toMatchObject({ ok: true });
  });
});
