// A client polls a request with If-None-Match: 304 with no body while nothing changed, the view once it moves
// (an approval, the worker's writes). The stamp behind the tag (the row's version and the approvals
// count, read in one statement) on SQLite and PostgreSQL alike; the strict FakeDirectory stands in
// for the DC (the sandbox DC runs the same polls in bench:bulk-grant).
import { account, CONTOSO } from '../../src/directory/testing/accounts';
import { FakeDirectory } from '../../src/directory/testing/fake-directory';
import { createTestApp, type TestApp, type TestDatabase } from '../support/test-app';
import { actors, type Actors, drainJobs } from '../support/workflow';

const SERVERB = account('SERVERB', 2101);
const SERVERD = account('SERVERD', 2103);

describe.each<TestDatabase>(['sqlite', 'postgres'])('request entity tags on %s', (database) => {
  let t: TestApp;
  let who: Actors;

  beforeAll(async () => {
    const objects = [SERVERB, SERVERD];
    const directory = new FakeDirectory(
      {
        domains: [CONTOSO],
        objects,
        groups: Object.fromEntries(objects.map((a) => [a.sid, [`${CONTOSO.domainSid}-515`]])),
      },
      ['domains', 'resolve', 'resolveSids', 'groupSids', 'readRbcd', 'updateRbcd', 'search', 'status'],
    );
    t = await createTestApp({ directory, database });
    who = await actors(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 304 while the request is unchanged and the view once an approval or the apply moves it', async () => {
    const created = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', justification: 'test', targets: ['SERVERD'], principals: ['SERVERB$'] })
      .expect(201);
    const path = `/api/v1/requests/${created.body.id}`;
    const pending = (await t.http().get(path).set(who.requester).expect(200)).headers.etag as string;
    const unchanged = await t.http().get(path).set(who.requester).set('If-None-Match', pending).expect(304);
    expect(unchanged.text ?? '').toBe('');
    expect(unchanged.headers.etag).toBe(pending);

    await t.http().post(`${path}/approve`).set(who.approver).send({}).expect(200);
    const approved = await t.http().get(path).set(who.requester).set('If-None-Match', pending).expect(200);
    expect(approved.body.status).toBe('approved');
    await t.http().get(path).set(who.requester).set('If-None-Match', approved.headers.etag).expect(304);

    await drainJobs(t);
    const applied = await t
      .http()
      .get(path)
      .set(who.requester)
      .set('If-None-Match', `W/"0.0", ${approved.headers.etag as string}`)
      .expect(200);
    expect(applied.body.status).toBe('applied');
    expect(new Set([pending, approved.headers.etag, applied.headers.etag]).size).toBe(3);
    await t.http().get(path).set(who.requester).set('If-None-Match', applied.headers.etag).expect(304);
  });

  it('answers 404 for a request that does not exist, whatever the tag', async () => {
    await t
      .http()
      .get('/api/v1/requests/00000000-0000-4000-8000-000000000000')
      .set(who.requester)
      .set('If-None-Match', '*')
      .expect(404);
  });
});
