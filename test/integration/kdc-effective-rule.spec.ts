// Issue 11 §4: "effective" means what the KDC honours, proven with values written by hand. Only an
// ACCESS_ALLOWED ACE (type 0) with 0x100 counts, unless a deny covering 0x100 decided first; object
// ACEs (type 5) are ignored. Reads, delegations?principal= and diagnose say what the KDC does, and a
// revoke-action request removes every allow ACE naming the principal (the KDC refuses afterwards).
import {
  type Ace,
  createRbcdDescriptor,
  decodeSecurityDescriptor,
  encodeSecurityDescriptor,
} from '../../src/security-descriptor';
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createComputer,
  type CreatedComputer,
  deleteObject,
  readRbcdRaw,
  uniqueName,
  writeRbcdRaw,
} from '../support/sandbox';
import type { TestApp } from '../support/test-app';
import { actors, type Actors, drainJobs, sandboxApp } from '../support/workflow';

const RBCD_ATTRIBUTE_GUID = '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79';

function valueOf(...aces: Ace[]): Buffer {
  const sd = createRbcdDescriptor([]);
  return encodeSecurityDescriptor({ ...sd, dacl: { ...sd.dacl!, aces } });
}
const allow = (sid: string, mask = 0xf01ff): Ace => ({
  kind: 'access',
  type: 0,
  flags: 0,
  mask,
  sid,
  trailing: new Uint8Array(0),
});
const deny = (sid: string, mask = 0x100): Ace => ({
  kind: 'access',
  type: 1,
  flags: 0,
  mask,
  sid,
  trailing: new Uint8Array(0),
});
const objectAllow = (sid: string, objectType?: string): Ace => ({
  kind: 'object',
  type: 5,
  flags: 0,
  mask: 0xf01ff,
  objectFlags: objectType ? 1 : 0,
  ...(objectType ? { objectType } : {}),
  sid,
  trailing: new Uint8Array(0),
});

