import type { AppConfig } from '../config/config.types';
import { loadConfig } from '../config/load-config';
import { account, CONTOSO, FABRIKAM } from '../directory/testing/accounts';
import { FakeDirectory } from '../directory/testing/fake-directory';
import { AD_SCHEMA, emptyAcl, encodeSecurityDescriptor, type Ace } from '../security-descriptor';
import { WritersService } from './writers.service';

const EMPTY = new Uint8Array(0);
const allow = (sid: string, mask: number): Ace => ({ kind: 'access', type: 0, flags: 0, mask, sid, trailing: EMPTY });
const oa = (sid: string, mask: number, objectType: string, flags = 0): Ace => ({
  kind: 'object',
  type: 5,
  flags,
  mask,
  objectFlags: 1,
  objectType,
  sid,
  trailing: EMPTY,
});
function descriptor(owner: string, aces: Ace[]): Buffer {
  return encodeSecurityDescriptor({
    revision: 1,
    sbz1: 0,
    control: 0x8004,
    owner,
    group: null,
    sacl: null,
    dacl: { ...emptyAcl(4), aces },
    layout: ['owner', 'dacl'],
  });
}

const svc = account('svc-rbcd', 1102, { user: true, ou: 'OU=Service Accounts' });
const alice = account('alice', 1103, { user: true });
const bob = account('bob', 1104, { user: true });
const guarded = account('guard', 1105, { user: true, adminCount: 1 });
const helpdesk = account('RBCD-Helpdesk', 1601, {
  objectClass: ['top', 'group'],
  samAccountName: 'RBCD-Helpdesk',
  dnsHostName: undefined,
  ou: 'CN=Users',
});
const ops = account('Server-Ops', 1602, {
  objectClass: ['top', 'group'],
  samAccountName: 'Server-Ops',
  dnsHostName: undefined,
  ou: 'CN=Users',
});
const DOMAIN_ADMINS = 'S-1-5-21-1-2-3-512';

const config: AppConfig = {
  ...loadConfig({ DATABASE_URL: 'sqlite::memory:' }),
  domains: [
    {
      name: 'contoso.test',
      urls: ['ldaps://dc'],
      bindDn: svc.dn,
      startTls: false,
      connectTimeoutMs: 1,
      operationTimeoutMs: 1,
    },
  ],
  policy: {
    defaults: { requiredApprovals: 1, maxDuration: 'P30D', requireTicket: false },
    rules: [],
    tier0Groups: ['CONTOSO\\Server-Ops'],
  },
};

function setUp(targetSd: Buffer | null) {
  const target = account('SERVERC', 1200, { securityDescriptor: targetSd });
  const directory = new FakeDirectory(
    {
      domains: [CONTOSO, FABRIKAM],
      objects: [target, svc, alice, bob, guarded, helpdesk, ops],
      groups: { [bob.sid]: [DOMAIN_ADMINS], [alice.sid]: [helpdesk.sid] },
    },
    ['resolve', 'resolveSids', 'groupSids', 'readSecurityDescriptor'],
  );
  return { target, directory, writers: new WritersService(directory, config) };
}

describe('WritersService.rbcdWriters', () => {
  it('classifies every writer: tier0, service (the bind account), self, other; warns for other and SELF', async () => {
    const sd = descriptor(alice.sid, [
      allow(DOMAIN_ADMINS, 0xf01ff),
      allow('S-1-5-18', 0xf01ff),
      oa(svc.sid, 0x30, AD_SCHEMA.rbcdAttribute),
      oa('S-1-5-10', 0x30, AD_SCHEMA.rbcdAttribute),
      oa(helpdesk.sid, 0x20, AD_SCHEMA.accountRestrictions),
      allow(bob.sid, 0x40000),
      allow(guarded.sid, 0x80000),
      allow(ops.sid, 0xf01ff),
      allow('S-1-5-21-9-9-9-1000', 0x20),
    ]);
    const { target, writers } = setUp(sd);
    const { writers: found, warnings } = await writers.rbcdWriters(target);
    expect(found?.map((w) => [w.samAccountName ?? w.sid, w.via, w.rights.join('+'), w.class])).toEqual([
      ['alice', 'owner', 'WriteDacl', 'other'],
      [DOMAIN_ADMINS, 'ace', 'GenericAll', 'tier0'],
      ['SYSTEM', 'ace', 'GenericAll', 'tier0'],
      ['svc-rbcd', 'ace', 'WriteProperty', 'service'],
      ['SELF', 'ace', 'WriteProperty', 'self'],
      ['RBCD-Helpdesk', 'ace', 'WriteProperty', 'other'],
      ['bob', 'ace', 'WriteDacl', 'tier0'], // in Domain Admins (tokenGroups)
      ['guard', 'ace', 'WriteOwner', 'tier0'], // adminCount=1
      ['Server-Ops', 'ace', 'GenericAll', 'tier0'], // policy.tier0Groups
      ['S-1-5-21-9-9-9-1000', 'ace', 'WriteProperty', 'other'],
    ]);
    expect(found?.find((w) => w.samAccountName === 'RBCD-Helpdesk')).toMatchObject({
      dn: helpdesk.dn,
      domain: 'contoso.test',
      resolved: true,
    });
    expect(warnings.map((w) => w.code)).toEqual(['RBCD_WRITABLE_BY_NON_TIER0', 'RBCD_SELF_WRITABLE']);
    expect(warnings[0].message).toMatch(
      /alice \(owner, WriteDacl\); RBCD-Helpdesk \(WriteProperty\); S-1-5-21-9-9-9-1000 \(WriteProperty\)/,
    );
    expect(warnings[1].message).toMatch(/LDAP signing plus channel binding/);
  });

  it('the target’s own SID is self; a Tier 0-only descriptor warns about nothing', async () => {
    const { target, writers } = setUp(null);
    const own = descriptor(DOMAIN_ADMINS, [oa(target.sid, 0x20, AD_SCHEMA.rbcdAttribute)]);
    const { writers: found, warnings } = await writers.rbcdWriters({ ...target, securityDescriptor: own });
    expect(found?.map((w) => w.class)).toEqual(['tier0', 'self']);
    expect(warnings.map((w) => w.code)).toEqual(['RBCD_SELF_WRITABLE']);
    const clean = await writers.rbcdWriters({
      ...target,
      securityDescriptor: descriptor(DOMAIN_ADMINS, [allow('S-1-5-32-548', 0xf01ff)]),
    });
    expect(clean.warnings).toEqual([]);
  });

  it('reads the descriptor when the object does not carry it; an unreadable or undecodable one is WRITERS_UNKNOWN', async () => {
    const { target, directory, writers } = setUp(null);
    const { securityDescriptor: _, ...bare } = target;
    const unread = await writers.rbcdWriters(bare);
    expect(directory.callsOf('readSecurityDescriptor')).toHaveLength(1);
    expect(unread).toEqual({ writers: null, warnings: [expect.objectContaining({ code: 'WRITERS_UNKNOWN' })] });
    const garbage = await writers.rbcdWriters({ ...target, securityDescriptor: Buffer.from([1, 2, 3]) });
    expect(garbage.writers).toBeNull();
  });
});
