import type { AppConfig } from '../config/config.types';
import { loadConfig } from '../config/load-config';
import { UAC, type DirectoryObject } from '../directory/directory.types';
import { account, CONTOSO, FABRIKAM, rbcdValue } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { PolicyService } from '../policy/policy.service';
import { WritersService } from '../policy/writers.service';
import { InventoryService } from './inventory.service';

const GENERIC_ALL = 0x10000000;
const web = account('WEB01', 1301);
const config: AppConfig = {
  ...loadConfig({ DATABASE_URL: 'sqlite::memory:' }),
  policy: {
    defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
    rules: [
      { match: { targetDnSuffix: 'OU=Tier0,DC=contoso,DC=test' }, deny: 'Tier 0 assets never accept delegation' },
    ],
  },
};

function inventory(objects: DirectoryObject[]) {
  const directory = new FakeDirectory(
    {
      domains: [CONTOSO, FABRIKAM],
      objects: [web, ...objects],
      machineAccountQuota: { 'contoso.test': 10, 'fabrikam.test': 0 },
    },
    ['domains', 'search', 'resolveSids', 'machineAccountQuota'],
  );
  return {
    directory,
    service: new InventoryService(directory, new PolicyService(config), new WritersService(directory, config)),
  };
}
const codes = (item: { risks: { code: string }[] }) => item.risks.map((r) => r.code);