describe('the effective-ACE rule follows the KDC (hand-written values)', () => {
  let t: TestApp;
  let who: Actors;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;

  beforeAll(async () => {
    t = await sandboxApp();
    who = await actors(t);
    frontEnd = await createComputer(uniqueName('KF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const name = uniqueName('KB');
    spn = `cifs/${name.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(name, { spns: [spn] });
  });

  afterAll(async () => {
    await t?.close();
    for (const c of [backEnd, frontEnd]) if (c) await deleteObject(c.dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const kdc = async () => (await canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn })).allowed;
  const read = async () =>
    (
      await t
        .http()
        .get(`/api/v1/delegations/${encodeURIComponent(backEnd.dn)}`)
        .set(t.admin)
        .expect(200)
    ).body;
  const diagnose = async () =>
    (
      await t
        .http()
        .post('/api/v1/diagnose')
        .set(t.admin)
        .send({ user: 'alice', frontEnd: frontEnd.samAccountName, backEnd: backEnd.dn, spn })
        .expect(200)
    ).body as {
      ok: boolean;
      checks: { id: string; status: string; message: string }[];
    };
  const listedFor = async () => {
    const body = (await t.http().get('/api/v1/delegations').query({ principal: frontEnd.sid }).set(t.admin).expect(200))
      .body as { targets: { dn: string }[]; ignored: { dn: string; warnings: { code: string }[] }[] };
    const listed = body.targets.some((x) => x.dn === backEnd.dn);
    // Named but refused by the KDC: listed apart, with the reason.
    expect(body.ignored.some((x) => x.dn === backEnd.dn && x.warnings.length > 0)).toBe(!listed);
    return listed;
  };

  it.each([
    ['a type 0 allow with 0xf01ff', true, [], () => valueOf(allow(frontEnd.sid))],
    ['a type 5 allow without ObjectType', false, ['OBJECT_ACE'], () => valueOf(objectAllow(frontEnd.sid))],
    [
      'a type 5 allow with an ObjectType',
      false,
      ['OBJECT_ACE'],
      () => valueOf(objectAllow(frontEnd.sid, RBCD_ATTRIBUTE_GUID)),
    ],
    [
      'a deny 0x100 before the allow',
      false,
      ['DENY_ACE', 'DENIED_EARLIER'],
      () => valueOf(deny(frontEnd.sid), allow(frontEnd.sid)),
    ],
    ['a deny 0x100 after the allow', true, ['DENY_ACE'], () => valueOf(allow(frontEnd.sid), deny(frontEnd.sid))],
  ] as const)(
    '%s: issued=%s by the KDC, and the read, delegations?principal= and diagnose agree',
    async (_name, issued, warnings, bytes) => {
      await writeRbcdRaw(backEnd.dn, bytes());
      expect(await kdc()).toBe(issued);
      const view = await read();
      const allows = view.principals.filter((p: { aceType: string }) => p.aceType !== 'deny');
      expect(allows.map((p: { effective: boolean }) => p.effective)).toEqual([issued]);
      // RBCD_SELF_WRITABLE (the default SELF write right, issue 10) is on every target: not this test's subject.
      expect(
        view.warnings.map((w: { code: string }) => w.code).filter((c: string) => c !== 'RBCD_SELF_WRITABLE'),
      ).toEqual(warnings);
      expect(await listedFor()).toBe(issued);
      const body = await diagnose();
      expect(body.ok).toBe(issued);
      expect(body.checks.find((c) => c.id === 'RBCD_ACE')?.status).toBe(issued ? 'pass' : 'fail');
    },
  );

  it('names the reason: the object ACE is ignored by the KDC; the deny decides first', async () => {
    await writeRbcdRaw(backEnd.dn, valueOf(objectAllow(frontEnd.sid)));
    expect((await diagnose()).checks.find((c) => c.id === 'RBCD_ACE')?.message).toMatch(
      /object ACE of type 5.*the KDC ignores object ACEs/,
    );
    await writeRbcdRaw(backEnd.dn, valueOf(deny(frontEnd.sid), allow(frontEnd.sid)));
    expect((await diagnose()).checks.find((c) => c.id === 'RBCD_ACE')?.message).toMatch(
      /deny ACE \(ACE 1 of 2\).*decides before any allow/,
    );
  });

  it('a revoke-action request removes every allow ACE naming the principal (type 0, GENERIC_ALL, type 5); the KDC refuses', async () => {
    const other = allow('S-1-5-21-1-2-3-4242');
    await writeRbcdRaw(
      backEnd.dn,
      valueOf(objectAllow(frontEnd.sid), allow(frontEnd.sid, 0x10000000), other, allow(frontEnd.sid)),
    );
    expect(await kdc()).toBe(true);
    const revoke = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'revoke', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'leaver' })
      .expect(201);
    await t.http().post(`/api/v1/requests/${revoke.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const done = await t.http().get(`/api/v1/requests/${revoke.body.id}`).set(who.requester).expect(200);
    expect(done.body.status).toBe('applied');
    const after = decodeSecurityDescriptor((await readRbcdRaw(backEnd.dn)) as Buffer);
    expect(after.dacl!.aces).toEqual([other]);
    expect(await kdc()).toBe(false);
  });

  it('a revoke keeps a deny ACE for the principal (removing it could let a group of it through)', async () => {
    await writeRbcdRaw(backEnd.dn, valueOf(deny(frontEnd.sid), allow(frontEnd.sid)));
    const revoke = await t
      .http()
      .post('/api/v1/requests')
      .set(who.requester)
      .send({ action: 'revoke', targets: [backEnd.dn], principals: [frontEnd.sid], justification: 'leaver' })
      .expect(201);
    await t.http().post(`/api/v1/requests/${revoke.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    expect(decodeSecurityDescriptor((await readRbcdRaw(backEnd.dn)) as Buffer).dacl!.aces).toEqual([
      deny(frontEnd.sid),
    ]);
    expect(await kdc()).toBe(false);
  });
});
