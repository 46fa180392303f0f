// The fast workflow tier for grants in time (issue 13): the whole service on in-memory SQLite with
// the strict FakeDirectory and a FakeClock. Time moves by hand; the queue leases a timer only once
// the fake clock reaches it. The same flows run against the sandbox DC with the KDC oracle in
// test/integration/grants-in-time.spec.ts and grant-extensions.spec.ts.
import { FakeClock } from '../../src/common/testing/fake-clock';
import { account, CONTOSO } from '../../src/directory/testing/accounts';
import { FakeDirectory } from '../../src/directory/testing/fake-directory';
import { ExpiryScheduler } from '../../src/grants/expiry.scheduler';
import { decodeSecurityDescriptor, listPrincipals } from '../../src/security-descriptor';
import { createTestApp, type TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs } from '../support/workflow';

const SERVERB = account('SERVERB', 2201);
const SERVERC = account('SERVERC', 2202);
const MINUTE = 60_000;

class TimeDirectory extends FakeDirectory {
  constructor() {
    const objects = [SERVERB, SERVERC];
    super(
      {
        domains: [CONTOSO],
        objects,
        groups: Object.fromEntries(objects.map((a) => [a.sid, [`${CONTOSO.domainSid}-515`]])),
      },
      [
        'domains',
        'resolve',
        'resolveSids',
        'groupSids',
        'readRbcd',
        'updateRbcd',
        'search',
        'status',
        'readSecurityDescriptor',
        'nestedMembers',
        'machineAccountQuota',
      ],
    );
  }

  delegates(): string[] {
    const raw = this.state.objects?.find((o) => o.dn === SERVERC.dn)?.rbcd;
    return raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];
  }
}

describe('workflow tier: grants in time with a fake clock', () => {
  const clock = new FakeClock(new Date('2026-12-01T08:00:00Z'));
  let t: TestApp;
  let who: Actors;
  let directory: TimeDirectory;

  beforeAll(async () => {
    directory = new TimeDirectory();
    t = await createTestApp({
      directory,
      clock,
      env: { DATABASE_URL: 'sqlite::memory:' },
      config: {
        policy: {
          defaults: {
            requiredApprovals: 1,
            maxDuration: 'PT8H',
            requireTicket: false,
            maxLeadTime: 'P7D',
            maxTotalDuration: 'PT12H',
            autoApproveExtensions: 1,
            remindAfter: 'PT1H',
            pendingTimeout: 'PT4H',
          },
          rules: [],
          tier0Groups: [],
          allowUserCreatedComputers: false,
        },
        notifications: { expiringLeads: ['PT1H'] },
      },
    });
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
  const file = async (body: Record<string, unknown>) =>
    (
      await t
        .http()
        .post('/api/v1/requests')
        .set(who.requester)
        .send({ action: 'grant', targets: ['SERVERC'], principals: ['SERVERB$'], justification: 'time', ...body })
        .expect(201)
    ).body.id as string;
  const audit = async (id: string) =>
    (
      (await t.http().get('/api/v1/audit').query({ requestId: id }).set(t.admin).expect(200)).body.items as {
        type: string;
      }[]
    ).map((e) => e.type);

  it('scheduled at 22:00: nothing before, applied at 22:00 for its duration; extended once by itself; expired at the extended expiry', async () => {
    const id = await file({ startsAt: '2026-12-01T22:00:00Z', duration: 'PT4H' });
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(200);
    expect((await get(id)).status).toBe('scheduled');

    clock.set('2026-12-01T21:59:00Z');
    await drainJobs(t);
    expect((await get(id)).status).toBe('scheduled');
    expect(directory.delegates()).toEqual([]);

    clock.set('2026-12-01T22:00:00Z');
    await drainJobs(t);
    expect(await get(id)).toMatchObject({
      status: 'applied',
      appliedAt: '2026-12-01T22:00:00.000Z',
      expiresAt: '2026-12-02T02:00:00.000Z',
    });
    expect(directory.delegates()).toEqual([SERVERB.sid]);

    const extension = (
      await t
        .http()
        .post(`/api/v1/requests/${id}/extend`)
        .set(who.requester)
        .send({ duration: 'PT2H', justification: 'overrun' })
        .expect(201)
    ).body;
    expect(extension).toMatchObject({ status: 'approved', expiresAt: '2026-12-02T04:00:00.000Z' });
    await drainJobs(t);
    expect((await get(id)).expiresAt).toBe('2026-12-02T04:00:00.000Z');

    clock.set('2026-12-02T02:30:00Z'); // past the original expiry
    expect(await t.app.get(ExpiryScheduler).enqueueDue()).toBe(0);
    await drainJobs(t);
    expect(directory.delegates()).toEqual([SERVERB.sid]);

    clock.set('2026-12-02T04:00:01Z');
    expect(await t.app.get(ExpiryScheduler).enqueueDue()).toBe(1);
    await drainJobs(t);
    expect((await get(id)).status).toBe('expired');
    expect((await get(extension.id)).status).toBe('expired');
    expect(directory.delegates()).toEqual([]);
    expect(await audit(id)).toEqual(
      expect.arrayContaining([
        'request.scheduled',
        'request.applying',
        'request.applied',
        'request.extended',
        'request.expired',
      ]),
    );
  });

  it('a pending request is reminded after an hour and times out after four', async () => {
    clock.set('2026-12-03T08:00:00Z');
    const id = await file({});
    clock.set('2026-12-03T08:59:59Z');
    await drainJobs(t);
    expect(await audit(id)).not.toContain('request.reminded');
    clock.set('2026-12-03T09:00:00Z');
    await drainJobs(t);
    expect(await audit(id)).toContain('request.reminded');
    clock.advance(3 * 60 * MINUTE - 1000);
    await drainJobs(t);
    expect((await get(id)).status).toBe('pending');
    clock.advance(1000);
    await drainJobs(t);
    expect(await get(id)).toMatchObject({ status: 'timedOut' });
    await t.http().post(`/api/v1/requests/${id}/approve`).set(who.approver).send({}).expect(409);
  });
});
