// An approval wakes the worker of the process that received it: the grant is applied at once, not
// at the next poll. Other replicas (an API-only one received the approval) notice within one poll.
import { createComputer, type CreatedComputer, deleteObject, uniqueName } from '../support/sandbox';
import type { TestApp, TestDatabase } from '../support/test-app';
import { actors, sandboxApp, sleep } from '../support/workflow';

async function appliedWithin(t: TestApp, id: string, headers: Record<string, string>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const res = await t.http().get(`/api/v1/requests/${id}`).set(headers).expect(200);
    if (res.body.status === 'applied') return Date.now() - started;
    if (res.body.status === 'failed') throw new Error(`request failed: ${JSON.stringify(res.body)}`);
    await sleep(20);
  }
  throw new Error(`not applied within ${ms} ms`);
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
    expect(await appliedWithin(t, filed.body.id, who.requester, 5_000)).toBeLessThan(5_000);
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
    expect(await appliedWithin(api, filed.body.id, who.requester, 500 + 4_000)).toBeLessThan(4_500);
  });
});
