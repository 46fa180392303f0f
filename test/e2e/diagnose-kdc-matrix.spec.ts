// Issue 11 §6: diagnose's `ok` must equal the KDC's answer (S4U2Self + S4U2Proxy with kinit/kvno,
// test/support/kerberos.ts), case by case, on computers registered the way Windows registers them
// (only HOST/ SPNs and a dNSHostName). Cases where Samba's KDC is known to differ from Windows
// (Protected Users, domain-local groups) are checked separately: there the diagnosis says what
// Windows does and the test says so.
import { canDelegate, enableProtocolTransition, forgetKeytab } from '../support/kerberos';
import {
  createComputer,
  CreatedComputer,
  createGroup,
  createUser,
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
interface Body {
  ok: boolean;
  checks: Check[];
}

const GLOBAL_SECURITY = 0x80000002;
const DOMAIN_LOCAL_SECURITY = 0x80000004;

describe('diagnose agrees with the KDC (HOST-only computers, owners, groups, masks)', () => {
  let t: TestApp;
  let frontEnd: CreatedComputer;
  let target: CreatedComputer; // HOST/ SPNs only, like a Windows join
  let other: CreatedComputer; // another HOST-only computer: owns its own SPNs
  let globalGroup: { dn: string; sid: string };
  let localGroup: { dn: string; sid: string };
  const users: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml` } });
    frontEnd = await createComputer(uniqueName('MF'));
    await enableProtocolTransition(frontEnd.samAccountName);
    target = await createComputer(uniqueName('MW'));
    other = await createComputer(uniqueName('MO'));
    const g = uniqueName('MG');
    globalGroup = { dn: `CN=${g},OU=Servers,DC=contoso,DC=test`, sid: '' };
    globalGroup.sid = await createGroup(globalGroup.dn, g, [frontEnd.dn], GLOBAL_SECURITY);
    const l = uniqueName('ML');
    localGroup = { dn: `CN=${l},OU=Servers,DC=contoso,DC=test`, sid: '' };
    localGroup.sid = await createGroup(localGroup.dn, l, [frontEnd.dn], DOMAIN_LOCAL_SECURITY);
  });

  afterAll(async () => {
    await t?.close();
    for (const dn of [target?.dn, other?.dn, globalGroup?.dn, localGroup?.dn, ...users, frontEnd?.dn])
      if (dn) await deleteObject(dn).catch(() => undefined);
    if (frontEnd) await forgetKeytab(frontEnd.samAccountName);
  });

  const diagnose = async (input: {
    user?: string;
    frontEnd?: string;
    backEnd?: string;
    spn?: string;
  }): Promise<Body> => {
    const res = await t
      .http()
      .post('/api/v1/diagnose')
      .set(t.admin)
      .send({
        user: input.user ?? 'alice',
        frontEnd: input.frontEnd ?? frontEnd.samAccountName,
        backEnd: input.backEnd ?? target.samAccountName,
        ...(input.spn ? { spn: input.spn } : {}),
      })
      .expect(200);
    return res.body as Body;
  };
  const check = (body: Body, id: string) => body.checks.find((c) => c.id === id) as Check;
  const short = (c: CreatedComputer) => c.samAccountName.replace(/\$$/, '');

  interface Case {
    name: string;
    /** The target's and the other computer's RBCD values. */
    setup: () => Promise<void>;
    spn: () => string;
    user?: string;
    backEnd?: () => string;
    expectOk: boolean;
    /** Extra assertion on the body. */
    also?: (body: Body) => void;
  }
  const aceOnTarget = (sid: () => string, mask?: number) => async () => {
    const value = referenceRbcdDescriptor([sid()]);
    await writeRbcdRaw(target.dn, mask === undefined ? value : withAceMask(value, sid(), mask));
    await writeRbcdRaw(other.dn, null);
  };

  const cases: Case[] = [
    {
      name: 'HOST-only target asked for cifs/<fqdn> (sPNMappings → host/)',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `cifs/${target.dnsHostName}`,
      expectOk: true,
      also: (b) => expect(check(b, 'BACKEND_SPN').message).toMatch(/through sPNMappings \(cifs → host/),
    },
    {
      name: 'HOST-only target asked for cifs/<short name>',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `cifs/${short(target)}`,
      expectOk: true,
    },
    {
      name: 'HOST-only target asked for http/<fqdn>',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `http/${target.dnsHostName}`,
      expectOk: true,
    },
    {
      name: 'HOST-only target without an ACE (control)',
      setup: async () => writeRbcdRaw(target.dn, null),
      spn: () => `cifs/${target.dnsHostName}`,
      expectOk: false,
    },
    {
      name: 'a global group that holds the front-end',
      setup: aceOnTarget(() => globalGroup.sid),
      spn: () => `cifs/${target.dnsHostName}`,
      expectOk: true,
      also: (b) => expect(b.checks.map((c) => c.id)).not.toContain('RBCD_ACE_GROUP_SCOPE'),
    },
    {
      name: 'a GENERIC_ALL (0x10000000) mask',
      setup: aceOnTarget(() => frontEnd.sid, 0x10000000),
      spn: () => `cifs/${target.dnsHostName}`,
      expectOk: false,
      also: (b) => expect(check(b, 'RBCD_ACE').message).toMatch(/0x10000000/),
    },
    {
      name: 'a sensitive user (carol, NOT_DELEGATED)',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `cifs/${target.dnsHostName}`,
      user: 'carol',
      expectOk: false,
    },
    {
      name: 'an SPN nobody has',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `cifs/nobody-${short(target).toLowerCase()}.contoso.test`,
      expectOk: false,
      also: (b) =>
        expect(check(b, 'BACKEND_SPN')).toMatchObject({
          status: 'fail',
          message: expect.stringContaining('Nobody in the configured domains has'),
        }),
    },
    {
      name: 'an SPN owned by another account than the target (the ACE is on the target only)',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => `cifs/${other.dnsHostName}`,
      expectOk: false,
      also: (b) => expect(check(b, 'BACKEND_SPN').message).toContain(`belongs to ${other.samAccountName}`),
    },
    {
      name: 'an SPN owned by another account that allows the front-end (control)',
      setup: async () => {
        await writeRbcdRaw(target.dn, null);
        await writeRbcdRaw(other.dn, referenceRbcdDescriptor([frontEnd.sid]));
      },
      spn: () => `cifs/${other.dnsHostName}`,
      expectOk: true,
      also: (b) => expect(check(b, 'BACKEND_SPN').status).toBe('warn'),
    },
    {
      name: 'no spn: derived as cifs/<dNSHostName>',
      setup: aceOnTarget(() => frontEnd.sid),
      spn: () => '',
      expectOk: true,
      also: (b) => expect(check(b, 'BACKEND_SPN').message).toMatch(/no spn given: derived from .*dNSHostName/),
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.setup();
    const spn = c.spn();
    const body = await diagnose({ user: c.user, backEnd: c.backEnd?.(), spn: spn || undefined });
    const kdc = await canDelegate({
      frontEnd: frontEnd.samAccountName,
      user: c.user ?? 'alice',
      spn: spn || `cifs/${target.dnsHostName}`,
    });
    expect({ diagnose: body.ok, kdc: kdc.allowed }).toEqual({ diagnose: c.expectOk, kdc: c.expectOk });
    c.also?.(body);
  });

  it("the same SPN registered in another domain: the front-end's KDC uses its own domain (mapped host/), and so does diagnose", async () => {
    await aceOnTarget(() => frontEnd.sid)();
    const spn = `cifs/${target.dnsHostName}`;
    const elsewhere = await createComputer(uniqueName('MZ'), { domain: 'fabrikam.test', spns: [spn] });
    try {
      const body = await diagnose({ spn });
      const kdc = await canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn });
      expect({ diagnose: body.ok, kdc: kdc.allowed }).toEqual({ diagnose: true, kdc: true });
      expect(check(body, 'BACKEND_SPN').message).toContain(`reaches ${target.samAccountName} through sPNMappings`);
    } finally {
      await deleteObject(elsewhere.dn);
    }
  });

  it('Samba refuses a duplicate SPN within one domain at write time (constraint violation), as Windows does', async () => {
    const spn = `cifs/dup-${short(other).toLowerCase()}.contoso.test`;
    const first = await createComputer(uniqueName('MD'), { spns: [spn] });
    try {
      await expect(createComputer(uniqueName('MD'), { spns: [spn] })).rejects.toThrow(/conflict|constraint/i);
    } finally {
      await deleteObject(first.dn);
    }
  });

  it("a domain-local group: Samba's KDC issues and diagnose passes, with a warning that Windows checks the TGT PAC (checked on Samba only)", async () => {
    await aceOnTarget(() => localGroup.sid)();
    const body = await diagnose({ spn: `cifs/${target.dnsHostName}` });
    expect(body.ok).toBe(true);
    expect(
      (await canDelegate({ frontEnd: frontEnd.samAccountName, user: 'alice', spn: `cifs/${target.dnsHostName}` }))
        .allowed,
    ).toBe(true);
    expect(check(body, 'RBCD_ACE_GROUP_SCOPE')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/domain-local.*TGT PAC.*Checked on Samba only/),
    });
  });

  it("a user in Protected Users through a nested group: diagnose fails (Windows refuses; Samba's KDC does not enforce it)", async () => {
    await aceOnTarget(() => frontEnd.sid)();
    const nested = uniqueName('MP');
    const user = await createUser(`u${nested.toLowerCase()}`.slice(0, 20));
    users.push(user.dn);
    const groupDn = `CN=${nested},OU=Servers,DC=contoso,DC=test`;
    users.push(groupDn);
    await createGroup(groupDn, nested, [user.dn], GLOBAL_SECURITY);
    const { adminClient, withClient } = await import('../support/sandbox');
    const { Attribute, Change } = await import('ldapts');
    await withClient(adminClient(), (c) =>
      c.modify(
        'CN=Protected Users,CN=Users,DC=contoso,DC=test',
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [groupDn] }) }),
      ),
    );
    try {
      const body = await diagnose({ user: user.name, spn: `cifs/${target.dnsHostName}` });
      expect(check(body, 'USER_NOT_PROTECTED_USERS')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('nested'),
      });
      expect(body.ok).toBe(false);
    } finally {
      await withClient(adminClient(), (c) =>
        c.modify(
          'CN=Protected Users,CN=Users,DC=contoso,DC=test',
          new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [groupDn] }) }),
        ),
      );
    }
  });

  it('an expired user: USER_ACCOUNT_USABLE fails, and the KDC refuses', async () => {
    await aceOnTarget(() => frontEnd.sid)();
    const user = await createUser(`x${uniqueName('MX').toLowerCase()}`.slice(0, 20), {
      accountExpires: '116444736000000000',
    }); // 1970-01-01
    users.push(user.dn);
    const body = await diagnose({ user: user.name, spn: `cifs/${target.dnsHostName}` });
    expect(check(body, 'USER_ACCOUNT_USABLE')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('expired'),
    });
    const kdc = await canDelegate({
      frontEnd: frontEnd.samAccountName,
      user: user.name,
      spn: `cifs/${target.dnsHostName}`,
    });
    expect({ diagnose: body.ok, kdc: kdc.allowed }).toEqual({ diagnose: false, kdc: false });
  });

  it('the other checks read the real DC: functional level from nTDSDSA, encryption types, front-end SPN', async () => {
    await aceOnTarget(() => frontEnd.sid)();
    const body = await diagnose({ spn: `cifs/${target.dnsHostName}` });
    expect(check(body, 'FUNCTIONAL_LEVEL')).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/msDS-Behavior-Version: DC1 \d+/),
    });
    expect(check(body, 'BACKEND_ENCRYPTION').status).toBe('pass');
    expect(check(body, 'FRONT_END_SPN').status).toBe('pass');
    expect(check(body, 'USER_ACCOUNT_USABLE').status).toBe('pass');
  });

  it('a DES-only back-end and a domain controller as front-end warn (real attributes on the DC), next to the passing controls above', async () => {
    const desOnly = await createComputer(uniqueName('MD'));
    users.push(desOnly.dn);
    const { adminClient, withClient } = await import('../support/sandbox');
    const { Attribute, Change } = await import('ldapts');
    // DES_CBC_CRC | DES_CBC_MD5: what an old Windows client or a mis-set GPO leaves behind.
    await withClient(adminClient(), (c) =>
      c.modify(
        desOnly.dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'msDS-SupportedEncryptionTypes', values: ['3'] }),
        }),
      ),
    );
    const des = await diagnose({ backEnd: desOnly.samAccountName, spn: `cifs/${desOnly.dnsHostName}` });
    expect(check(des, 'BACKEND_ENCRYPTION')).toMatchObject({ status: 'warn', message: expect.stringContaining('DES') });
    const dc = await diagnose({ frontEnd: 'DC1$', spn: `cifs/${target.dnsHostName}` });
    expect(check(dc, 'FRONT_END_NOT_DC').status).toBe('warn');
    expect(check(await diagnose({ spn: `cifs/${target.dnsHostName}` }), 'FRONT_END_NOT_DC')).toBeUndefined(); // a member server: no such warning
  });

  it('a locked-out user (lockout threshold from a password policy, bad binds on the DC): USER_ACCOUNT_USABLE fails', async () => {
    await aceOnTarget(() => frontEnd.sid)();
    const user = await createUser(`l${uniqueName('ML').toLowerCase()}`.slice(0, 20));
    users.push(user.dn);
    const { caOf, createLockoutPolicy, sandboxDomain } = await import('../support/sandbox');
    const { Client } = await import('ldapts');
    const psoDn = await createLockoutPolicy(user.dn, 2);
    users.push(psoDn);
    const before = await diagnose({ user: user.name, spn: `cifs/${target.dnsHostName}` });
    expect(check(before, 'USER_ACCOUNT_USABLE').status).toBe('pass');
    for (let i = 0; i < 3; i++) {
      const client = new Client({ url: sandboxDomain().url, tlsOptions: { ca: caOf() } });
      await client.bind(user.dn, 'not-the-password-1A').catch(() => undefined);
      await client.unbind().catch(() => undefined);
    }
    const after = await diagnose({ user: user.name, spn: `cifs/${target.dnsHostName}` });
    expect(check(after, 'USER_ACCOUNT_USABLE')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('locked out'),
    });
    expect(after.ok).toBe(false);
  });
});
