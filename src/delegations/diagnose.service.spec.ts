import { DomainError } from '../common/errors/domain-error';
import { UAC, type DirectoryObject } from '../directory/directory.types';
import { account, CONTOSO, FABRIKAM, rbcdValue } from '../directory/testing/accounts';
import { type DirectoryMethod, FakeDirectory, type FakeDirectoryState } from '../directory/testing/fake-directory';
import { DiagnoseService, type DiagnoseResult } from './diagnose.service';

const PROTECTED_USERS = `${CONTOSO.domainSid}-525`;
const DOMAIN_USERS = `${CONTOSO.domainSid}-513`;
const GROUP = account('RBCD-FrontEnds', 1111, {
  objectClass: ['group'],
  samAccountName: 'RBCD-FrontEnds',
  ou: 'CN=Users',
});

const alice = account('alice', 1201, { user: true });
const frontEnd = account('WEB01', 1301, {
  userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION,
});
const backEnd = (rbcd: Buffer | null, overrides: Partial<DirectoryObject> = {}) =>
  account('SQL01', 1401, {
    rbcd,
    servicePrincipalNames: ['HOST/SQL01', 'HOST/sql01.contoso.test', 'MSSQLSvc/sql01.contoso.test:1433'],
    ...overrides,
  });

const READS: DirectoryMethod[] = [
  'resolve',
  'groupSids',
  'resolveSids',
  'domains',
  'search',
  'spnMappings',
  'dcFunctionalLevels',
  'accountState',
];

function diagnoser(
  objects: DirectoryObject[],
  groups: Record<string, string[]> = {},
  domains = [CONTOSO, FABRIKAM],
  extra: Partial<FakeDirectoryState> = {},
) {
  const directory = new FakeDirectory(
    {
      domains,
      objects: [...objects, GROUP],
      groups: { [alice.sid]: [DOMAIN_USERS], [frontEnd.sid]: [`${CONTOSO.domainSid}-515`], ...groups },
      ...extra,
    },
    READS,
  );
  return { directory, service: new DiagnoseService(directory) };
}
const run = (
  objects: DirectoryObject[],
  input: { user?: string; spn?: string } = {},
  groups: Record<string, string[]> = {},
  domains = [CONTOSO, FABRIKAM],
) =>
  diagnoser(objects, groups, domains).service.diagnose({
    user: input.user ?? 'alice',
    frontEnd: 'WEB01$',
    backEnd: 'SQL01',
    ...(input.spn ? { spn: input.spn } : {}),
  });
const status = (result: DiagnoseResult) => Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
const message = (result: DiagnoseResult, id: string) => result.checks.find((c) => c.id === id)?.message;

