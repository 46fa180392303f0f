// The fast workflow tier (npm run test:unit): the whole service on in-memory SQLite with the strict
// FakeDirectory. Requests, approval, the queue and the runner, the grant applier (apply, revoke,
// rollback), the reconciler, the audit chain and policy, in seconds. The same flows run against the
// sandbox DC with the KDC oracle in test/integration; this tier is for fast feedback, not the proof.
import { DomainError } from '../../src/common/errors/domain-error';
import type { DirectoryObject, RbcdMutation } from '../../src/directory/directory.types';
import { account, CONTOSO, rbcdValue } from '../../src/directory/testing/accounts';
import { FakeDirectory } from '../../src/directory/testing/fake-directory';
import { WriterBaselineRepository } from '../../src/policy/writer-baseline.repository';
import {
  AD_SCHEMA,
  ADS_RIGHT_DS_WRITE_PROP,
  decodeSecurityDescriptor,
  listPrincipals,
} from '../../src/security-descriptor';
import { createTestApp, type TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, grantApproved, sleep } from '../support/workflow';

const SERVERB = account('SERVERB', 2101);
const SERVERC = account('SERVERC', 2102);
const SERVERD = account('SERVERD', 2103);

/** The strict fake, writes allowed; a target's writes can be made to fail (refused or unreachable). */
class WorkflowDirectory extends FakeDirectory {
  readonly failWrites = new Map<string, Error>();

  constructor(more: DirectoryObject[] = []) {
    const objects = [SERVERB, SERVERC, SERVERD, ...more];
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

  override async updateRbcd(object: Pick<DirectoryObject, 'dn' | 'domain'>, mutate: RbcdMutation) {
    const failure = this.failWrites.get(object.dn);
    if (failure) throw failure;
    return super.updateRbcd(object, mutate);
  }

  /** The SIDs the target's RBCD value lets delegate. */
  delegatesTo(target: DirectoryObject): string[] {
    const raw = this.state.objects?.find((o) => o.dn === target.dn)?.rbcd;
    return raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];
  }
}

interface AuditItem {
  seq: number;
  type: string;
  target?: string;
  data: Record<string, unknown>;
}

/** A request's audit events, in chain order. */
async function auditInOrder(t: TestApp, id: string): Promise<AuditItem[]> {
  const res = await t.http().get('/api/v1/audit').query({ requestId: id, limit: 1000 }).set(t.admin).expect(200);
  return (res.body.items as AuditItem[]).sort((a, b) => a.seq - b.seq);
}

/** The index of the last directory.write event on one of these targets (DNs). */
function lastWriteOn(audit: AuditItem[], dns: Set<string>): number {
  const writes = audit.flatMap((e, k) => (e.type === 'directory.write' && dns.has(e.target ?? '') ? [k] : []));
  return writes[writes.length - 1];
}