describe('InventoryService', () => {
  const dc = account('DC1', 1000, {
    ou: 'OU=Domain Controllers',
    userAccountControl: UAC.SERVER_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION,
    primaryGroupId: 516,
  });
  const unconstrained = account('APP01', 2001, {
    userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION,
  });
  const transition = account('APP02', 2002, {
    userAccountControl: UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION,
    allowedToDelegateTo: ['cifs/fs01.contoso.test'],
  });
  const rbcd = account('APP03', 2003, { rbcd: rbcdValue(web.sid) });
  const ineffective = account('APP04', 2004, { rbcd: rbcdValue({ sid: web.sid, mask: GENERIC_ALL }) });
  const denied = account('APP05', 2005, { rbcd: rbcdValue({ sid: web.sid, type: 'deny' }, web.sid) });
  const orphaned = account('APP06', 2006, { rbcd: rbcdValue(`${CONTOSO.domainSid}-9999`, 'S-1-1-0') });
  const broken = account('APP07', 2007, { rbcd: Buffer.from([1, 2, 3]) });
  const tier0 = account('PAW01', 3001, { ou: 'OU=Tier0', rbcd: rbcdValue(web.sid) });
  const adminCount = account('ADM01', 3002, { adminCount: 1, rbcd: rbcdValue(web.sid) });
  const plain = account('PLAIN', 2008);
  const remote = account('FAB01', 4001, { domain: 'fabrikam.test', rbcd: rbcdValue(web.sid) });
  const all = [
    dc,
    unconstrained,
    transition,
    rbcd,
    ineffective,
    denied,
    orphaned,
    broken,
    tier0,
    adminCount,
    plain,
    remote,
  ];

  it('lists every delegation setting of every domain with its kinds and risks, in DN order', async () => {
    const { service } = inventory(all);
    const page = await service.inventory({});
    expect(page.total).toBe(11);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((i) => i.dn)).toEqual(
      all
        .filter((o) => o !== plain)
        .map((o) => o.dn)
        .sort((a, b) => a.localeCompare(b)),
    );
    const byName = Object.fromEntries(page.items.map((i) => [i.samAccountName, i]));
    expect(byName['DC1$']).toMatchObject({ kinds: ['unconstrained'], risks: [] });
    expect(byName['APP01$']).toMatchObject({ kinds: ['unconstrained'], risks: [{ code: 'UNCONSTRAINED_ON_NON_DC' }] });
    expect(byName['APP02$']).toMatchObject({
      kinds: ['constrained', 'protocolTransition'],
      allowedToDelegateTo: ['cifs/fs01.contoso.test'],
      risks: [{ code: 'PROTOCOL_TRANSITION' }],
    });
    expect(byName['APP03$']).toMatchObject({
      kinds: ['rbcd'],
      risks: [],
      rbcdPrincipals: [{ sid: web.sid, samAccountName: 'WEB01$', effective: true, aceType: 'allow' }],
    });
    expect(codes(byName['APP04$'])).toEqual(['INEFFECTIVE_MASK']);
    expect(codes(byName['APP05$'])).toEqual(['DENY_ACE', 'DENIED_EARLIER']);
    expect(byName['APP06$'].risks).toEqual([
      expect.objectContaining({ code: 'ORPHANED_SID', sid: `${CONTOSO.domainSid}-9999` }),
      expect.objectContaining({
        code: 'RBCD_OPEN_TO_ANY_ACCOUNT',
        sid: 'S-1-1-0',
        message: expect.stringContaining('Everyone may delegate to APP06$'),
      }),
    ]);
    expect(byName['APP06$'].rbcdPrincipals.map((p) => p.samAccountName)).toEqual([null, 'Everyone']);
    expect(codes(byName['APP07$'])).toEqual(['INVALID_SECURITY_DESCRIPTOR']);
    expect(byName['PAW01$'].risks).toEqual([
      expect.objectContaining({
        code: 'RBCD_ON_PROTECTED_TARGET',
        message: expect.stringContaining('Tier 0 assets never accept delegation'),
      }),
    ]);
    expect(byName['ADM01$'].risks).toEqual([
      expect.objectContaining({ code: 'RBCD_ON_PROTECTED_TARGET', message: expect.stringContaining('adminCount=1') }),
    ]);
    expect(byName['FAB01$']).toMatchObject({ domain: 'fabrikam.test', kinds: ['rbcd'] });
  });

  it('asks each domain once with one filter of the kinds asked for', async () => {
    const { directory, service } = inventory(all);
    const page = await service.inventory({ kinds: ['unconstrained', 'rbcd'] });
    expect(
      directory
        .callsOf('search')
        .map(([domain, base, options]) => [domain, base, (options as { filter: string }).filter]),
    ).toEqual([
      [
        'contoso.test',
        undefined,
        '(&(objectSid=*)(|(userAccountControl:1.2.840.113556.1.4.803:=524288)(msDS-AllowedToActOnBehalfOfOtherIdentity=*)))',
      ],
      [
        'fabrikam.test',
        undefined,
        '(&(objectSid=*)(|(userAccountControl:1.2.840.113556.1.4.803:=524288)(msDS-AllowedToActOnBehalfOfOtherIdentity=*)))',
      ],
    ]);
    expect(page.items.map((i) => i.samAccountName)).not.toContain('APP02$');
    for (const item of page.items) expect(item.kinds.every((k) => k === 'rbcd' || k === 'unconstrained')).toBe(true);
  });

  it('a base routes to its domain only, and is searched as given', async () => {
    const { directory, service } = inventory(all);
    const page = await service.inventory({ base: 'OU=Servers, DC=Fabrikam, DC=Test' });
    expect(directory.callsOf('search').map(([domain, base]) => [domain, base])).toEqual([
      ['fabrikam.test', 'OU=Servers, DC=Fabrikam, DC=Test'],
    ]);
    expect(page.items.map((i) => i.samAccountName)).toEqual(['FAB01$']);
    await expect(service.inventory({ base: 'DC=example,DC=com' })).rejects.toMatchObject({
      code: 'DOMAIN_NOT_CONFIGURED',
    });
  });

  it('pages with limit and an opaque cursor; names only the SIDs of the page', async () => {
    const { directory, service } = inventory(all);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await service.inventory({ limit: 5, cursor });
      expect(page.total).toBe(11);
      expect(page.items.length).toBe(pages < 3 ? 5 : 1);
      seen.push(...page.items.map((i) => i.dn));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(
      all
        .filter((o) => o !== plain)
        .map((o) => o.dn)
        .sort((a, b) => a.localeCompare(b)),
    );
    for (const [sids] of directory.callsOf('resolveSids')) expect((sids as string[]).length).toBeLessThanOrEqual(10);
  });

  it('filters by risk before paging: total and every page count only the items that carry it', async () => {
    const { service } = inventory(all);
    const orphans = await service.inventory({ risk: 'ORPHANED_SID' });
    expect(orphans.items.map((i) => i.samAccountName)).toEqual(['APP06$']);
    expect(orphans.total).toBe(1);
    // The control: without the risk, the same listing has them all.
    expect((await service.inventory({})).total).toBe(11);
    const protectedTargets: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; pages < 5; pages++) {
      const page = await service.inventory({ risk: 'RBCD_ON_PROTECTED_TARGET', limit: 1, cursor });
      expect(page.total).toBe(2);
      expect(page.items).toHaveLength(1);
      expect(codes(page.items[0])).toContain('RBCD_ON_PROTECTED_TARGET');
      protectedTargets.push(page.items[0].samAccountName);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(protectedTargets.sort()).toEqual(['ADM01$', 'PAW01$']);
    expect((await service.inventory({ risk: 'MACHINE_ACCOUNT_QUOTA' })).items).toEqual([]);
  });

  it("a cursor answers only its own risk's listing", async () => {
    const { service } = inventory(all);
    const first = await service.inventory({ risk: 'RBCD_ON_PROTECTED_TARGET', limit: 1 });
    await expect(
      service.inventory({ risk: 'ORPHANED_SID', limit: 1, cursor: first.nextCursor ?? undefined }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each([
    [{ kinds: ['rbcd', 'bogus'] as never[] }],
    [{ risk: 'NOT_A_RISK' as never }],
    [{ risk: 'RBCD_WRITABLE_BY_NON_TIER0' as const, writers: false }],
    [{ cursor: 'garbage' }],
    [{ cursor: Buffer.from('o:-1').toString('base64url') }],
  ])('refuses %j with VALIDATION_FAILED, before any search', async (input) => {
    const { directory, service } = inventory(all);
    await expect(service.inventory(input)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(directory.calls).toEqual([]);
  });

  it('flags an RBCD entry any account holds (Domain Computers, BUILTIN\\Users), not a deny for one', async () => {
    const computers = account('APP09', 2009, { rbcd: rbcdValue(`${CONTOSO.domainSid}-515`) });
    const users = account('APP10', 2010, { rbcd: rbcdValue('S-1-5-32-545') });
    const deny = account('APP11', 2011, { rbcd: rbcdValue({ sid: 'S-1-5-11', type: 'deny' }, web.sid) });
    const { service } = inventory([computers, users, deny]);
    const byName = Object.fromEntries((await service.inventory({})).items.map((i) => [i.samAccountName, codes(i)]));
    expect(byName.APP09$).toContain('RBCD_OPEN_TO_ANY_ACCOUNT'); // (and ORPHANED_SID: the fake has no Domain Computers group)
    expect(byName.APP10$).toEqual(['RBCD_OPEN_TO_ANY_ACCOUNT']);
    expect(byName.APP11$).not.toContain('RBCD_OPEN_TO_ANY_ACCOUNT');
  });
});
