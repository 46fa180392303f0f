// An approval wakes the worker of the process that received it: the grant is applied at once, not
// at the next poll. Other replicas (an API-only one received the approval) notice within one poll,
// or at once on PostgreSQL (LISTEN/NOTIFY), shown with a replica in a process of its own.
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, SANDBOX_CONFIG, sandboxApp, sleep } from '../support/workflow';

/**
 * How long until the request's worker picked it up (it left `approved`: `applying` or already
 * `applied`), and then until it is `applied`. The promise under test is the pick-up (the wake-up or
 * the poll); the write itself takes as long as the DC needs, which on a loaded CI machine can be
 * seconds, so it gets a generous bound of its own.
 */
async function pickedUpThenApplied(
  t: TestApp,
  id: string,
  headers: Record<string, string>,
): Promise<{ pickedUpMs: number; appliedMs: number }> {
  const started = Date.now();
  let pickedUpMs: number | undefined;
  while (Date.now() - started < 60_000) {
    const res = await t.http().get(`/api/v1/requests/${id}`).set(headers).expect(200);
    const status: string = res.body.status;
    if (status === 'failed') throw new Error(`request failed: ${JSON.stringify(res.body)}`);
    if (pickedUpMs === undefined && status !== 'approved') pickedUpMs = Date.now() - started;
    if (status === 'applied')
      return { pickedUpMs: pickedUpMs ?? Date.now() - started, appliedMs: Date.now() - started };
    await sleep(20);
  }
  throw new Error(`not applied within 60 s (picked up after ${pickedUpMs ?? 'never'} ms)`);
}

describe.each<TestDatabase>(['sqlite', 'postgres'])('worker wake-up on %s', (database) => {
  let t: TestApp;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    // A poll of a minute: only the wake-up can apply the grant within the test.
    t = await sandboxApp({ database, env: { RBCD_WORKER: 'on', RBCD_JOB_POLL_MS: '60000' } });
    created.push(await createComputer(uniqueName('WK')), await createComputer(uniqueName('WK')));
  });

  afterAll(async () => {
    await t?.close();
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  it('applies an approved grant within a moment although the worker polls once a minute', async () => {
    const who = await actors(t);
    await sleep(300); // the worker's first pass (at boot) is over: it sleeps for its minute now
    const [target, principal] = created;
    const filed = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [target.dn],
        principals: [principal.sid],
        justification: 'wake-up',
        duration: 'PT1H',
      })
      .expect(201);
    await t.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.approver).send({}).expect(200);
    const { pickedUpMs } = await pickedUpThenApplied(t, filed.body.id, who.requester);
    // Woken by the approval: far sooner than the minute's poll.
    expect(pickedUpMs).toBeLessThan(5_000);
  });
});

describe('another replica notices an approval within one poll interval (PostgreSQL)', () => {
  let api: TestApp;
  let worker: TestApp;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    api = await sandboxApp({ database: 'postgres', env: { RBCD_WORKER: 'off' } });
    const url = (api.config.database as { url: string }).url;
    worker = await sandboxApp({ env: { DATABASE_URL: url, RBCD_WORKER: 'on', RBCD_JOB_POLL_MS: '500' } });
    created.push(await createComputer(uniqueName('WR')), await createComputer(uniqueName('WR')));
  });

  afterAll(async () => {
    await Promise.all([api?.close(), worker?.close()]);
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  it('the approval lands on the API-only replica; the worker replica applies it within its poll', async () => {
    const who = await actors(api);
    const [target, principal] = created;
    const filed = await api
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [target.dn],
        principals: [principal.sid],
        justification: 'replica',
        duration: 'PT1H',
      })
      .expect(201);
    await api.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.approver).send({}).expect(200);
    const { pickedUpMs } = await pickedUpThenApplied(api, filed.body.id, who.requester);
    // One poll (500 ms) plus room for a loaded machine: the replica's loop did not wait for anything else.
    expect(pickedUpMs).toBeLessThan(500 + 4_000);
  });
});

describe('another replica, in a process of its own, wakes at once on an approval (PostgreSQL LISTEN/NOTIFY)', () => {
  let api: TestApp;
  let replica: ServiceProcess | undefined;
  const created: CreatedComputer[] = [];

  beforeAll(async () => {
    api = await sandboxApp({ database: 'postgres', env: { RBCD_WORKER: 'off' } });
    const url = (api.config.database as { url: string }).url;
    // A poll of ten minutes: only the notification can make this replica apply within the test.
    replica = await startServiceProcess({
      DATABASE_URL: url,
      RBCD_CONFIG: SANDBOX_CONFIG,
      RBCD_WORKER: 'on',
      RBCD_JOB_POLL_MS: '600000',
      RBCD_RECONCILE_MS: '0',
    });
    created.push(await createComputer(uniqueName('WN')), await createComputer(uniqueName('WN')));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.close(), replica?.stop()]);
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  it('the approval lands on the API-only replica; the other process applies it within seconds, not at its poll', async () => {
    const who = await actors(api);
    await sleep(1_000); // the replica's first pass (at boot) is over: it sleeps for its ten minutes now
    const [target, principal] = created;
    const filed = await api
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: [target.dn],
        principals: [principal.sid],
        justification: 'notify',
        duration: 'PT1H',
      })
      .expect(201);
    await api.http().post(`/api/v1/requests/${filed.body.id}/approve`).set(who.approver).send({}).expect(200);
    const { pickedUpMs } = await pickedUpThenApplied(api, filed.body.id, who.requester);
    // Its poll is ten minutes: only the notification explains a pick-up within seconds.
    expect(pickedUpMs).toBeLessThan(20_000);
  });
});
