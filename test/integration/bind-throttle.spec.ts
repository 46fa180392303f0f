// Issue 11 §5: refused credentials never lock the service account out, and the service recovers
// without a restart. A dedicated bind account (not svc-rbcd, which parallel tests use) gets a new
// password behind the service's back; API calls, readiness probes and due jobs are then driven for
// two bind windows. The window is one minute in production (DomainConfig.bindRetryAfterMs, not an
// operator setting); the test shortens it to WINDOW_MS so that "two minutes" take seconds: the
// throttle logic is the same, only the length of the window changes.
import { loadConfig } from '../../src/config/load-config';
import {
  createComputer,
  createLockoutPolicy,
  type CreatedComputer,
  createUser,
  deleteObject,
  randomPassword,
  readEntry,
  setPassword,
  uniqueName,
} from '../support/sandbox';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import type { TestApp } from '../support/test-app';
import { createTestApp } from '../support/test-app';
import { actors, drainJobs, SANDBOX_CONFIG, sleep } from '../support/workflow';

const WINDOW_MS = 1500;

describe('refused credentials: one bind attempt per window, recovery without a restart', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let account: { dn: string; name: string; password: string };
  let target: CreatedComputer;
  let psoDn: string;

  beforeAll(async () => {
    proxy = await startTcpProxy('127.0.0.1', 636);
    account = await createUser(`b${uniqueName('BT').toLowerCase()}`.slice(0, 20));
    target = await createComputer(uniqueName('BT'));
    // The sandbox domain has no lockout threshold, and then the DC keeps no badPwdCount. A
    // fine-grained password policy for this account alone turns counting on (threshold far above
    // what the test can reach, so it never locks out) without touching any other account.
    psoDn = await createLockoutPolicy(account.dn, 1000);
    const sandbox = loadConfig({ RBCD_CONFIG: SANDBOX_CONFIG });
    const contoso = sandbox.domains.find((d) => d.name === 'contoso.test')!;
    const domains = [
      {
        ...contoso,
        urls: [`ldaps://127.0.0.1:${proxy.port}`],
        bindDn: account.dn,
        bindPassword: account.password,
        bindRetryAfterMs: WINDOW_MS,
      },
    ];
    t = await createTestApp({ env: { RBCD_CONFIG: SANDBOX_CONFIG }, config: { domains } });
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    for (const dn of [target?.dn, psoDn, account?.dn]) if (dn) await deleteObject(dn).catch(() => undefined);
  });

  const badPwdCount = async () => Number((await readEntry(account.dn, ['badPwdCount'])).badPwdCount ?? 0);

  it('refuses with DIRECTORY_CREDENTIALS_REFUSED (503), binds at most once per window, jobs wait; then recovers', async () => {
    await t
      .http()
      .get(`/api/v1/delegations/${encodeURIComponent(target.dn)}`)
      .set(t.admin)
      .expect(200);
    const who = await actors(t);
    const revoke = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'revoke', targets: [target.dn], principals: ['SERVERB$'], justification: 'while refused' })
      .expect(201);

    const before = await badPwdCount();
    await setPassword(account.dn, randomPassword());
    await proxy.cut(); // the bound connections go: the next operation must bind again
    await proxy.restore();
    await t.http().post(`/api/v1/requests/${revoke.body.id}/approve`).set(who.approver).send({}).expect(200);

    const started = Date.now();
    const statuses = new Map<string, number>();
    let body: { error?: { code: string; message: string } } | undefined;
    while (Date.now() - started < 2 * WINDOW_MS + 200) {
      const read = await t
        .http()
        .get(`/api/v1/delegations/${encodeURIComponent(target.dn)}`)
        .set(t.admin);
      statuses.set(`read ${read.status}`, (statuses.get(`read ${read.status}`) ?? 0) + 1);
      if (read.status === 503) body = read.body;
      const ready = await t.http().get('/health/ready');
      statuses.set(`ready ${ready.status}`, (statuses.get(`ready ${ready.status}`) ?? 0) + 1);
      await drainJobs(t);
      await sleep(25);
    }
    const rise = (await badPwdCount()) - before;
    expect(rise).toBeGreaterThanOrEqual(1); // the DC saw the bad binds: the measure works
    expect(rise).toBeLessThanOrEqual(3); // two windows: the first attempt and at most one per window after it
    expect(statuses.get('read 200') ?? 0).toBe(0);
    expect(statuses.get('read 503')).toBeGreaterThan(10);
    expect(body?.error).toMatchObject({
      code: 'DIRECTORY_CREDENTIALS_REFUSED',
      message: expect.stringMatching(/credentials were refused.*at most once a minute/),
    });
    expect(JSON.stringify(body)).not.toContain(account.password);

    const ready = await t.http().get('/health/ready').expect(503);
    expect(ready.body.error).toMatchObject({
      code: 'NOT_READY',
      message: expect.stringContaining('directory (contoso.test: Cannot bind to contoso.test'),
    });
    expect(ready.body.error.details).toMatchObject({
      database: { status: 'up' },
      directory: { status: 'down', 'contoso.test': { status: 'down' } },
    });

    // The job waited (no attempt used up), the request is not failed.
    const waiting = (await t.http().get(`/api/v1/requests/${revoke.body.id}`).set(who.requester).expect(200)).body;
    expect(waiting.status).toBe('applying');
    expect(waiting.result.error.code).toBe('DIRECTORY_CREDENTIALS_REFUSED');

    // The operator puts the configured password back: the service recovers by itself.
    await setPassword(account.dn, account.password);
    await sleep(WINDOW_MS + 100);
    await t
      .http()
      .get(`/api/v1/delegations/${encodeURIComponent(target.dn)}`)
      .set(t.admin)
      .expect(200);
    await t.http().get('/health/ready').expect(200);
    await sleep(WINDOW_MS + 100); // the job's wait (one window) is over
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${revoke.body.id}`).set(who.requester).expect(200)).body.status).toBe(
      'applied',
    );
  });
});
