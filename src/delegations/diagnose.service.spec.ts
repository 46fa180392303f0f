import { DomainError } from '../common/errors/domain-error';
import { UAC, type DirectoryObject } from '../directory/directory.types';
import { account, CONTOSO, FABRIKAM, rbcdValue } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { DiagnoseService, type DiagnoseResult } from './diagnose.service';

const PROTECTED_USERS = `${CONTOSO.domainSid}-525`;
const DOMAIN_USERS = `${CONTOSO.domainSid}-513`;
const GROUP = account('RBCD-FrontEnds', 1111, { objectClass: ['group'], samAccountName: 'RBCD-FrontEnds', ou: 'CN=Users' });

const alice = account('alice', 1201, { user: true });
const frontEnd = account('WEB01', 1301, { userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION });
const backEnd = (rbcd: Buffer | null, overrides: Partial<DirectoryObject> = {}) =>
  account('SQL01', 1401, { rbcd, servicePrincipalNames: ['HOST/SQL01', 'MSSQLSvc/sql01.contoso.test:1433'], ...overrides });

function diagnoser(objects: DirectoryObject[], groups: Record<string, string[]> = {}, domains = [CONTOSO, FABRIKAM]) {
  const directory = new FakeDirectory({ domains, objects: [...objects, GROUP], groups: { [alice.sid]: [DOMAIN_USERS], [frontEnd.sid]: [`${CONTOSO.domainSid}-515`], ...groups } }, [
    'resolve',
    'groupSids',
    'resolveSids',
    'domains',
  ]);
  return { directory, service: new DiagnoseService(directory) };
}
const run = (objects: DirectoryObject[], input: { user?: string; spn?: string } = {}, groups: Record<string, string[]> = {}, domains = [CONTOSO, FABRIKAM]) =>
  diagnoser(objects, groups, domains).service.diagnose({ user: input.user ?? 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01', ...(input.spn ? { spn: input.spn } : {}) });
const status = (result: DiagnoseResult) => Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
const message = (result: DiagnoseResult, id: string) => result.checks.find((c) => c.id === id)?.message;

describe('DiagnoseService', () => {
  it('everything in place: ok, with the operator warnings (negative cache, WinRM)', async () => {
    const result = await run([alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], { spn: 'MSSQLSvc/sql01.contoso.test:1433' });
    expect(result.ok).toBe(true);
    expect(status(result)).toEqual({
      USER_ENABLED: 'pass',
      FRONT_END_ENABLED: 'pass',
      BACK_END_ENABLED: 'pass',
      USER_DELEGABLE: 'pass',
      USER_NOT_PROTECTED_USERS: 'pass',
      BACKEND_SPN: 'pass',
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
    ['no attribute', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(null)]], /no msDS-AllowedToActOnBehalfOfOtherIdentity.*WEB01\$/],
    ['another principal only', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue(`${CONTOSO.domainSid}-9999`))]], /does not include WEB01\$/],
    ['GENERIC_ALL mask', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue({ sid: frontEnd.sid, mask: 0x10000000 }))]], /mask 0x10000000.*0xf01ff/],
    ['mask with the top bit', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue({ sid: frontEnd.sid, mask: 0x80000000 }))]], /mask 0x80000000/],
    ['object ACE for another object type', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue({ sid: frontEnd.sid, type: 'allowObject', objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' }))]], /object type 3f78c3e5/],
    ['deny for a group of the front-end', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue({ sid: GROUP.sid, type: 'deny' }, frontEnd.sid))], {}, { [frontEnd.sid]: [GROUP.sid] }], /deny ACE/],
    ['deny for Everyone', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(rbcdValue({ sid: 'S-1-1-0', type: 'deny' }, frontEnd.sid))]], /deny ACE/],
    ['undecodable value', 'RBCD_ACE', () => [[alice, frontEnd, backEnd(Buffer.from([1, 2, 3]))]], /does not decode/],
    ['NOT_DELEGATED user', 'USER_DELEGABLE', () => [[account('carol', 1203, { user: true, userAccountControl: 0x200 | UAC.NOT_DELEGATED }), frontEnd, backEnd(rbcdValue(frontEnd.sid))], { user: 'carol' }], /sensitive and cannot be delegated/],
    ['Protected Users member', 'USER_NOT_PROTECTED_USERS', () => [[account('bob', 1202, { user: true }), frontEnd, backEnd(rbcdValue(frontEnd.sid))], { user: 'bob' }, { [`${CONTOSO.domainSid}-1202`]: [DOMAIN_USERS, PROTECTED_USERS] }], /Protected Users/],
    ['disabled user', 'USER_ENABLED', () => [[account('dan', 1204, { user: true, userAccountControl: 0x202 }), frontEnd, backEnd(rbcdValue(frontEnd.sid))], { user: 'dan' }], /disabled/],
    ['disabled front-end', 'FRONT_END_ENABLED', () => [[alice, { ...frontEnd, userAccountControl: frontEnd.userAccountControl | UAC.ACCOUNTDISABLE }, backEnd(rbcdValue(frontEnd.sid))]], /disabled/],
    ['disabled back-end', 'BACK_END_ENABLED', () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid), { userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.ACCOUNTDISABLE })]], /disabled/],
    ['back-end without SPN', 'BACKEND_SPN', () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid), { servicePrincipalNames: [] })]], /no servicePrincipalName/],
    ['SPN asked for not registered', 'BACKEND_SPN', () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], { spn: 'cifs/sql01.contoso.test' }], /not registered/],
    ['functional level below 2012', 'FUNCTIONAL_LEVEL', () => [[alice, frontEnd, backEnd(rbcdValue(frontEnd.sid))], {}, {}, [{ ...CONTOSO, domainFunctionality: 4 }]], /Windows Server 2012/],
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
    const result = await run([alice, frontEnd, backEnd(rbcdValue(sid))], {}, { [frontEnd.sid]: [`${CONTOSO.domainSid}-515`, GROUP.sid] });
    expect(result.ok).toBe(true);
    expect(message(result, 'RBCD_ACE')).toContain(via);
  });

  it('cannot read a group membership: a warning, not a made-up answer', async () => {
    const { directory, service } = diagnoser([alice, frontEnd, backEnd(rbcdValue(GROUP.sid))]);
    directory.failures.set('groupSids', new DomainError('DIRECTORY_ACCESS_DENIED', 'no read'));
    const result = await service.diagnose({ user: 'alice', frontEnd: 'WEB01$', backEnd: 'SQL01' });
    expect(status(result)).toMatchObject({ USER_NOT_PROTECTED_USERS: 'warn', RBCD_ACE: 'warn' });
  });

  it('a front-end in another domain: both functional levels are checked; classic constrained delegation is mentioned', async () => {
    const remote = account('WEB02', 1302, { domain: 'fabrikam.test', allowedToDelegateTo: ['MSSQLSvc/sql01.contoso.test:1433'] });
    const directory = new FakeDirectory({ domains: [CONTOSO, { ...FABRIKAM, domainFunctionality: undefined }], objects: [alice, remote, backEnd(rbcdValue(remote.sid))], groups: {} }, [
      'resolve',
      'groupSids',
      'resolveSids',
      'domains',
    ]);
    const result = await new DiagnoseService(directory).diagnose({ user: 'alice', frontEnd: 'FABRIKAM\\WEB02$', backEnd: 'SQL01' });
    expect(result.checks.filter((c) => c.id === 'FUNCTIONAL_LEVEL').map((c) => c.status)).toEqual(['warn', 'pass']);
    expect(status(result)).toMatchObject({ RBCD_ACE: 'pass', CLASSIC_CONSTRAINED_DELEGATION: 'warn' });
    expect(result.ok).toBe(true);
  });

  it('unknown accounts: the role\'s not-found code', async () => {
    await expect(run([frontEnd, backEnd(null)], { user: 'nobody' })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(run([alice, backEnd(null)])).rejects.toMatchObject({ code: 'PRINCIPAL_NOT_FOUND' });
    await expect(run([alice, frontEnd])).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
  });
});
