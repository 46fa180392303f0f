import { DomainError } from '../common/errors/domain-error';
import { account, CONTOSO, FABRIKAM, rbcdValue } from '../directory/testing/accounts';
import { FakeDirectory, type DirectoryMethod } from '../directory/testing/fake-directory';
import type { WritersService } from '../policy/writers.service';
import { DelegationReader } from './delegation-reader';
import { DelegationsService } from './delegations.service';

const GENERIC_ALL = 0x10000000;
const serverb = account('SERVERB', 1103);
const serverd = account('SERVERD', 1105);
const frontEnds = account('RBCD-FrontEnds', 1111, {
  objectClass: ['top', 'group'],
  samAccountName: 'RBCD-FrontEnds',
  dnsHostName: undefined,
  ou: 'CN=Users',
});
const fabweb = account('FABWEB', 1103, { domain: 'fabrikam.test' });

function service(
  objects: ReturnType<typeof account>[],
  allow: DirectoryMethod[],
  groups: Record<string, string[]> = {},
) {
  const directory = new FakeDirectory({ domains: [CONTOSO, FABRIKAM], objects, groups }, allow);
  // Writers have their own tests (src/policy/writers.service.spec.ts).
  const writers = { rbcdWriters: async () => ({ writers: [], warnings: [] }) } as unknown as WritersService;
  return { directory, service: new DelegationsService(directory, new DelegationReader(directory), writers) };
}

