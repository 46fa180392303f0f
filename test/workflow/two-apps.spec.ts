// Two whole services in one Jest process, each with its own SQLite file. Each authenticates with its
// own passport instance (AppPassport): passport's process-wide strategy registry once made the last app built answer every
// app's credentials, so closing it broke the others ("The database connection is not open").
import { createTestApp, type TestApp } from '../support/test-app';
import { StrictFakeDirectory } from '../support/strict-fake-directory';
import { actors, drainJobs, issueKey } from '../support/workflow';

describe('two apps in one process', () => {
  let first: TestApp;

  beforeAll(async () => {
    first = await createTestApp({ directory: new StrictFakeDirectory() });
  });

  afterAll(async () => {
    await first?.close();
  });

  it('each app checks keys against its own database; closing the second leaves the first working', async () => {
    const second = await createTestApp({ directory: new StrictFakeDirectory() });
    const who = await actors(first);
    const secondOnly = await issueKey(second, 'second-only', ['auditor']);
    // Each key works where it was issued, and only there.
    await first.http().get('/api/v1/audit').set(who.requester).expect(403);
    await second.http().get('/api/v1/audit').set(secondOnly).expect(200);
    const foreign = await first.http().get('/api/v1/audit').set(secondOnly).expect(401);
    expect(foreign.body.error.code).toBe('UNAUTHENTICATED');

    await second.close();
    const filed = await first
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({
        action: 'grant',
        targets: ['SERVERC'],
        principals: ['SERVERB$'],
        justification: 'after the other closed',
      })
      .expect(201);
    await first
      .http()
      .post(`/api/v1/requests/${filed.body.id}/reject`)
      .set(who.approver)
      .send({ comment: 'no' })
      .expect(200);
    await drainJobs(first);
    expect(
      (await first.http().get(`/api/v1/requests/${filed.body.id}`).set(who.requester).expect(200)).body.status,
    ).toBe('rejected');
    const verify = await first.http().get('/api/v1/audit/verify').set(first.admin).expect(200);
    expect(verify.body.ok).toBe(true);
  });
});