describe('workflow tier: requests, queue, grants, rollback, reconcile, audit (SQLite in memory, FakeDirectory)', () => {
  let t: TestApp;
  let who: Actors;
  let directory: WorkflowDirectory;

  beforeAll(async () => {
    directory = new WorkflowDirectory();
    t = await createTestApp({ directory, env: { DATABASE_URL: 'sqlite::memory:' } });
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = async (id: string) => (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
  const auditTypes = async (id: string) =>
    (await t.http().get('/api/v1/audit').query({ requestId: id }).set(t.admin).expect(200)).body.items.map(
      (e: { type: string; data: Record<string, unknown> }) => e,
    ) as { type: string; data: Record<string, unknown> }[];

  it('grant → approve → apply writes the ACE; revoke removes it; the audit chain verifies', async () => {
    const id = await grantApproved(t, who, { targets: ['SERVERC'], principals: ['SERVERB$'] });
    expect((await get(id)).status).toBe('approved');
    expect(directory.delegatesTo(SERVERC)).toEqual([]);
    await drainJobs(t);
    expect((await get(id)).status).toBe('applied');
    expect(directory.delegatesTo(SERVERC)).toEqual([SERVERB.sid]);

    await t.http().post(`/api/v1/requests/${id}/revoke`).set(who.requester).send({}).expect(200);
    await drainJobs(t);
    expect((await get(id)).status).toBe('revoked');
    expect(directory.delegatesTo(SERVERC)).toEqual([]);

    const verify = await t.http().get('/api/v1/audit/verify').set(t.admin).expect(200);
    expect(verify.body.ok).toBe(true);
  });

  // GET /requests/{id} with If-None-Match (304 while unchanged): test/integration/request-etag.spec.ts, on both databases.

  it('a grant that fails on one target takes the others back; a DC out of reach during the rollback leaves a job that finishes it', async () => {
    directory.failWrites.set(SERVERD.dn, new DomainError('DIRECTORY_ACCESS_DENIED', 'refused'));
    const id = await grantApproved(t, who, { targets: ['SERVERC', 'SERVERD'], principals: ['SERVERB$'] });
    // SERVERC is written, SERVERD refused; then the DC stops answering before the rollback runs.
    const original = directory.updateRbcd.bind(directory);
    let writes = 0;
    directory.updateRbcd = async (object, mutate) => {
      if (object.dn === SERVERC.dn && ++writes > 1) throw new DomainError('DIRECTORY_UNAVAILABLE', 'DC down');
      return original(object, mutate);
    };
    await drainJobs(t);
    expect((await get(id)).status).toBe('failed');
    expect(directory.delegatesTo(SERVERC)).toEqual([SERVERB.sid]); // not taken back yet
    const failed = (await auditTypes(id)).find((e) => e.type === 'request.failed');
    expect(failed?.data).toMatchObject({ rollbackPending: true });
    expect(failed?.data.rolledBack).toBeUndefined();

    // The DC answers again: the rollback job, retried, removes the ACE; the audit says so.
    directory.updateRbcd = original;
    directory.failWrites.clear();
    for (let i = 0; i < 50 && directory.delegatesTo(SERVERC).length > 0; i++) {
      await sleep(100);
      await drainJobs(t);
    }
    expect(directory.delegatesTo(SERVERC)).toEqual([]);
    expect((await get(id)).status).toBe('failed');
    expect((await auditTypes(id)).map((e) => e.type)).toContain('request.rolled-back');
  });

  it('an unknown principal is refused, next to a positive control', async () => {
    const ok = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', justification: 'control', targets: ['SERVERD'], principals: ['SERVERB$'] })
      .expect(201);
    expect(ok.body.status).toBe('pending');
    const unknown = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'grant', justification: 'x', targets: ['SERVERD'], principals: ['NOBODY$'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PRINCIPAL_NOT_FOUND');
  });

  it('the reconciler reports an ACE removed behind the service', async () => {
    const id = await grantApproved(t, who, { targets: ['SERVERD'], principals: ['SERVERB$'] });
    await drainJobs(t);
    expect((await get(id)).status).toBe('applied');
    const stored = directory.state.objects!.find((o) => o.dn === SERVERD.dn)!;
    stored.rbcd = undefined; // someone cleared the attribute in AD
    const report = await t.http().post('/api/v1/reconcile').set(t.admin).send({}).expect(200);
    const findings = report.body.findings as { target: { sid: string }; kind: string; sid?: string }[];
    expect(findings).toContainEqual(
      expect.objectContaining({ target: expect.objectContaining({ sid: SERVERD.sid }), sid: SERVERB.sid }),
    );
    expect(findings.filter((f) => f.target.sid === SERVERC.sid)).toEqual([]); // positive control: untouched
  });
});

describe('workflow tier: a grant over many targets, written in batches (the first smaller, two lanes)', () => {
  // 120 targets: batches of 25, 50 and 45 (GrantWriter); the first and the third are one lane, the
  // second the other. Every target is written once, whatever batch it is in.
  const MANY = Array.from({ length: 120 }, (_, i) => account(`BATCH${String(i).padStart(3, '0')}`, 3000 + i));
  let t: TestApp;
  let who: Actors;
  let directory: WorkflowDirectory;
  const writesPerTarget = new Map<string, number>();

  beforeAll(async () => {
    directory = new WorkflowDirectory(MANY);
    const original = directory.updateRbcd.bind(directory);
    directory.updateRbcd = async (object, mutate) => {
      writesPerTarget.set(object.dn, (writesPerTarget.get(object.dn) ?? 0) + 1);
      return original(object, mutate);
    };
    t = await createTestApp({ directory, env: { DATABASE_URL: 'sqlite::memory:' } });
    who = await actors(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const events = (id: string) => auditInOrder(t, id);

  /** Intents with neither a directory.write nor a directory.write-failed event: none may be left. */
  const dangling = (audit: AuditItem[]) => {
    const closed = new Set(
      audit
        .filter((e) => e.type === 'directory.write' || e.type === 'directory.write-failed')
        .map((e) => e.data.intentId),
    );
    return audit.filter((e) => e.type === 'directory.intent' && !closed.has(e.data.intentId));
  };

  it('applied: every target written exactly once, with one intent and one directory.write event each', async () => {
    writesPerTarget.clear();
    const id = await grantApproved(t, who, { targets: MANY.map((a) => a.samAccountName), principals: ['SERVERB$'] });
    await drainJobs(t);
    const request = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
    expect(request.status).toBe('applied');
    expect(request.result.targets.map((r: { status: string }) => r.status)).toEqual(MANY.map(() => 'applied'));
    expect(MANY.filter((a) => directory.delegatesTo(a).join() !== SERVERB.sid)).toEqual([]);
    expect([...writesPerTarget.values()]).toEqual(MANY.map(() => 1));
    const audit = await events(id);
    for (const type of ['directory.intent', 'directory.write'])
      expect(new Set(audit.filter((e) => e.type === type).map((e) => e.target)).size).toBe(MANY.length);
    expect(dangling(audit)).toEqual([]);
  });

  it("a batch's outcomes and the intents of its lane's next batch commit together, one after the other in the chain", async () => {
    const id = await grantApproved(t, who, { targets: MANY.map((a) => a.samAccountName), principals: ['SERVERD$'] });
    await drainJobs(t);
    const audit = await events(id);
    const dnsOf = (from: number, to: number) => new Set(MANY.slice(from, to).map((a) => a.dn));
    // The first batch's last directory.write event, then at once the third batch's 45 intents.
    const lastWriteOfFirst = lastWriteOn(audit, dnsOf(0, 25));
    const next = audit.slice(lastWriteOfFirst + 1, lastWriteOfFirst + 46);
    expect(next.map((e) => e.type)).toEqual(Array(45).fill('directory.intent'));
    expect(new Set(next.map((e) => e.target))).toEqual(dnsOf(75, 120));
    // Positive control: the first two batches' intents were committed on their own, before any write.
    const firstWrite = audit.findIndex((e) => e.type === 'directory.write');
    expect(audit.slice(0, firstWrite).filter((e) => e.type === 'directory.intent')).toHaveLength(75);
    expect(dangling(audit)).toEqual([]);
  });

  it('a target refused in the last batch fails the request, and every ACE the earlier batches wrote is taken back', async () => {
    writesPerTarget.clear();
    const refused = MANY[100]; // in the third batch: the first two have been written by then
    directory.failWrites.set(refused.dn, new DomainError('DIRECTORY_ACCESS_DENIED', 'refused'));
    try {
      // Another principal (SERVERC$): the first test's SERVERB$ grants stay as they are.
      const id = await grantApproved(t, who, { targets: MANY.map((a) => a.samAccountName), principals: ['SERVERC$'] });
      const holdsServerC = (a: DirectoryObject) => directory.delegatesTo(a).includes(SERVERC.sid);
      for (let i = 0; i < 50; i++) {
        await drainJobs(t);
        if (!MANY.some(holdsServerC)) break;
        await sleep(50);
      }
      const request = (await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body;
      expect(request.status).toBe('failed');
      expect(writesPerTarget.get(MANY[0].dn)).toBe(2); // positive control: written, then taken back
      expect(MANY.filter(holdsServerC)).toEqual([]);
      // Untouched: the earlier tests' grants (SERVERB$, SERVERD$) stay as they are.
      const earlier = [SERVERB.sid, SERVERD.sid].sort().join();
      expect(MANY.filter((a) => [...directory.delegatesTo(a)].sort().join() !== earlier)).toEqual([]);
      const audit = await events(id);
      expect(audit.map((e) => e.type)).toContain('request.rolled-back');
      expect(dangling(audit)).toEqual([]); // every intent announced was written, refused or taken back
    } finally {
      directory.failWrites.clear();
    }
  });
});

describe('workflow tier: RBCD_WRITE_BATCH sets the batches', () => {
  // 10 targets with RBCD_WRITE_BATCH=4: batches of 2, 4 and 4; the first and the third are one lane.
  // The descriptors of all but SMALLB02-05 let alice write the RBCD attribute (a writer outside
  // Tier 0); those four cannot be read (the service account lacks the right, say).
  const ALICE = account('alice', 4100, { user: true });
  const aliceWrites = rbcdValue({
    sid: ALICE.sid,
    type: 'allowObject',
    mask: ADS_RIGHT_DS_WRITE_PROP,
    objectType: AD_SCHEMA.rbcdAttribute,
  });
  const unreadable = (i: number) => i >= 2 && i < 6;
  const TEN = Array.from({ length: 10 }, (_, i) =>
    account(`SMALLB${String(i).padStart(2, '0')}`, 4000 + i, {
      securityDescriptor: unreadable(i) ? null : aliceWrites,
    }),
  );
  let t: TestApp;
  let who: Actors;
  let directory: WorkflowDirectory;

  beforeAll(async () => {
    directory = new WorkflowDirectory([...TEN, ALICE]);
    t = await createTestApp({ directory, env: { DATABASE_URL: 'sqlite::memory:', RBCD_WRITE_BATCH: '4' } });
    who = await actors(t);
  });

  const revoke = async (id: string) => {
    await t.http().post(`/api/v1/requests/${id}/revoke`).set(who.requester).send({}).expect(200);
    await drainJobs(t);
  };

  afterAll(async () => {
    await t?.close();
  });

  it('the first batch (2 targets) commits with the third batch (4) announced; the first two batches announced before any write', async () => {
    const id = await grantApproved(t, who, { targets: TEN.map((a) => a.samAccountName), principals: ['SERVERB$'] });
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('applied');
    const audit = await auditInOrder(t, id);
    const firstWrite = audit.findIndex((e) => e.type === 'directory.write');
    expect(audit.slice(0, firstWrite).filter((e) => e.type === 'directory.intent')).toHaveLength(6);
    const lastWriteOfFirst = lastWriteOn(audit, new Set(TEN.slice(0, 2).map((a) => a.dn)));
    const next = audit.slice(lastWriteOfFirst + 1, lastWriteOfFirst + 5);
    expect(next.map((e) => e.type)).toEqual(Array(4).fill('directory.intent'));
    expect(new Set(next.map((e) => e.target))).toEqual(new Set(TEN.slice(6).map((a) => a.dn)));
    expect(audit.filter((e) => e.type === 'directory.write')).toHaveLength(10);
    await revoke(id);
  });

  it('the writers are recorded as the baseline at apply; a descriptor that cannot be read fails no grant', async () => {
    const id = await grantApproved(t, who, { targets: TEN.map((a) => a.samAccountName), principals: ['SERVERB$'] });
    await drainJobs(t);
    expect((await t.http().get(`/api/v1/requests/${id}`).set(who.requester).expect(200)).body.status).toBe('applied');
    expect(TEN.map((a) => directory.delegatesTo(a))).toEqual(TEN.map(() => [SERVERB.sid]));
    const recorded = await t.app.get(WriterBaselineRepository).forTargets(TEN.map((a) => a.sid));
    const writersOf = (i: number) => recorded.get(TEN[i].sid.toUpperCase())?.map((w) => w.sid);
    // Positive control: the first and the third batch's readable descriptors give the baseline.
    expect([0, 1, 6, 7, 8, 9].map(writersOf)).toEqual(Array(6).fill([ALICE.sid]));
    // No baseline where the descriptor was not read: the reconciler records one on its first run.
    expect([2, 3, 4, 5].map(writersOf)).toEqual(Array(4).fill(undefined));
    await revoke(id);
  });
});
