// Where may a principal delegate, the inventory with its risk flags and paging, and plans (that
// write nothing), against the sandbox DCs. Every object the test writes lives in its own OU.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Control } from 'ldapts';
import { enableProtocolTransition } from '../support/kerberos';
import {
  adminClient,
  createGroup,
  deleteObject,
  domainOfDn,
  readEntry,
  readRbcdRaw,
  referenceRbcdDescriptor,
  REPO_ROOT,
  sidToString,
  uniqueName,
  UAC,
  withAceMask,
  withClient,
  writeRbcdRaw,
} from '../support/sandbox';
import { createTestApp, TestApp } from '../support/test-app';

const GENERIC_ALL = 0x10000000;
/** LDAP_SERVER_TREE_DELETE_OID: deletes an OU with everything in it, in one request. */
const TREE_DELETE = new Control('1.2.840.113556.1.4.805', { critical: true });
const TIER0_DENY = 'Tier 0 assets never accept delegation';

/** The sandbox RBCD_CONFIG plus the policy of API.md (Tier 0 denied, two approvals under OU=Servers). */
function configWithPolicy(): string {
  const yaml = `${readFileSync(`${REPO_ROOT}/.sandbox/rbcd.yaml`, 'utf8')}
policy:
  rules:
    - match: {targetDnSuffix: "OU=Tier0,DC=contoso,DC=test"}
      deny: "${TIER0_DENY}"
    - match: {targetDnSuffix: "OU=Servers,DC=contoso,DC=test"}
      requiredApprovals: 2
`;
  const file = join(mkdtempSync(join(tmpdir(), 'rbcd-queries-')), 'rbcd.yaml');
  writeFileSync(file, yaml);
  return file;
}

interface Computer {
  dn: string;
  sid: string;
  samAccountName: string;
  dnsHostName: string;
}

/**
 * Enabled computer accounts without a password, on one admin connection: these tests never ask the
 * KDC, and a password (Kerberos keys) costs the DC most of a second per account.
 */
async function addComputers(parent: string, prefixes: string[]): Promise<Computer[]> {
  const domain = domainOfDn(parent);
  return withClient(adminClient(domain.name), async (c) => {
    const list: Computer[] = [];
    for (const prefix of prefixes) {
      const name = uniqueName(prefix);
      const dn = `CN=${name},${parent}`;
      const dnsHostName = `${name.toLowerCase()}.${domain.name}`;
      await c.add(dn, [
        new Attribute({ type: 'objectClass', values: ['computer'] }),
        new Attribute({ type: 'sAMAccountName', values: [`${name}$`] }),
        new Attribute({ type: 'dNSHostName', values: [dnsHostName] }),
        new Attribute({ type: 'userAccountControl', values: [String(UAC.WORKSTATION_TRUST_ACCOUNT)] }),
      ]);
      const { searchEntries } = await c.search(dn, {
        scope: 'base',
        attributes: ['objectSid'],
        explicitBufferAttributes: ['objectSid'],
      });
      list.push({
        dn,
        sid: sidToString(searchEntries[0].objectSid as Buffer),
        samAccountName: `${name}$`,
        dnsHostName,
      });
    }
    return list;
  });
}

/** A deny ACE (type 1) in front of allow ACEs, as the sandbox helpers only write allow ACEs. */
function denyThenAllow(denySid: string, allowSids: string[]): Buffer {
  const bytes = referenceRbcdDescriptor([denySid, ...allowSids]);
  // Header (20) + owner S-1-5-32-544 (16) + ACL header (8): the first ACE's type byte.
  const FIRST_ACE = 44;
  if (bytes[FIRST_ACE] !== 0x00 || bytes.readUInt16LE(FIRST_ACE + 2) !== 8 + 8 + 4 * 5)
    throw new Error('unexpected layout');
  bytes[FIRST_ACE] = 0x01;
  return bytes;
}