describe('DelegationsService.forTarget', () => {
  it('reads the value once, with the object, and names every principal', async () => {
    const target = account('SERVERC', 1104, {
      rbcd: rbcdValue(serverb.sid, fabweb.sid, 'S-1-5-11', 'S-1-5-21-9-9-9-500'),
    });
    const { directory, service: s } = service([target, serverb, fabweb], ['resolve', 'resolveSids']);
    const view = await s.forTarget('SERVERC');
    expect(directory.callsOf('resolve')).toEqual([
      [
        'SERVERC',
        { kind: 'target', domain: undefined, withRbcd: true, withSecurityDescriptor: true, identityOnly: true },
      ],
    ]);
    expect(view.target).toEqual({
      dn: target.dn,
      sid: target.sid,
      samAccountName: 'SERVERC$',
      dnsHostName: 'serverc.contoso.test',
      domain: 'contoso.test',
    });
    expect(view.raw).toBe(target.rbcd?.toString('base64'));
    expect(view.principals).toEqual([
      {
        sid: serverb.sid,
        samAccountName: 'SERVERB$',
        dn: serverb.dn,
        domain: 'contoso.test',
        resolved: true,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      },
      {
        sid: fabweb.sid,
        samAccountName: 'FABWEB$',
        dn: fabweb.dn,
        domain: 'fabrikam.test',
        resolved: true,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      },
      {
        sid: 'S-1-5-11',
        samAccountName: 'Authenticated Users',
        dn: null,
        domain: null,
        resolved: true,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      },
      {
        sid: 'S-1-5-21-9-9-9-500',
        samAccountName: null,
        dn: null,
        domain: null,
        resolved: false,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      },
    ]);
    expect(view.warnings).toEqual([expect.objectContaining({ code: 'UNRESOLVED_SID', sid: 'S-1-5-21-9-9-9-500' })]);
    expect(view.sddl).toBe(
      `O:BAD:(A;;0xf01ff;;;${serverb.sid})(A;;0xf01ff;;;${fabweb.sid})(A;;0xf01ff;;;AU)(A;;0xf01ff;;;S-1-5-21-9-9-9-500)`,
    );
  });

  it('every question is a fresh read (the directory batches questions asked together, never answers across a write)', async () => {
    const { directory, service: s } = service([account('SERVERC', 1104)], ['resolve']);
    const [a, b, c] = await Promise.all([
      s.forTarget('SERVERC'),
      s.forTarget('serverc '),
      s.forTarget('SERVERD').catch((e: DomainError) => e.code),
    ]);
    expect(a).toEqual(b);
    expect(c).toBe('TARGET_NOT_FOUND');
    expect(directory.callsOf('resolve')).toHaveLength(3);
  });

  it('reads handed the same kept answer share one view, built once; a new answer gets a new view', async () => {
    const target = account('SERVERC', 1104, { rbcd: rbcdValue(serverb.sid), securityDescriptor: Buffer.from('sd') });
    const { directory, service: s } = service([target, serverb], ['resolve', 'resolveSids']);
    // As the LDAP directory does with a kept answer: every caller its own copy, the same Buffers.
    const fresh = directory.resolve.bind(directory);
    let kept: ReturnType<typeof fresh> | undefined;
    directory.resolve = async (identifier, options) => ({ ...(await (kept ??= fresh(identifier, options))) });
    const [a, b] = await Promise.all([s.forTarget('SERVERC'), s.forTarget('SERVERC')]);
    const c = await s.forTarget('SERVERC');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(directory.callsOf('resolveSids')).toHaveLength(1); // named once
    // The target changed: the directory reads it again (new Buffers), and the view is new.
    kept = undefined;
    target.rbcd = rbcdValue(serverb.sid, 'S-1-5-11');
    const d = await s.forTarget('SERVERC');
    expect(d).not.toBe(a);
    expect(d.raw).toBe(target.rbcd.toString('base64'));
    expect(d.principals.map((p) => p.sid)).toEqual([serverb.sid, 'S-1-5-11']);
  });

  it('no attribute: empty, and no SID lookup at all', async () => {
    const { directory, service: s } = service([account('SERVERC', 1104)], ['resolve']);
    expect(await s.forTarget('SERVERC', 'contoso.test')).toMatchObject({
      principals: [],
      sddl: null,
      raw: null,
      warnings: [],
    });
    expect(directory.calls.map((c) => c.method)).toEqual(['resolve']);
  });

  it('deny, object and GENERIC_ALL ACEs: shown, not effective, each with its warning', async () => {
    const target = account('SERVERC', 1104, {
      rbcd: rbcdValue(
        { sid: serverd.sid, type: 'deny' },
        { sid: serverb.sid, type: 'allowObject', mask: 0x100, objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' },
        { sid: serverb.sid, mask: GENERIC_ALL },
      ),
    });
    const { service: s } = service([target, serverb, serverd], ['resolve', 'resolveSids']);
    const view = await s.forTarget('SERVERC');
    expect(view.principals.map((p) => [p.samAccountName, p.aceType, p.accessMask, p.effective])).toEqual([
      ['SERVERD$', 'deny', 0xf01ff, false],
      ['SERVERB$', '5', 0x100, false],
      ['SERVERB$', 'allow', GENERIC_ALL, false],
    ]);
    expect(view.warnings.map((w) => w.code)).toEqual(['DENY_ACE', 'OBJECT_ACE', 'INEFFECTIVE_MASK']);
  });

  it('an undecodable value: INVALID_SECURITY_DESCRIPTOR with the raw bytes, never thrown', async () => {
    const { directory, service: s } = service(
      [account('SERVERC', 1104, { rbcd: Buffer.from([1, 2, 3]) })],
      ['resolve'],
    );
    const view = await s.forTarget('SERVERC');
    expect(view).toMatchObject({
      principals: [],
      sddl: null,
      raw: 'AQID',
      warnings: [{ code: 'INVALID_SECURITY_DESCRIPTOR' }],
    });
    expect(directory.callsOf('resolveSids')).toEqual([]);
  });

  it("passes the directory's errors on", async () => {
    const { service: s } = service([], ['resolve']);
    await expect(s.forTarget('NOPE')).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
  });
});

describe('DelegationsService.forPrincipal', () => {
  const allow: DirectoryMethod[] = ['resolve', 'groupSids', 'resolveSids', 'domains', 'search'];
  const groupsOf = { [serverd.sid]: [frontEnds.sid, `${CONTOSO.domainSid}-515`] };

  it('finds targets in every domain that allow the principal directly, through a group or an implicit SID', async () => {
    const direct = account('DIRECT', 2001, { rbcd: rbcdValue(serverd.sid) });
    const viaGroup = account('VIAGROUP', 2002, { rbcd: rbcdValue(serverb.sid, frontEnds.sid) });
    const viaEveryone = account('EVERYONE', 2003, { rbcd: rbcdValue('S-1-1-0') });
    const remote = account('REMOTE', 2004, { domain: 'fabrikam.test', rbcd: rbcdValue(serverd.sid) });
    const both = account('BOTH', 2005, { rbcd: rbcdValue(frontEnds.sid, serverd.sid) });
    const { directory, service: s } = service(
      [serverd, serverb, frontEnds, direct, viaGroup, viaEveryone, remote, both],
      allow,
      groupsOf,
    );
    const result = await s.forPrincipal('SERVERD');
    expect(result.principal).toMatchObject({ sid: serverd.sid, samAccountName: 'SERVERD$' });
    expect(result.targets.map((x) => [x.samAccountName, x.domain, x.via])).toEqual([
      ['DIRECT$', 'contoso.test', ['direct']],
      ['VIAGROUP$', 'contoso.test', ['group RBCD-FrontEnds']],
      ['EVERYONE$', 'contoso.test', ['implicit Everyone']],
      ['BOTH$', 'contoso.test', ['group RBCD-FrontEnds', 'direct']],
      ['REMOTE$', 'fabrikam.test', ['direct']],
    ]);
    expect(directory.callsOf('resolve')).toEqual([['SERVERD', { kind: 'principal', domain: undefined }]]);
    expect(
      directory.callsOf('search').map(([domain, , options]) => [domain, (options as { filter: string }).filter]),
    ).toEqual([
      ['contoso.test', '(msDS-AllowedToActOnBehalfOfOtherIdentity=*)'],
      ['fabrikam.test', '(msDS-AllowedToActOnBehalfOfOtherIdentity=*)'],
    ]);
  });

  it('decides as the KDC: the first plain ACE with 0x100 in the token wins; object ACEs are ignored', async () => {
    const objects = [
      serverd,
      frontEnds,
      account('DENYAFTER', 2001, { rbcd: rbcdValue(serverd.sid, { sid: frontEnds.sid, type: 'deny' }) }),
      account('DENYOBJ', 2002, { rbcd: rbcdValue({ sid: serverd.sid, type: 'denyObject' }, serverd.sid) }),
      account('UNTYPED', 2003, { rbcd: rbcdValue({ sid: serverd.sid, type: 'allowObject' }) }),
      account('EVERYONEDENY', 2004, { rbcd: rbcdValue({ sid: 'S-1-1-0', type: 'deny', mask: 0x100 }, serverd.sid) }),
    ];
    const { service: s } = service(objects, allow, groupsOf);
    expect((await s.forPrincipal('SERVERD')).targets.map((x) => [x.samAccountName, x.via])).toEqual([
      ['DENYAFTER$', ['direct']],
      ['DENYOBJ$', ['direct']],
    ]);
  });

  it('lists apart, with the reason, the targets that name the principal but where the KDC refuses it', async () => {
    const objects = [
      serverd,
      frontEnds,
      account('DENIED', 2001, { rbcd: rbcdValue({ sid: frontEnds.sid, type: 'deny' }, serverd.sid) }),
      account('GENERIC', 2003, { rbcd: rbcdValue({ sid: serverd.sid, mask: GENERIC_ALL }) }),
      account('UNTYPED', 2004, { rbcd: rbcdValue({ sid: frontEnds.sid, type: 'allowObject' }) }),
      account('OTHER', 2005, { rbcd: rbcdValue(serverb.sid) }),
    ];
    const { service: s } = service(objects, allow, groupsOf);
    const result = await s.forPrincipal('SERVERD');
    expect(result.targets).toEqual([]);
    expect(result.ignored.map((x) => [x.samAccountName, x.via, x.warnings.map((w) => w.code)])).toEqual([
      ['DENIED$', ['group RBCD-FrontEnds', 'direct'], ['DENY_ACE']],
      ['GENERIC$', ['direct'], ['INEFFECTIVE_MASK']],
      ['UNTYPED$', ['group RBCD-FrontEnds'], ['OBJECT_ACE']],
    ]);
  });

  it('warns when only a domain-local or BUILTIN group grants it (a Windows KDC reads the TGT PAC)', async () => {
    const local = account('DL-Front', 1120, {
      objectClass: ['group'],
      samAccountName: 'DL-Front',
      ou: 'CN=Users',
      groupType: 0x80000004,
    });
    const objects = [
      serverd,
      local,
      account('LOCAL', 2001, { rbcd: rbcdValue(local.sid) }),
      account('BOTH', 2002, { rbcd: rbcdValue(local.sid, serverd.sid) }),
    ];
    const { service: s } = service(objects, allow, { [serverd.sid]: [local.sid] });
    const result = await s.forPrincipal('SERVERD');
    expect(result.targets.map((x) => [x.samAccountName, x.warnings.map((w) => w.code)])).toEqual([
      ['LOCAL$', ['RBCD_ACE_GROUP_SCOPE']],
      ['BOTH$', []],
    ]);
  });

  it('leaves out targets that deny the principal or a group of it, ignore its ACE, do not name it, or do not decode', async () => {
    const objects = [
      serverd,
      frontEnds,
      account('DENIED', 2001, { rbcd: rbcdValue({ sid: frontEnds.sid, type: 'deny' }, serverd.sid) }),
      account('GENERIC', 2003, { rbcd: rbcdValue({ sid: serverd.sid, mask: GENERIC_ALL }) }),
      account('TYPED', 2004, {
        rbcd: rbcdValue({
          sid: serverd.sid,
          type: 'allowObject',
          mask: 0x100,
          objectType: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79',
        }),
      }),
      account('OTHER', 2005, { rbcd: rbcdValue(serverb.sid) }),
      account('BROKEN', 2006, { rbcd: Buffer.from([1, 2, 3]) }),
      account('NONE', 2007),
    ];
    const { service: s } = service(objects, allow, groupsOf);
    expect((await s.forPrincipal('SERVERD')).targets).toEqual([]);
  });

  it('does not answer without the groups: a tokenGroups failure is passed on, not an empty list', async () => {
    const { directory, service: s } = service(
      [serverd, account('VIAGROUP', 2002, { rbcd: rbcdValue(frontEnds.sid) })],
      allow,
      groupsOf,
    );
    directory.failures.set('groupSids', new DomainError('DIRECTORY_UNAVAILABLE', 'DC down'));
    await expect(s.forPrincipal('SERVERD')).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
  });

  it('an unknown principal: PRINCIPAL_NOT_FOUND, nothing searched', async () => {
    const { directory, service: s } = service([serverd], allow);
    await expect(s.forPrincipal('x)(cn=*')).rejects.toMatchObject({ code: 'PRINCIPAL_NOT_FOUND' });
    expect(directory.callsOf('search')).toEqual([]);
  });
});
