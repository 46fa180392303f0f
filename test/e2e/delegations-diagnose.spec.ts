// POST /api/v1/diagnose against the sandbox, checked against the real KDC (test/support/kerberos.ts):
// what the diagnosis says about a double hop is what the KDC does, except where Samba's KDC is known
// to be more permissive than Windows (Protected Users), where the diagnosis must still say fail.
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createGroup,
  createComputer,
  CreatedComputer,
  deleteObject,
  referenceRbcdDescriptor,
  REPO_ROOT,
  uniqueName,
  withAceMask,
  writeRbcdRaw,
} from '../support/sandbox';
import { createTestApp, TestApp } from '../support/test-app';

interface Check {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
}

describe('POST /diagnose, checked against the KDC', () => {
  let t: TestApp;
  let frontEnd: CreatedComputer;
  let backEnd: CreatedComputer;
  let spn: string;
  let group: { dn: string; sid: string; name: string };

  const diagnose = async (user: string, extra: Record<string, string> = {}) => {
    const res = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .send({ user, frontEnd: frontEnd.samAccountName, backEnd: backEnd.dnsHostName, spn, ...extra })
      .expect(200);
    return res.body as { ok: boolean; checks: Check[] };
  };
  const check = (body: { checks: Check[] }, id: string) => body.checks.find((c) => c.id === id) as Check;
  const failed = (body: { checks: Check[] }) => body.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const kdc = (user: string) => canDelegate({ frontEnd: frontEnd.samAccountName, user, spn });

  beforeAll(async () => {
    t = await createTestApp({ env: { RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml` } });
    frontEnd = await createComputer(uniqueName('DF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    const backName = uniqueName('DB');
    spn = `cifs/${backName.toLowerCase()}.contoso.test`;
    backEnd = await createComputer(backName, { spns: [spn] });
    const name = uniqueName('DG');
    group = { dn: `CN=${name},OU=Servers,DC=contoso,DC=test`, name, sid: '' };
    group.sid = await createGroup(group.dn, name, [frontEnd.dn]);
  });

  afterAll(async () => {
    await t?.close();
    for (const dn of [backEnd?.dn, group?.dn, frontEnd?.dn]) if (dn) await deleteObject(dn);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  it('without an ACE: fails on RBCD_ACE, and the KDC refuses', async () => {
    await writeRbcdRaw(backEnd.dn, null);
    const body = await diagnose('alice');
    expect(body.ok).toBe(false);
    expect(failed(body)).toEqual(['RBCD_ACE']);
    expect(check(body, 'RBCD_ACE').message).toContain(frontEnd.samAccountName);
    expect((await kdc('alice')).allowed).toBe(false);
  });

  it('with the ACE: every check passes or warns, and the KDC issues the ticket', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([frontEnd.sid]));
    const body = await diagnose('alice');
    expect(failed(body)).toEqual([]);
    expect(body.ok).toBe(true);
    expect(check(body, 'RBCD_ACE')).toMatchObject({ status: 'pass', message: expect.stringContaining('directly') });
    expect(check(body, 'BACKEND_SPN').status).toBe('pass');
    expect(check(body, 'NEGATIVE_CACHE')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('klist purge -li 0x3e7'),
    });
    expect(check(body, 'WINRM_CAVEAT').status).toBe('warn');
    expect((await kdc('alice')).allowed).toBe(true);
  });

  it('carol is NOT_DELEGATED: fails on USER_DELEGABLE, and the KDC refuses', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([frontEnd.sid]));
    const body = await diagnose('carol@contoso.test');
    expect(body.ok).toBe(false);
    expect(failed(body)).toEqual(['USER_DELEGABLE']);
    expect((await kdc('carol')).allowed).toBe(false);
  });

  it("bob is in Protected Users: the diagnosis fails although Samba's KDC lets it through", async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([frontEnd.sid]));
    const body = await diagnose('CONTOSO\\bob');
    expect(body.ok).toBe(false);
    expect(failed(body)).toEqual(['USER_NOT_PROTECTED_USERS']);
    expect(check(body, 'USER_NOT_PROTECTED_USERS').message).toMatch(/Protected Users/);
    // Windows KDCs refuse; Samba's does not enforce Protected Users: the KDC cannot be the judge here.
    expect((await kdc('bob')).allowed).toBe(true);
  });

  it('a GENERIC_ALL mask: fails with the reason, and the KDC refuses', async () => {
    await writeRbcdRaw(backEnd.dn, withAceMask(referenceRbcdDescriptor([frontEnd.sid]), frontEnd.sid, 0x10000000));
    const body = await diagnose('alice');
    expect(failed(body)).toEqual(['RBCD_ACE']);
    expect(check(body, 'RBCD_ACE').message).toMatch(/0x10000000.*0xf01ff/);
    expect((await kdc('alice')).allowed).toBe(false);
  });

  it('an ACE for a group of the front-end: passes through the group, and the KDC agrees', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([group.sid]));
    const body = await diagnose('alice');
    expect(body.ok).toBe(true);
    expect(check(body, 'RBCD_ACE')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`group ${group.name}`),
    });
    expect((await kdc('alice')).allowed).toBe(true);
  });

  it('an ACE for Everyone: passes (every token holds S-1-1-0), and the KDC agrees', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor(['S-1-1-0']));
    const body = await diagnose('alice');
    expect(check(body, 'RBCD_ACE')).toMatchObject({ status: 'pass', message: expect.stringContaining('Everyone') });
    expect((await kdc('alice')).allowed).toBe(true);
  });

  it.each([
    ['S-1-5-32-545', 'BUILTIN\\Users'],
    ['S-1-5-32-554', 'BUILTIN\\Pre-Windows 2000 Compatible Access'],
  ])('an ACE for the BUILTIN alias %s: passes through the alias, and the KDC agrees', async (sid, name) => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([sid]));
    const body = await diagnose('alice');
    expect(check(body, 'RBCD_ACE')).toMatchObject({ status: 'pass', message: expect.stringContaining(name) });
    expect((await kdc('alice')).allowed).toBe(true);
    const where = await t
      .http()
      .get('/api/v1/delegations')
      .query({ principal: frontEnd.samAccountName })
      .set(t.admin)
      .expect(200);
    expect(where.body.targets).toEqual(
      expect.arrayContaining([expect.objectContaining({ dn: backEnd.dn, via: [`group ${name}`] })]),
    );
  });

  it('an ACE for This Organization (S-1-5-15), which is not in the token: fails, and the KDC refuses', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor(['S-1-5-15']));
    const body = await diagnose('alice');
    expect(failed(body)).toEqual(['RBCD_ACE']);
    expect((await kdc('alice')).allowed).toBe(false);
  });

  it('an ACE for another account only: fails, and the KDC refuses', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([backEnd.sid]));
    const body = await diagnose('alice');
    expect(failed(body)).toEqual(['RBCD_ACE']);
    expect((await kdc('alice')).allowed).toBe(false);
  });

  it('an SPN the back-end does not have: BACKEND_SPN fails', async () => {
    await writeRbcdRaw(backEnd.dn, referenceRbcdDescriptor([frontEnd.sid]));
    const body = await diagnose('alice', { spn: 'http/nowhere.contoso.test' });
    expect(failed(body)).toEqual(['BACKEND_SPN']);
  });

  it("unknown accounts: 404 with the role's code", async () => {
    const user = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .send({ user: 'nobody-here', frontEnd: 'SERVERB', backEnd: 'SERVERC' });
    expect([user.status, user.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const front = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .send({ user: 'alice', frontEnd: 'x)(cn=*', backEnd: 'SERVERC' });
    expect([front.status, front.body.error.code]).toEqual([404, 'PRINCIPAL_NOT_FOUND']);
    const back = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .send({ user: 'alice', frontEnd: 'SERVERB', backEnd: 'SERVER*' });
    expect([back.status, back.body.error.code]).toEqual([404, 'TARGET_NOT_FOUND']);
    const invalid = await t.http().post('/api/v1/diagnose').set(t.admin).send({ user: 'alice', frontEnd: 'SERVERB' });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
