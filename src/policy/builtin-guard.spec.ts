// The "groups that mean anyone" walk across the domains of one forest, on the strict fake: a group
// may name a group of another domain of its forest by DN (no foreign security principal), which
// Samba cannot show (it makes no multi-domain forest), so this part is tested here; the walk's
// LDAP side (member read with SIDs, memberOf search) runs against the real DC in
// test/integration/builtin-principal-policy.spec.ts.
import type { AppConfig } from '../config/config.types';
import { loadConfig } from '../config/load-config';
import type { DirectoryObject, DomainInfo } from '../directory/directory.types';
import { account, CONTOSO } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { emptyAcl, encodeSecurityDescriptor } from '../security-descriptor';
import { BuiltinGuard } from './builtin-guard.service';
import { WritersService } from './writers.service';

const EMEA: DomainInfo = {
  name: 'emea.contoso.test',
  netbios: 'EMEA',
  baseDn: 'DC=emea,DC=contoso,DC=test',
  domainSid: 'S-1-5-21-7-8-9',
  domainFunctionality: 7,
};
/** A domain of the same forest the broker has no connection to. */
const APAC = { name: 'apac.contoso.test', baseDn: 'DC=apac,DC=contoso,DC=test', domainSid: 'S-1-5-21-10-11-12' };

const config: AppConfig = {
  ...loadConfig({ DATABASE_URL: 'sqlite::memory:' }),
  policy: { defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false }, rules: [] },
};

/** Owned by its domain's Domain Admins, no other ACE: nobody outside Tier 0 changes its membership. */
function adminOnly(domainSid: string): Buffer {
  return encodeSecurityDescriptor({
    revision: 1,
    sbz1: 0,
    control: 0x8004,
    owner: `${domainSid}-512`,
    group: null,
    sacl: null,
    dacl: { ...emptyAcl(4), aces: [] },
    layout: ['owner', 'dacl'],
  });
}

function group(
  name: string,
  rid: number,
  domain: { name: string; baseDn: string; domainSid?: string },
): DirectoryObject {
  return {
    ...account(name, rid, { user: true }),
    dn: `CN=${name},CN=Users,${domain.baseDn}`,
    domain: domain.name,
    sid: `${domain.domainSid}-${rid}`,
    samAccountName: name,
    userPrincipalName: undefined,
    objectClass: ['top', 'group'],
    groupType: 0x80000008,
    securityDescriptor: adminOnly(domain.domainSid as string),
  };
}

const emeaComputers = group('Domain Computers', 515, EMEA);
const emeaBoxes = group('EmeaBoxes', 1301, EMEA);
const emeaJump = group('EmeaJumpHosts', 1302, EMEA);
const emeaBox = {
  ...account('EMEABOX1', 1303),
  dn: `CN=EMEABOX1,OU=Servers,${EMEA.baseDn}`,
  domain: EMEA.name,
  sid: `${EMEA.domainSid}-1303`,
};
const allBoxes = group('AllBoxesX', 1401, CONTOSO);
const jump = group('JumpX', 1402, CONTOSO);
const apacComputers = group('Domain Computers', 515, APAC);
const apacOps = group('ApacOps', 1501, APAC);
const reachAny = group('ReachAny', 1403, CONTOSO);
const reachOps = group('ReachOps', 1404, CONTOSO);

function guard(): { guard: BuiltinGuard; directory: FakeDirectory } {
  const directory = new FakeDirectory(
    {
      domains: [CONTOSO, EMEA],
      objects: [
        emeaComputers,
        emeaBoxes,
        emeaJump,
        emeaBox,
        allBoxes,
        jump,
        apacComputers,
        apacOps,
        reachAny,
        reachOps,
      ],
      members: {
        [allBoxes.sid]: [emeaBoxes.sid], // CONTOSO\AllBoxesX names EMEA\EmeaBoxes by DN
        [emeaBoxes.sid]: [emeaComputers.sid],
        [jump.sid]: [emeaJump.sid], // positive control: a plain group of jump hosts in EMEA
        [emeaJump.sid]: [emeaBox.sid],
        [reachAny.sid]: [apacComputers.sid],
        [reachOps.sid]: [apacOps.sid],
      },
    },
    ['domains', 'nestedMembers', 'readSecurityDescriptor', 'resolveSids', 'groupSids'],
  );
  return { guard: new BuiltinGuard(directory, new WritersService(directory, config), config), directory };
}

describe('BuiltinGuard: groups nested across the domains of one forest (by DN)', () => {
  it('follows a member DN into another configured domain and names the chain there', async () => {
    const { guard: g, directory } = guard();
    const verdict = await g.checkPrincipal(allBoxes);
    expect(verdict.refusals).toEqual([
      expect.stringMatching(
        /^AllBoxesX → EMEA\\EmeaBoxes → EMEA\\Domain Computers: AllBoxesX holds, through its nesting/,
      ),
    ]);
    // The EMEA group was walked in EMEA (its own members and permissions read there).
    expect(directory.callsOf('nestedMembers').map(([g]) => (g as DirectoryObject).domain)).toEqual([
      'contoso.test',
      'emea.contoso.test',
    ]);
  });

  it('positive control: a plain group of jump hosts in the other domain is accepted', async () => {
    const { guard: g } = guard();
    await expect(g.checkPrincipal(jump)).resolves.toEqual({ refusals: [], warnings: [] });
  });

  it('a member in a domain of the forest the broker is not configured for refuses the group, naming it', async () => {
    const { guard: g } = guard();
    expect((await g.checkPrincipal(reachAny)).refusals).toEqual([
      expect.stringMatching(/^ReachAny → Domain Computers \(S-1-5-21-10-11-12-515\): ReachAny holds/),
    ]);
    expect((await g.checkPrincipal(reachOps)).refusals).toEqual([
      `ReachOps → ${apacOps.dn}: a member in a domain the broker is not configured for; its membership cannot be checked`,
    ]);
  });
});