describe('DiagnoseService', () => {
  it('everything in place: ok, with the operator warnings (negative cache, WinRM)', async () => {
    const result = await run([alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], {
      spn: 'MSSQLSvc/sql01.contoso.test:1433',
    });
    expect(result.ok).toBe(true);
    expect(status(result)).toEqual({
      USER_ENABLED: 'pass',
      FRONT_END_ENABLED: 'pass',
      BACK_END_ENABLED: 'pass',
      USER_DELEGABLE: 'pass',
      USER_NOT_PROTECTED_USERS: 'pass',
      USER_ACCOUNT_USABLE: 'pass',
      FRONT_END_SPN: 'pass',
      BACKEND_SPN: 'pass',
      BACKEND_ENCRYPTION: 'pass',
      RBCD_ACE: 'pass',
      FUNCTIONAL_LEVEL: 'pass',
      NEGATIVE_CACHE: 'warn',
      WINRM_CAVEAT: 'warn',
    });
    expect(message(result, 'RBCD_ACE')).toContain('directly');
    expect(message(result, 'NEGATIVE_CACHE')).toContain('klist purge -li 0x3e7');
    expect(message(result, 'NEGATIVE_CACHE')).toContain('web01.contoso.test');
  });

  it('resolves the user as a user, the front-end as a principal and the back-end as a target with its value', async () => {
    const { directory, service } = diagnoser([alice, frontEnd, backEnd(null)]);
    await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01' });
    expect(directory.callsOf('resolve')).toEqual([
      ['alice', { kind: 'user' }],
      ['WEB01$', { kind: 'principal' }],
      ['SQL01', { kind: 'target', withRbcd: true }],
    ]);
  });

  it.each<[string, string, () => Parameters<typeof run>, RegExp]>([
    [
      'no attribute',
      'RBCD_ACE',
      () => [[alice, frontEnd, backEnd(null)]],
      /no msDS-AllowedToActOnBehalfOfOtherIdentity.*WEB01\$/,
    ],
    [
      'another principal only',
      'RBCD_ACE',
      () => [[alice, frontEnd, backEnd(rbcdValue(`${CONTOSO.domainSid}-9999`))]],
      /does not include WEB01\$/,
    ],
    [
      'GENERIC_ALL mask',
      'RBCD_ACE',
      () => [[alice, frontEnd, backEnd(rbcdValue({ sid: frontEnd.sid, mask: 0x10000000 }))]],
      /mask 0x10000000.*0xf01ff/,
    ],
    [
      'mask with the top bit',
      'RBCD_ACE',
      () => [[alice, frontEnd, backEnd(rbcdValue({ sid: frontEnd.sid, mask: 0x80000000 }))]],
      /mask 0x80000000/,
    ],
    [
      'object ACE for another object type',
      'RBCD_ACE',
      () => [
        [
          alice,
          frontEnd,
          backEnd(
            rbcdValue({ sid: frontEnd.sid, type: 'allowObject', objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' }),
          ),
        ],
      ],
      /object type 3f78c3e5/,
    ],
    [
      'deny for a group of the front-end',
      'RBCD_ACE',
      () => [
        [alice, frontEnd, backEnd(rbcdValue({ sid: GROUP.sid, type: 'deny' }, frontEnd.sid))],
        {},
        { [frontEnd.sid]: [GROUP.sid] },
      ],
      /deny ACE/,
    ],
    [
      'deny for Everyone',
      'RBCD_ACE',
      () => [[alice, frontEnd, backEnd(rbcdValue({ sid: 'S-1-1-0', type: 'deny' }, frontEnd.sid))]],
      /deny ACE/,
    ],
    ['undecodable value', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(Buffer.from([1, 2, 3]))]], /does not decode/],
    [
      'NOT_DELEGATED user',
      'USER_DELEGABLE',
      () => [
        [
          account('carol', 1203, { user: true, userAccountControl: 0x200 | UAC.NOT_DELEGATED }),
          frontEnd,
          backEnd(rbcdValue(frontEnd.sid)),
        ],
        { user: 'carol' },
      ],
      /sensitive and cannot be delegated/,
    ],
    [
      'Protected Users member',
      'USER_NOT_PROTECTED_USERS',
      () => [
        [account('bob', 1202, { user: true }), frontEnd, backEnd(rbcdValue(frontEnd.sid))],
        { user: 'bob' },
        { [`${CONTOSO.domainSid}-1202`]: [DOMAIN_USERS, PROTECTED_USERS] },
      ],
      /Protected Users/,
    ],
    [
      'disabled user',
      'USER_ENABLED',
      () => [
        [account('dan', 1204, { user: true, userAccountControl: 0x202 }), frontEnd, backEnd(rbcdValue(frontEnd.sid))],
        { user: 'dan' },
      ],
      /disabled/,
    ],
    [
      'disabled front-end',
      'FRONT_END_ENABLED',
      () => [
        [
          alice,
          { ...frontEnd, userAccountControl: frontEnd.userAccountControl | UAC.ACCOUNTDISABLE },
          backEnd(rbcdValue(frontEnd.sid)),
        ],
      ],
      /disabled/,
    ],
    [
      'disabled back-end',
      'BACK_END_ENABLED',
      () => [
        [
          alice,
          frontEnd,
          backEnd(rbcdValue(frontEnd.sid), { userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE }),
        ],
      ],
      /disabled/,
    ],
    [
      'back-end without SPN (spn derived from dNSHostName)',
      'BACKEND_SPN',
      () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid), { servicePrincipalNames: [] })]],
      /Nobody .* has cifs\/sql01\.contoso\.test .*derived from SQL01\$'s dNSHostName/,
    ],
    [
      'an SPN nobody has, nor its host/ form',
      'BACKEND_SPN',
      () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], { spn: 'cifs/nowhere.contoso.test' }],
      /Nobody in the configured domains has cifs\/nowhere\.contoso\.test/,
    ],
  ])('%s: not ok, %s fails', async (_label, id, args, why) => {
    const result = await run(...args());
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([id]);
    expect(message(result, id)).toMatch(why);
  });

  it.each<[string, string, string]>([
    ['a group of the front-end', GROUP.sid, 'group RBCD-FrontEnds'],
    ['Domain Computers (the primary group)', `${CONTOSO.domainSid}-515`, 'group'],
    ['Everyone', 'S-1-1-0', 'implicit Everyone'],
    ['Authenticated Users', 'S-1-5-11', 'implicit Authenticated Users'],
  ])('an ACE for %s lets the front-end through', async (_label, sid, via) => {
    const result = await run(
      [alice, frontEnd, backEnd(rbcdValue(sid))],
      {},
      { [frontEnd.sid]: [`${CONTOSO.domainSid}-515`, GROUP.sid] },
    );
    expect(result.ok).toBe(true);
    expect(message(result, 'RBCD_ACE')).toContain(via);
  });

  it('cannot read a group membership: a warning, not a made-up answer', async () => {
    const { directory, service } = diagnoser([alice, frontEnd, backEnd(rbcdValue(GROUP.sid))]);
    directory.failures.set('groupSids', new DomainError('DIRECTORY_ACCESS_DENIED', 'no read'));
    const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01' });
    expect(status(result)).toMatchObject({ USER_NOT_PROTECTED_USERS: 'warn', RBCD_ACE: 'warn' });
    expect(message(result, 'USER_NOT_PROTECTED_USERS')).toContain('(no read)');
    expect(message(result, 'RBCD_ACE')).toContain('(no read)');
    expect(result.checks.filter((c) => c.status === 'pass').map((c) => c.id)).not.toContain('RBCD_ACE');
  });

  describe('the SPN, found as the KDC finds it (sPNMappings, owner, duplicates)', () => {
    const serverd = account('SERVERD', 1501, { rbcd: rbcdValue(frontEnd.sid) });
    it.each(['cifs/serverd.contoso.test', 'cifs/SERVERD', 'http/serverd.contoso.test', 'HOST/serverd.contoso.test'])(
      '%s reaches a HOST-only computer',
      async (spn) => {
        const { service } = diagnoser([alice, frontEnd, serverd]);
        const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SERVERD', spn });
        expect(result.ok).toBe(true);
        expect(status(result).BACKEND_SPN).toBe('pass');
        if (!spn.startsWith('HOST'))
          expect(message(result, 'BACKEND_SPN')).toMatch(
            /through sPNMappings \((cifs|http) → host: host\/(serverd\.contoso\.test|SERVERD)\)/,
          );
      },
    );

    it('without spn: derives cifs/<dNSHostName> and says so', async () => {
      const { service } = diagnoser([alice, frontEnd, serverd]);
      const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SERVERD' });
      expect(message(result, 'BACKEND_SPN')).toMatch(
        /cifs\/serverd\.contoso\.test reaches SERVERD\$ through sPNMappings .*no spn given: derived from SERVERD\$'s dNSHostName/,
      );
    });

    it('an alias the forest does not map is not mapped', async () => {
      const { service } = diagnoser([alice, frontEnd, serverd], {}, [CONTOSO, FABRIKAM], {
        spnMappings: { 'contoso.test': ['host=http'] },
      });
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'cifs/serverd.contoso.test',
      });
      expect(status(result).BACKEND_SPN).toBe('fail');
    });

    it("an SPN owned by another account (a gMSA): says which, and checks that account's attribute", async () => {
      const gmsa = account('svc-web', 1601, {
        objectClass: ['top', 'msDS-GroupManagedServiceAccount'],
        servicePrincipalNames: ['http/web.contoso.test'],
        rbcd: null,
      });
      const { service } = diagnoser([alice, frontEnd, serverd, gmsa]);
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'http/web.contoso.test',
      });
      expect(status(result)).toMatchObject({ BACKEND_SPN: 'warn', RBCD_ACE: 'fail' });
      expect(message(result, 'BACKEND_SPN')).toMatch(/belongs to svc-web\$ \(contoso\.test\), not to SERVERD\$/);
      expect(message(result, 'RBCD_ACE')).toContain('svc-web$');
      const allowed = diagnoser([alice, frontEnd, serverd, { ...gmsa, rbcd: rbcdValue(frontEnd.sid) }]);
      expect(
        (
          await allowed.service.diagnose({
            user: 'alice',
            frontEnd: 'WEB01$',
            backEnd: 'SERVERD',
            spn: 'http/web.contoso.test',
          })
        ).ok,
      ).toBe(true);
    });

    it('a duplicated SPN fails and names both accounts', async () => {
      const twin = account('TWIN', 1701, { servicePrincipalNames: ['cifs/serverd.contoso.test'] });
      const other = account('OTHER', 1702, { servicePrincipalNames: ['cifs/serverd.contoso.test'] });
      const { service } = diagnoser([alice, frontEnd, serverd, twin, other]);
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'cifs/serverd.contoso.test',
      });
      expect(status(result).BACKEND_SPN).toBe('fail');
      expect(message(result, 'BACKEND_SPN')).toMatch(
        /registered on 2 accounts \(OTHER\$ in contoso\.test, TWIN\$ in contoso\.test\)/,
      );
    });

    it("the same SPN in two domains: the front-end's KDC looks in its own domain first (exact, then mapped)", async () => {
      const twin = account('TWIN', 1701, {
        domain: 'fabrikam.test',
        servicePrincipalNames: ['cifs/serverd.contoso.test'],
      });
      const { service } = diagnoser([alice, frontEnd, serverd, twin]);
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'cifs/serverd.contoso.test',
      });
      // contoso has no exact cifs/serverd.contoso.test but maps it to host/: SERVERD, not fabrikam's TWIN.
      expect(status(result)).toMatchObject({ BACKEND_SPN: 'pass', RBCD_ACE: 'pass' });
      expect(message(result, 'BACKEND_SPN')).toMatch(/reaches SERVERD\$ through sPNMappings/);
      const remote = account('WEB02', 1302, { domain: 'fabrikam.test' });
      const twins = [
        account('TWIN', 1701, { domain: 'fabrikam.test', servicePrincipalNames: ['cifs/x.test'] }),
        account('TWIN2', 1703, { domain: 'fabrikam.test', servicePrincipalNames: ['cifs/x.test'] }),
      ];
      const duplicated = await diagnoser([alice, remote, serverd, ...twins]).service.diagnose({
        user: 'alice',
        frontEnd: 'FABRIKAM\\WEB02$',
        backEnd: 'SERVERD',
        spn: 'cifs/x.test',
      });
      expect(status(duplicated).BACKEND_SPN).toBe('fail');
      // Not in the front-end's domain, but in two others: no single owner.
      const fromContoso = await diagnoser([alice, frontEnd, serverd, ...twins]).service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'cifs/x.test',
      });
      expect(status(fromContoso).BACKEND_SPN).toBe('fail');
    });

    it('a domain that does not answer: warn, never "nobody has it"', async () => {
      const { directory, service } = diagnoser([alice, frontEnd, serverd]);
      directory.failures.set('search', new DomainError('DIRECTORY_UNAVAILABLE', 'DC down'));
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'WEB01$',
        backEnd: 'SERVERD',
        spn: 'cifs/serverd.contoso.test',
      });
      expect(status(result).BACKEND_SPN).toBe('warn');
      expect(message(result, 'BACKEND_SPN')).toMatch(/did not answer/);
    });

    it('not an SPN: warn with the reason', async () => {
      const { service } = diagnoser([alice, frontEnd, serverd]);
      const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SERVERD', spn: 'no-slash' });
      expect(status(result).BACKEND_SPN).toBe('warn');
      expect(message(result, 'BACKEND_SPN')).toMatch(/not a service principal name/);
    });
  });

  describe('tokens, accounts and levels', () => {
    const DOMAIN_LOCAL = account('DL-FrontEnds', 1801, {
      objectClass: ['group'],
      samAccountName: 'DL-FrontEnds',
      ou: 'CN=Users',
      groupType: 0x80000004,
    });
    const GLOBAL = account('GG-FrontEnds', 1802, {
      objectClass: ['group'],
      samAccountName: 'GG-FrontEnds',
      ou: 'CN=Users',
      groupType: 0x80000002,
    });

    it('reached only through a domain-local or BUILTIN group: passes (Samba) with a warning to use a global group', async () => {
      for (const sid of [DOMAIN_LOCAL.sid, 'S-1-5-32-545']) {
        const result = await run(
          [alice, frontEnd, backEnd(rbcdValue(sid)), DOMAIN_LOCAL],
          {},
          { [frontEnd.sid]: [DOMAIN_LOCAL.sid, 'S-1-5-32-545'] },
        );
        expect(status(result)).toMatchObject({ RBCD_ACE: 'pass', RBCD_ACE_GROUP_SCOPE: 'warn' });
        expect(message(result, 'RBCD_ACE_GROUP_SCOPE')).toMatch(
          /TGT PAC.*global or universal group.*Checked on Samba only/,
        );
        expect(result.ok).toBe(true);
      }
    });

    it('no scope warning when a global group (or the account) also grants it', async () => {
      const result = await run(
        [alice, frontEnd, backEnd(rbcdValue(DOMAIN_LOCAL.sid, GLOBAL.sid)), DOMAIN_LOCAL, GLOBAL],
        {},
        { [frontEnd.sid]: [DOMAIN_LOCAL.sid, GLOBAL.sid] },
      );
      expect(status(result).RBCD_ACE_GROUP_SCOPE).toBeUndefined();
      expect(message(result, 'RBCD_ACE')).toContain('group DL-FrontEnds');
    });

    it.each([
      [{ lockedOut: true }, /locked out/],
      [{ expired: true, accountExpires: '2020-01-01T00:00:00.000Z' }, /expired on 2020-01-01/],
    ])('a user %j: USER_ACCOUNT_USABLE fails', async (state, why) => {
      const { service } = diagnoser([alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], {}, [CONTOSO, FABRIKAM], {
        accountStates: { [alice.dn]: state },
      });
      const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01' });
      expect(result.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['USER_ACCOUNT_USABLE']);
      expect(message(result, 'USER_ACCOUNT_USABLE')).toMatch(why);
    });

    it('a DES-only back-end, a front-end without SPN, a DC front-end: warnings', async () => {
      const dc = account('DC9', 1901, {
        userAccountControl: UAC.SERVER_TRUST_ACCOUNT,
        primaryGroupId: 516,
        servicePrincipalNames: [],
      });
      const target = backEnd(rbcdValue(dc.sid));
      const { service } = diagnoser([alice, dc, target], {}, [CONTOSO, FABRIKAM], {
        accountStates: { [target.dn]: { supportedEncryptionTypes: 0x3 } },
      });
      const result = await service.diagnose({
        user: 'alice',
        frontEnd: 'DC9$',
        backEnd: 'SQL01',
        spn: 'MSSQLSvc/sql01.contoso.test:1433',
      });
      expect(status(result)).toMatchObject({
        FRONT_END_SPN: 'warn',
        FRONT_END_NOT_DC: 'warn',
        BACKEND_ENCRYPTION: 'warn',
        RBCD_ACE: 'pass',
      });
      expect(message(result, 'BACKEND_ENCRYPTION')).toMatch(/only DES/);
    });

    it('functional level: pass when a DC is 2012 or newer, warn (not fail) when none is, warn when unreadable', async () => {
      const levels = async (dcLevels: Record<string, { dc: string; level: number }[]>) => {
        const { service } = diagnoser([alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], {}, [CONTOSO, FABRIKAM], {
          dcLevels,
        });
        return (
          await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01', spn: 'HOST/SQL01' })
        ).checks.find((c) => c.id === 'FUNCTIONAL_LEVEL');
      };
      expect(
        await levels({
          'contoso.test': [
            { dc: 'DC1', level: 4 },
            { dc: 'DC2', level: 7 },
          ],
        }),
      ).toMatchObject({ status: 'pass' });
      expect(await levels({ 'contoso.test': [{ dc: 'DC1', level: 4 }] })).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('DC1 4'),
      });
      expect(await levels({ 'contoso.test': [] })).toMatchObject({ status: 'warn' });
    });
  });

  it('a front-end in another domain: both functional levels are checked; classic constrained delegation is mentioned', async () => {
    const remote = account('WEB02', 1302, {
      domain: 'fabrikam.test',
      allowedToDelegateTo: ['MSSQLSvc/sql01.contoso.test:1433'],
    });
    const directory = new FakeDirectory(
      {
        domains: [CONTOSO, { ...FABRIKAM, domainFunctionality: undefined }],
        objects: [alice, remote, backEnd(rbcdValue(remote.sid))],
        groups: {},
      },
      READS,
    );
    const result = await new DiagnoseService(directory).diagnose({
      user: 'alice',
      frontEnd: 'FABRIKAM\\WEB02$',
      backEnd: 'SQL01',
    });
    expect(result.checks.filter((c) => c.id === 'FUNCTIONAL_LEVEL').map((c) => c.status)).toEqual(['warn', 'pass']);
    expect(status(result)).toMatchObject({ RBCD_ACE: 'pass', CLASSIC_CONSTRAINED_DELEGATION: 'warn' });
    expect(result.ok).toBe(true);
  });

  it("unknown accounts: the role's not-found code", async () => {
    await expect(run([frontEnd, backEnd(null)], { user: 'nobody' })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(run([alice, backEnd(null)])).rejects.toMatchObject({ code: 'PRINCIPAL_NOT_FOUND' });
    await expect(run([alice, frontEnd])).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
  });
});
