// A failure in the middle loses nothing: restarts at every stage, a DC that is down while a
// request is approved, and an audit log that notices tampering. (Scale-out: scale-out.spec.ts.)
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { decodeSecurityDescriptor, listPrincipals } from '../../src/security-descriptor';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  uniqueName,
  writeRbcdRaw,
} from '../support/sandbox';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTestApp, testDatabaseUrl, type TestDatabase } from '../support/test-app';
import { actors, drainJobs, expireDue, issueKey, SANDBOX_CONFIG, sandboxApp, sleep } from '../support/workflow';

const principalsOf = (raw: Buffer | null) =>
  raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];

describe.each<TestDatabase>(['sqlite', 'postgres'])('durability on %s', (database) => {
  const created: CreatedComputer[] = [];
  let frontEnd: CreatedComputer;

  beforeAll(async () => {
    frontEnd = await createComputer(uniqueName('DF'));
    created.push(frontEnd);
  });

  afterAll(async () => {
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  async function newTarget(prefix: string): Promise<CreatedComputer> {
    const c = await createComputer(uniqueName(prefix));
    created.push(c);
    return c;
  }

  it('a restart at each stage loses nothing: pending, approved, applying (a crashed worker), applied, expired', async () => {
    const url = await testDatabaseUrl(database);
    const env = { DATABASE_URL: url, RBCD_JOB_LEASE_MS: '3000' };
    const target = await newTarget('DR');
    const start = () => sandboxApp({ database, env });

    let t = await start();
    const keys = { requester: await issueKey(t, 'r', ['requester']), approver: await issueKey(t, 'a', ['approver']) };
    const id = (
      await t
        .http()
        .post('/api/v1/requests')
        .set(keys.requester)
        .send({
          action: 'grant',
          targets: [target.dn],
          principals: [frontEnd.sid],
          justification: 'restart',
          duration: 'PT4S',
        })
        .expect(201)
    ).body.id;
    await t.close();

    t = await start(); // pending survives
    expect((await t.http().get(`/api/v1/requests/${id}`).set(keys.approver).expect(200)).body.status).toBe('pending');
    await t.http().post(`/api/v1/requests/${id}/approve`).set(keys.approver).send({}).expect(200);
    await t.close();

    t = await start(); // approved, job queued: a worker that crashes right after taking the job
    const leased = await t.app.get(JobQueue).lease(10);
    const leasedAt = Date.now();
    expect(leased.map((j) => j.requestId)).toEqual([id]);
    jest.spyOn(t.app.get(JobQueue), 'releaseAll').mockResolvedValue(); // a crash does not say goodbye
    await t.close();
    expect(await readRbcdRaw(target.dn)).toBeNull();

    t = await start(); // the lease runs out and another worker takes the job over
    if (Date.now() - leasedAt < 2500) expect(await drainJobs(t)).toBe(0); // still leased by the dead worker
    await sleep(Math.max(0, leasedAt + 3100 - Date.now()));
    expect(await drainJobs(t)).toBe(1);
    const applied = (await t.http().get(`/api/v1/requests/${id}`).set(keys.approver).expect(200)).body;
    expect(applied.status).toBe('applied');
    expect(principalsOf(await readRbcdRaw(target.dn))).toEqual([frontEnd.sid]);
    await t.close();

    await sleep(Math.max(0, Date.parse(applied.expiresAt) - Date.now()) + 100); // expires while the service is down
    t = await start();
    expect(await expireDue(t)).toBe(1);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(keys.approver).expect(200)).body.status).toBe('expired');
    expect(await readRbcdRaw(target.dn)).toBeNull();
    expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body).toMatchObject({ ok: true });
    await t.close();
  });

  it('a DC that is down while a request is approved leaves it waiting; it is applied once the DC is back', async () => {
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', 636);
    const sandbox = loadConfig({ RBCD_CONFIG: SANDBOX_CONFIG });
    const domains = sandbox.domains.map((d) =>
      d.name === 'contoso.test'
        ? { ...d, urls: [`ldaps://127.0.0.1:${proxy.port}`], connectTimeoutMs: 1000, operationTimeoutMs: 3000 }
        : d,
    );
    const t = await createTestApp({
      database,
      env: { RBCD_CONFIG: SANDBOX_CONFIG, RBCD_JOB_BACKOFF_MS: '100' },
      config: { domains },
    });
    try {
      const target = await newTarget('DD');
      const who = await actors(t);
      const id = (
        await t
          .http()
          .post('/api/v1/requests')
          .set(who.requester)
          .send({ action: 'grant', targets: [target.dn], principals: [frontEnd.sid], justification: 'dc down' })
          .expect(201)
      ).body.id;
      await proxy.cut();
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(503);
      await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
      await drainJobs(t);
      const waiting = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
      expect(waiting.status).toBe('applying');
      expect(waiting.result.error.code).toBe('DIRECTORY_UNAVAILABLE');
      await drainJobs(t); // retried later with backoff, not now
      await proxy.restore();
      await sleep(400);
      await drainJobs(t);
      const applied = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
      expect(applied.status).toBe('applied');
      expect(principalsOf(await readRbcdRaw(target.dn))).toEqual([frontEnd.sid]);
      await writeRbcdRaw(target.dn, null);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  it('a target deleted from the directory while granted: the grant still ends at expiry', async () => {
    const t = await sandboxApp({ database });
    try {
      const target = await newTarget('DG');
      const who = await actors(t);
      const created = await t
        .http()
        .post('/api/v1/requests')
        .set(who.requester)
        .send({
          action: 'grant',
          targets: [target.dn],
          principals: [frontEnd.sid],
          justification: 'gone',
          duration: 'PT2S',
        })
        .expect(201);
      await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(who.approver).send({}).expect(200);
      await drainJobs(t);
      const applied = (await t.http().get(`/api/v1/requests/${created.body.id}`).set(who.requester).expect(200)).body;
      expect(applied.status).toBe('applied');
      await deleteObject(target.dn);
      await sleep(Math.max(0, Date.parse(applied.expiresAt) - Date.now()) + 50);
      expect(await expireDue(t)).toBe(1);
      expect(
        (await t.http().get(`/api/v1/requests/${created.body.id}`).set(who.requester).expect(200)).body.status,
      ).toBe('expired');
      const audit = await t
        .http()
        .get(`/api/v1/audit?requestId=${created.body.id}&type=directory.write`)
        .set(t.admin)
        .expect(200);
      expect(audit.body.items[0].data).toMatchObject({ action: 'end-grant', targetGone: true });
    } finally {
      await t.close();
    }
  });

  it('the audit log notices an altered or a removed event', async () => {
    const url = await testDatabaseUrl(database);
    const t = await sandboxApp({ database, env: { DATABASE_URL: url } });
    try {
      const target = await newTarget('DA');
      const who = await actors(t);
      await t
        .http()
        .post('/api/v1/requests')
        .set(who.requester)
        .send({ action: 'grant', targets: [target.dn], principals: [frontEnd.sid], justification: 'audit' })
        .expect(201);
      expect((await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body.ok).toBe(true);
      const ds = t.app.get(DataSource);
      await ds.query(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1`);
      const altered = (await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200)).body;
      expect(altered).toMatchObject({ ok: false, firstBadSeq: 1 });
    } finally {
      await t.close();
    }
  });
});