describe('live delegation queries: principal, inventory, plan (REST)', () => {
  let t: TestApp;
  /** Objects outside the test's OU (the OU itself goes with a tree delete). */
  const outside: string[] = [];
  let ou: string;
  let frontEnd: Computer;
  let group: { dn: string; sid: string; name: string };

  const createOutside = async (prefix: string, parent: string) => {
    const [c] = await addComputers(parent, [prefix]);
    outside.push(c.dn);
    return c;
  };
  const addOu = (dn: string) =>
    withClient(adminClient(), (c) =>
      c.add(dn, [new Attribute({ type: 'objectClass', values: ['organizationalUnit'] })]),
    );
  const modify = (dn: string, type: string, values: string[], operation: 'replace' | 'add' = 'replace') =>
    withClient(adminClient(), (c) =>
      c.modify(dn, new Change({ operation, modification: new Attribute({ type, values }) })),
    );

  beforeAll(async () => {
    t = await createTestApp({ env: { RBCD_CONFIG: configWithPolicy() } });
    ou = `OU=${uniqueName('T')},OU=Servers,DC=contoso,DC=test`;
    await addOu(ou);
    [frontEnd] = await addComputers(ou, ['FE']);
    const name = uniqueName('G');
    group = { dn: `CN=${name},${ou}`, name, sid: '' };
    group.sid = await createGroup(group.dn, name, [frontEnd.dn]);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(outside.map((dn) => deleteObject(dn)));
    if (ou) await withClient(adminClient(), (c) => c.del(ou, [TREE_DELETE]));
  });

  describe('GET /delegations?principal=', () => {
    it('lists targets that allow the principal directly or through a group, in both domains; not denied or ineffective ones', async () => {
      const [direct, viaGroup, denied, ineffective, other] = await addComputers(ou, ['PD', 'PG', 'PX', 'PI', 'PO']);
      const remote = await createOutside('PF', 'OU=Servers,DC=fabrikam,DC=test');
      await writeRbcdRaw(direct.dn, referenceRbcdDescriptor([frontEnd.sid]));
      await writeRbcdRaw(viaGroup.dn, referenceRbcdDescriptor(['S-1-5-21-1-2-3-4444', group.sid]));
      await writeRbcdRaw(denied.dn, denyThenAllow(group.sid, [frontEnd.sid]));
      await writeRbcdRaw(
        ineffective.dn,
        withAceMask(referenceRbcdDescriptor([frontEnd.sid]), frontEnd.sid, GENERIC_ALL),
      );
      await writeRbcdRaw(other.dn, referenceRbcdDescriptor([group.sid.replace(/-\d+$/, '-1104')]));
      await writeRbcdRaw(remote.dn, referenceRbcdDescriptor([frontEnd.sid]));

      const res = await t
        .http()
        .get('/api/v1/delegations')
        .query({ principal: frontEnd.samAccountName })
        .set(t.admin)
        .expect(200);
      expect(res.body.principal).toMatchObject({ dn: frontEnd.dn, sid: frontEnd.sid, domain: 'contoso.test' });
      const mine = new Set([direct, viaGroup, denied, ineffective, other, remote].map((c) => c.dn));
      const found = res.body.targets
        .filter((x: { dn: string }) => mine.has(x.dn))
        .sort((a: { dn: string }, b: { dn: string }) => a.dn.localeCompare(b.dn));
      expect(found).toEqual(
        [
          {
            dn: direct.dn,
            sid: direct.sid,
            samAccountName: direct.samAccountName,
            dnsHostName: direct.dnsHostName,
            domain: 'contoso.test',
            via: ['direct'],
            warnings: [],
          },
          {
            dn: viaGroup.dn,
            sid: viaGroup.sid,
            samAccountName: viaGroup.samAccountName,
            dnsHostName: viaGroup.dnsHostName,
            domain: 'contoso.test',
            via: [`group ${group.name}`],
            warnings: [],
          },
          {
            dn: remote.dn,
            sid: remote.sid,
            samAccountName: remote.samAccountName,
            dnsHostName: remote.dnsHostName,
            domain: 'fabrikam.test',
            via: ['direct'],
            warnings: [],
          },
        ].sort((a, b) => a.dn.localeCompare(b.dn)),
      );
      // The denied and the GENERIC_ALL ones name it, but the KDC refuses: listed apart, with the reason.
      const ignored = res.body.ignored
        .filter((x: { dn: string }) => mine.has(x.dn))
        .map((x: { dn: string; warnings: { code: string }[] }) => [x.dn, x.warnings.map((w) => w.code)]);
      expect(ignored.sort()).toEqual(
        [
          [denied.dn, ['DENY_ACE']],
          [ineffective.dn, ['INEFFECTIVE_MASK']],
        ].sort(),
      );
    });
  });

  describe('GET /inventory', () => {
    let items: Record<string, Computer>;
    let orphanSid: string;
    let invOu: string;

    beforeAll(async () => {
      invOu = `OU=${uniqueName('I')},${ou}`;
      await addOu(invOu);
      const names = [
        'rbcd',
        'generic',
        'deny',
        'orphan',
        'invalid',
        'unconstrained',
        'transition',
        'constrained',
        'admin',
        'plain',
      ];
      const list = await addComputers(
        invOu,
        names.map(() => 'IN'),
      );
      items = Object.fromEntries(names.map((n, i) => [n, list[i]]));
      const gone = await createOutside('GONE', 'OU=Servers,DC=contoso,DC=test');
      orphanSid = gone.sid;
      await deleteObject(gone.dn);
      await writeRbcdRaw(items.rbcd.dn, referenceRbcdDescriptor([frontEnd.sid]));
      await writeRbcdRaw(
        items.generic.dn,
        withAceMask(referenceRbcdDescriptor([frontEnd.sid]), frontEnd.sid, GENERIC_ALL),
      );
      await writeRbcdRaw(items.deny.dn, denyThenAllow(group.sid, [frontEnd.sid]));
      await writeRbcdRaw(items.orphan.dn, referenceRbcdDescriptor([orphanSid, 'S-1-5-21-1-2-3-4444']));
      await writeRbcdRaw(items.invalid.dn, Buffer.from([1, 2, 3]));
      await writeRbcdRaw(items.admin.dn, referenceRbcdDescriptor([frontEnd.sid]));
      await modify(items.admin.dn, 'adminCount', ['1']);
      await modify(items.unconstrained.dn, 'userAccountControl', [
        String(UAC.WORKSTATION_TRUST_ACCOUNT | UAC.TRUSTED_FOR_DELEGATION),
      ]);
      await enableProtocolTransition(items.transition.dn);
      await modify(items.constrained.dn, 'msDS-AllowedToDelegateTo', ['cifs/serverc.contoso.test']);
    });

    const inventory = (query: Record<string, string | number>) =>
      t.http().get('/api/v1/inventory').query(query).set(t.admin);
    const byDn = (list: { dn: string }[]): Record<string, any> => Object.fromEntries(list.map((i) => [i.dn, i]));
    const riskCodes = (item: { risks: { code: string }[] }) => item.risks.map((r) => r.code).sort();

    it('lists every delegation setting under the base with its risks, and nothing else', async () => {
      const res = await inventory({ base: invOu }).expect(200);
      const found = byDn(res.body.items);
      expect(res.body.total).toBe(9);
      expect(res.body.nextCursor).toBeNull();
      expect(Object.keys(found).sort()).toEqual(
        Object.entries(items)
          .filter(([k]) => k !== 'plain')
          .map(([, c]) => c.dn)
          .sort(),
      );
      expect(found[items.rbcd.dn]).toMatchObject({
        kinds: ['rbcd'],
        risks: [],
        rbcdPrincipals: [
          { sid: frontEnd.sid, samAccountName: frontEnd.samAccountName, effective: true, aceType: 'allow' },
        ],
      });
      expect(riskCodes(found[items.generic.dn])).toEqual(['INEFFECTIVE_MASK']);
      expect(found[items.generic.dn].rbcdPrincipals).toEqual([expect.objectContaining({ effective: false })]);
      expect(riskCodes(found[items.deny.dn])).toEqual(['DENY_ACE']);
      expect(
        found[items.deny.dn].rbcdPrincipals.map((p: { samAccountName: string; aceType: string }) => [
          p.samAccountName,
          p.aceType,
        ]),
      ).toEqual([
        [group.name, 'deny'],
        [frontEnd.samAccountName, 'allow'],
      ]);
      expect(found[items.orphan.dn].risks).toEqual([
        expect.objectContaining({ code: 'ORPHANED_SID', sid: orphanSid }),
        expect.objectContaining({ code: 'ORPHANED_SID', sid: 'S-1-5-21-1-2-3-4444' }),
      ]);
      expect(riskCodes(found[items.invalid.dn])).toEqual(['INVALID_SECURITY_DESCRIPTOR']);
      expect(found[items.unconstrained.dn]).toMatchObject({
        kinds: ['unconstrained'],
        risks: [expect.objectContaining({ code: 'UNCONSTRAINED_ON_NON_DC' })],
      });
      expect(found[items.transition.dn]).toMatchObject({
        kinds: ['protocolTransition'],
        risks: [expect.objectContaining({ code: 'PROTOCOL_TRANSITION' })],
      });
      expect(found[items.constrained.dn]).toMatchObject({
        kinds: ['constrained'],
        allowedToDelegateTo: ['cifs/serverc.contoso.test'],
        risks: [],
      });
      expect(riskCodes(found[items.admin.dn])).toEqual(['RBCD_ON_PROTECTED_TARGET']);
    });

    it("flags RBCD on an object in OU=Tier0 (policy denies it); the domain controller's own unconstrained delegation is no risk", async () => {
      const tier0 = await createOutside('T0', 'OU=Tier0,DC=contoso,DC=test');
      await writeRbcdRaw(tier0.dn, referenceRbcdDescriptor([frontEnd.sid]));
      const res = await inventory({ base: 'OU=Tier0,DC=contoso,DC=test', kinds: 'rbcd' }).expect(200);
      const item = byDn(res.body.items)[tier0.dn];
      expect(item.risks).toEqual([
        expect.objectContaining({ code: 'RBCD_ON_PROTECTED_TARGET', message: expect.stringContaining(TIER0_DENY) }),
      ]);
      const dcs = await inventory({ base: 'OU=Domain Controllers,DC=contoso,DC=test', kinds: 'unconstrained' }).expect(
        200,
      );
      expect(dcs.body.items).toEqual([
        expect.objectContaining({ samAccountName: 'DC1$', kinds: ['unconstrained'], risks: [] }),
      ]);
    });

    it('filters by kind', async () => {
      const unconstrained = await inventory({ base: invOu, kinds: 'unconstrained' }).expect(200);
      expect(unconstrained.body.items.map((i: { dn: string }) => i.dn)).toEqual([items.unconstrained.dn]);
      const rbcdOrConstrained = await inventory({ base: invOu, kinds: 'rbcd,constrained' }).expect(200);
      expect(rbcdOrConstrained.body.total).toBe(7);
      for (const item of rbcdOrConstrained.body.items)
        expect(['rbcd', 'constrained']).toEqual(expect.arrayContaining(item.kinds));
    });

    it('filters by risk before paging: the total and the pages hold only the items that carry it', async () => {
      const orphans = await inventory({ base: invOu, risk: 'ORPHANED_SID' }).expect(200);
      expect(orphans.body.items.map((i: { dn: string }) => i.dn)).toEqual([items.orphan.dn]);
      expect(orphans.body.total).toBe(1);
      // Applied before paging: a page of one holds the one match (not the first of the nine), and no next page.
      const one = await inventory({ base: invOu, risk: 'UNCONSTRAINED_ON_NON_DC', limit: 1 }).expect(200);
      expect(one.body).toMatchObject({ total: 1, nextCursor: null });
      expect(one.body.items.map((i: { dn: string }) => i.dn)).toEqual([items.unconstrained.dn]);
      const protectedTargets = await inventory({ base: invOu, risk: 'RBCD_ON_PROTECTED_TARGET', kinds: 'rbcd' }).expect(
        200,
      );
      expect(protectedTargets.body.items.map((i: { dn: string }) => i.dn)).toEqual([items.admin.dn]);
      const bogus = await inventory({ base: invOu, risk: 'NOT_A_RISK' });
      expect([bogus.status, bogus.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(JSON.stringify(bogus.body.error)).toContain('risk');
    });

    it('pages with limit and cursor: every item once, in DN order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = cursor
          ? { base: invOu, limit: 4, cursor }
          : { base: invOu, limit: 4 };
        const res = await inventory(query).expect(200);
        expect(res.body.total).toBe(9);
        expect(res.body.items.length).toBeLessThanOrEqual(4);
        seen.push(...res.body.items.map((i: { dn: string }) => i.dn));
        cursor = res.body.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...seen].sort((a, b) => a.localeCompare(b)));
      expect(new Set(seen).size).toBe(9);
    });

    it("refuses bad input with the contract's codes", async () => {
      const kinds = await inventory({ base: invOu, kinds: 'rbcd,bogus' });
      expect([kinds.status, kinds.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const cursor = await inventory({ base: invOu, cursor: 'not-a-cursor' });
      expect([cursor.status, cursor.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const limit = await inventory({ base: invOu, limit: 0 });
      expect([limit.status, limit.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const foreign = await inventory({ base: 'OU=Servers,DC=example,DC=com' });
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'DOMAIN_NOT_CONFIGURED']);
      const missing = await inventory({ base: `OU=Nope,${invOu}` });
      expect(missing.status).toBe(404);
    });
  });

  describe('POST /delegations/plan', () => {
    let fresh: Computer;
    let granted: Computer;
    let broken: Computer;
    let planOu: string;
    let serverd: string;

    beforeAll(async () => {
      planOu = `OU=${uniqueName('P')},${ou}`;
      await addOu(planOu);
      [fresh, granted, broken] = await addComputers(planOu, ['PA', 'PB', 'PC']);
      await writeRbcdRaw(granted.dn, referenceRbcdDescriptor([frontEnd.sid]));
      await writeRbcdRaw(broken.dn, Buffer.from([1, 2, 3]));
      serverd = sidToString(
        (await readEntry('CN=SERVERD,OU=Servers,DC=contoso,DC=test', ['objectSid'])).objectSid as Buffer,
      );
    });

    const plan = (body: object) => t.http().post('/api/v1/delegations/plan').set(t.admin).send(body);
    const rawOf = async () => Promise.all([fresh, granted, broken].map((c) => readRbcdRaw(c.dn)));
    const itemFor = (body: { items: { target: { dn: string } }[] }, c: Computer) =>
      body.items.find((i) => i.target.dn === c.dn) as Record<string, any>;

    it('grant over a targetSearch: before/after, SDDL, policy per target; an undecodable value is refused; nothing written', async () => {
      const before = await rawOf();
      const res = await plan({ action: 'grant', targetSearch: { base: planOu }, principals: ['SERVERD'] }).expect(200);
      expect(res.body.items).toHaveLength(3);
      const serverdEntry = {
        sid: serverd,
        samAccountName: 'SERVERD$',
        dn: 'CN=SERVERD,OU=Servers,DC=contoso,DC=test',
        domain: 'contoso.test',
        resolved: true,
        accessMask: 0xf01ff,
        aceType: 'allow',
        effective: true,
      };
      expect(itemFor(res.body, fresh)).toEqual({
        target: {
          dn: fresh.dn,
          sid: fresh.sid,
          samAccountName: fresh.samAccountName,
          dnsHostName: fresh.dnsHostName,
          domain: 'contoso.test',
        },
        changed: true,
        before: { principals: [] },
        after: { principals: [serverdEntry] },
        sddlBefore: null,
        sddlAfter: `O:BAD:(A;;0xf01ff;;;${serverd})`,
        policy: { allowed: true, requiredApprovals: 2, reasons: [expect.stringContaining('OU=Servers')] },
        warnings: [],
      });
      const g = itemFor(res.body, granted);
      expect(g).toMatchObject({
        changed: true,
        sddlBefore: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})`,
        sddlAfter: `O:BAD:(A;;0xf01ff;;;${frontEnd.sid})(A;;0xf01ff;;;${serverd})`,
      });
      expect(g.before.principals.map((p: { samAccountName: string }) => p.samAccountName)).toEqual([
        frontEnd.samAccountName,
      ]);
      expect(g.after.principals.map((p: { samAccountName: string }) => p.samAccountName)).toEqual([
        frontEnd.samAccountName,
        'SERVERD$',
      ]);
      expect(itemFor(res.body, broken)).toMatchObject({
        changed: false,
        error: { code: 'INVALID_SECURITY_DESCRIPTOR' },
        before: { principals: [] },
        sddlBefore: null,
      });
      expect(await rawOf()).toEqual(before);
    });

    it('a targetSearch filter narrows the computers; a grant already in force changes nothing', async () => {
      const res = await plan({
        action: 'grant',
        targetSearch: { base: planOu, filter: `(cn=${granted.samAccountName.replace('$', '')})` },
        principals: [frontEnd.dnsHostName],
      }).expect(200);
      expect(res.body.items.map((i: { target: { dn: string }; changed: boolean }) => [i.target.dn, i.changed])).toEqual(
        [[granted.dn, false]],
      );
      expect(res.body.items[0].after).toEqual(res.body.items[0].before);
    });

    it('revoke and clear over explicit targets; nothing written', async () => {
      const before = await rawOf();
      const revoke = await plan({
        action: 'revoke',
        targets: [granted.dn, fresh.samAccountName],
        principals: [`CONTOSO\\${frontEnd.samAccountName}`],
      }).expect(200);
      expect(itemFor(revoke.body, granted)).toMatchObject({
        changed: true,
        after: { principals: [] },
        sddlAfter: null,
      });
      expect(itemFor(revoke.body, fresh)).toMatchObject({
        changed: false,
        before: { principals: [] },
        after: { principals: [] },
      });
      const clear = await plan({
        action: 'clear',
        targets: [granted.sid, broken.dnsHostName, fresh.samAccountName],
      }).expect(200);
      expect(itemFor(clear.body, granted)).toMatchObject({ changed: true, after: { principals: [] }, sddlAfter: null });
      expect(itemFor(clear.body, broken)).toMatchObject({ changed: true, after: { principals: [] } });
      expect(itemFor(clear.body, broken).error).toBeUndefined();
      expect(itemFor(clear.body, fresh)).toMatchObject({ changed: false });
      expect(await rawOf()).toEqual(before);
    });

    it("a Tier 0 target: policy not allowed, with the rule's reason", async () => {
      const res = await plan({ action: 'grant', targets: ['PAW01'], principals: [frontEnd.samAccountName] }).expect(
        200,
      );
      expect(res.body.items[0].policy).toMatchObject({ allowed: false, reasons: expect.arrayContaining([TIER0_DENY]) });
      expect(await readRbcdRaw('CN=PAW01,OU=Tier0,DC=contoso,DC=test')).toBeNull();
    });

    it.each<[string, object, number, string]>([
      [
        'targets and targetSearch',
        {
          action: 'grant',
          targets: ['SERVERC'],
          targetSearch: { base: 'OU=Servers,DC=contoso,DC=test' },
          principals: ['SERVERB'],
        },
        400,
        'VALIDATION_FAILED',
      ],
      ['neither', { action: 'grant', principals: ['SERVERB'] }, 400, 'VALIDATION_FAILED'],
      ['no principal for a grant', { action: 'grant', targets: ['SERVERC'] }, 400, 'VALIDATION_FAILED'],
      [
        'an unknown action',
        { action: 'replace', targets: ['SERVERC'], principals: ['SERVERB'] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an invalid filter',
        {
          action: 'grant',
          targetSearch: { base: 'OU=Servers,DC=contoso,DC=test', filter: '(cn=' },
          principals: ['SERVERB'],
        },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown target',
        { action: 'grant', targets: ['NOSUCHHOST'], principals: ['SERVERB'] },
        404,
        'TARGET_NOT_FOUND',
      ],
      [
        'an unknown principal',
        { action: 'grant', targets: ['SERVERC'], principals: ['x)(cn=*'] },
        404,
        'PRINCIPAL_NOT_FOUND',
      ],
      [
        'a search base outside every domain',
        { action: 'clear', targetSearch: { base: 'OU=Servers,DC=example,DC=com' } },
        404,
        'DOMAIN_NOT_CONFIGURED',
      ],
    ])('%s → error', async (_label, body, status, code) => {
      const res = await plan(body);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    });
  });
});
