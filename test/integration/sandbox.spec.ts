// The sandbox DCs are what the other integration tests assume: fixtures, the least-privilege
// service account, the schema fix, and TLS that is really verified.
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, InsufficientAccessError } from 'ldapts';
import {
  adminClient,
  createComputer,
  CreatedComputer,
  deleteObject,
  findDn,
  loadSandbox,
  RBCD_ATTRIBUTE,
  readEntry,
  readRbcdRaw,
  referenceRbcdDescriptor,
  sandboxDomain,
  svcClient,
  svcPassword,
  UAC,
  uniqueName,
  withClient,
  writeRbcdRaw,
} from '../support/sandbox';

const SAMBA_TOOL_SAMPLE =
  'AQAEgBQAAAAAAAAAAAAAACQAAAABAgAAAAAABSAAAAAgAgAABAAsAAEAAAAAACQA/wEPAAEFAAAAAAAFFQAAANEmfcmgUSpKxSzxhU4EAAA=';

function replaceRbcd(bytes: Buffer): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type: RBCD_ATTRIBUTE, values: [bytes] }) });
}

describe('sandbox DCs', () => {
  it('describes both domains in sandbox.json', () => {
    const info = loadSandbox();
    expect(info.domains.map((d) => [d.name, d.netbios, d.realm, d.ip])).toEqual([
      ['contoso.test', 'CONTOSO', 'CONTOSO.TEST', '127.0.0.1'],
      ['fabrikam.test', 'FABRIKAM', 'FABRIKAM.TEST', '127.0.0.2'],
    ]);
  });

  describe.each([
    ['contoso.test', 'DC=contoso,DC=test'],
    ['fabrikam.test', 'DC=fabrikam,DC=test'],
  ])('%s', (domain, baseDn) => {
    it('answers LDAPS at functional level 2016 with the RBCD attribute writable', async () => {
      await withClient(adminClient(domain), async (c) => {
        const root = await c.search('', { scope: 'base', attributes: ['defaultNamingContext', 'domainFunctionality'] });
        expect(root.searchEntries[0].defaultNamingContext).toBe(baseDn);
        expect(Number(root.searchEntries[0].domainFunctionality)).toBeGreaterThanOrEqual(7);
        const schema = await c.search(
          `CN=ms-DS-Allowed-To-Act-On-Behalf-Of-Other-Identity,CN=Schema,CN=Configuration,${baseDn}`,
          {
            scope: 'base',
            attributes: ['systemOnly', 'schemaIDGUID'],
          },
        );
        expect(schema.searchEntries[0].systemOnly).toBe('FALSE');
      });
    });
  });

  describe('CONTOSO fixtures', () => {
    it.each([
      ['SERVERB$', 'CN=SERVERB,OU=Servers,DC=contoso,DC=test'],
      ['SERVERC$', 'CN=SERVERC,OU=Servers,DC=contoso,DC=test'],
      ['SERVERD$', 'CN=SERVERD,OU=Servers,DC=contoso,DC=test'],
      ['JUMPBOX$', 'CN=JUMPBOX,OU=Servers,DC=contoso,DC=test'],
      ['PAW01$', 'CN=PAW01,OU=Tier0,DC=contoso,DC=test'],
      ['alice', 'CN=alice,CN=Users,DC=contoso,DC=test'],
      ['bob', 'CN=bob,CN=Users,DC=contoso,DC=test'],
      ['carol', 'CN=carol,CN=Users,DC=contoso,DC=test'],
      ['svc-rbcd', 'CN=svc-rbcd,OU=Service Accounts,DC=contoso,DC=test'],
      ['RBCD-FrontEnds', 'CN=RBCD-FrontEnds,CN=Users,DC=contoso,DC=test'],
    ])('%s is %s', async (sam, dn) => {
      expect(await findDn(sam, 'contoso.test')).toBe(dn);
    });

    it.each(['SERVERB', 'SERVERC', 'SERVERD', 'JUMPBOX', 'PAW01'])(
      '%s is an enabled workstation account with a password and host SPNs',
      async (name) => {
        const ou = name === 'PAW01' ? 'OU=Tier0' : 'OU=Servers';
        const e = await readEntry(`CN=${name},${ou},DC=contoso,DC=test`, [
          'userAccountControl',
          'pwdLastSet',
          'servicePrincipalName',
          'dNSHostName',
        ]);
        const uac = Number(e.userAccountControl);
        expect(uac & UAC.WORKSTATION_TRUST_ACCOUNT).toBeTruthy();
        expect(uac & UAC.ACCOUNTDISABLE).toBe(0);
        expect(Number(e.pwdLastSet)).toBeGreaterThan(0);
        expect(e.dNSHostName).toBe(`${name.toLowerCase()}.contoso.test`);
        expect(e.servicePrincipalName).toEqual(expect.arrayContaining([`HOST/${name.toLowerCase()}.contoso.test`]));
      },
    );

    it('SERVERB is trusted for protocol transition; SERVERC has a cifs SPN', async () => {
      const b = await readEntry('CN=SERVERB,OU=Servers,DC=contoso,DC=test', ['userAccountControl']);
      expect(Number(b.userAccountControl) & UAC.TRUSTED_TO_AUTH_FOR_DELEGATION).toBeTruthy();
      const c = await readEntry('CN=SERVERC,OU=Servers,DC=contoso,DC=test', ['servicePrincipalName']);
      expect(c.servicePrincipalName).toEqual(expect.arrayContaining(['cifs/serverc.contoso.test']));
    });

    it('carol is NOT_DELEGATED, bob is in Protected Users, SERVERD is in RBCD-FrontEnds', async () => {
      const carol = await readEntry('CN=carol,CN=Users,DC=contoso,DC=test', ['userAccountControl']);
      expect(Number(carol.userAccountControl) & UAC.NOT_DELEGATED).toBeTruthy();
      const alice = await readEntry('CN=alice,CN=Users,DC=contoso,DC=test', ['userAccountControl']);
      expect(Number(alice.userAccountControl) & UAC.NOT_DELEGATED).toBe(0);
      const bob = await readEntry('CN=bob,CN=Users,DC=contoso,DC=test', ['memberOf']);
      expect([bob.memberOf].flat()).toContain('CN=Protected Users,CN=Users,DC=contoso,DC=test');
      const group = await readEntry('CN=RBCD-FrontEnds,CN=Users,DC=contoso,DC=test', ['member']);
      expect([group.member].flat()).toContain('CN=SERVERD,OU=Servers,DC=contoso,DC=test');
    });

    it('no fixture starts with an RBCD value', async () => {
      for (const dn of [
        'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
        'CN=SERVERC,OU=Servers,DC=contoso,DC=test',
        'CN=PAW01,OU=Tier0,DC=contoso,DC=test',
      ]) {
        expect(await readRbcdRaw(dn)).toBeNull();
      }
    });
  });

  describe('FABRIKAM fixtures', () => {
    it.each([
      ['FABWEB$', 'CN=FABWEB,OU=Servers,DC=fabrikam,DC=test'],
      ['dave', 'CN=dave,CN=Users,DC=fabrikam,DC=test'],
      ['svc-rbcd', 'CN=svc-rbcd,OU=Service Accounts,DC=fabrikam,DC=test'],
    ])('%s is %s', async (sam, dn) => {
      expect(await findDn(sam, 'fabrikam.test')).toBe(dn);
    });
  });

  describe('the least-privilege service account', () => {
    const created: CreatedComputer[] = [];
    afterAll(async () => {
      for (const c of created) await deleteObject(c.dn);
    });

    it.each(['contoso.test', 'fabrikam.test'])(
      'in %s writes and clears the attribute on a computer in OU=Servers',
      async (domain) => {
        const target = await createComputer(uniqueName('SB'), { domain });
        created.push(target);
        const value = Buffer.from(SAMBA_TOOL_SAMPLE, 'base64');
        await withClient(svcClient(domain), async (c) => {
          await c.modify(target.dn, replaceRbcd(value));
          const { searchEntries } = await c.search(target.dn, {
            scope: 'base',
            attributes: [RBCD_ATTRIBUTE],
            explicitBufferAttributes: [RBCD_ATTRIBUTE],
          });
          expect(searchEntries[0][RBCD_ATTRIBUTE]).toEqual(value);
          await c.modify(
            target.dn,
            new Change({ operation: 'delete', modification: new Attribute({ type: RBCD_ATTRIBUTE }) }),
          );
        });
        expect(await readRbcdRaw(target.dn)).toBeNull();
      },
    );

    it('may not write any other attribute there', async () => {
      const target = await createComputer(uniqueName('SB'));
      created.push(target);
      await withClient(svcClient(), async (c) => {
        const err = await c
          .modify(
            target.dn,
            new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['x'] }) }),
          )
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InsufficientAccessError);
        expect((err as InsufficientAccessError).code).toBe(50);
      });
    });

    it('gets insufficientAccessRights (50) on PAW01 in OU=Tier0, and nothing changes', async () => {
      const paw = 'CN=PAW01,OU=Tier0,DC=contoso,DC=test';
      const err = await withClient(svcClient(), (c) =>
        c.modify(paw, replaceRbcd(referenceRbcdDescriptor(['S-1-5-21-1-2-3-1104']))).catch((e: unknown) => e),
      );
      expect(err).toBeInstanceOf(InsufficientAccessError);
      expect((err as InsufficientAccessError).code).toBe(50);
      expect(await readRbcdRaw(paw)).toBeNull();
    });

    it('admin helpers round-trip raw bytes (writeRbcdRaw / readRbcdRaw)', async () => {
      const target = await createComputer(uniqueName('SB'));
      created.push(target);
      const odd = Buffer.from([1, 2, 3]); // the DC stores bytes it cannot parse
      await writeRbcdRaw(target.dn, odd);
      expect(await readRbcdRaw(target.dn)).toEqual(odd);
      await writeRbcdRaw(target.dn, null);
      await writeRbcdRaw(target.dn, null); // clearing twice is fine
      expect(await readRbcdRaw(target.dn)).toBeNull();
    });
  });

  describe('TLS', () => {
    it('verifies the DC certificate: no CA, no connection', async () => {
      const d = sandboxDomain('contoso.test');
      const client = new Client({ url: d.url, connectTimeout: 5_000 });
      try {
        await expect(client.bind(d.svcDn, svcPassword())).rejects.toThrow(/certificate/i);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    });

    it('verifies the name: a certificate for dc1 is refused for another host name', async () => {
      const d = sandboxDomain('contoso.test');
      const client = new Client({
        url: d.url,
        tlsOptions: { ca: readFileSync(d.caFile), servername: 'dc9.contoso.test' },
        connectTimeout: 5_000,
      });
      try {
        await expect(client.bind(d.svcDn, svcPassword())).rejects.toThrow(/altnames/i);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    });

    it('with the CA, the service account binds to each DC by IP', async () => {
      for (const d of loadSandbox().domains) {
        await withClient(svcClient(d.name), async (c) => {
          const who = await c.exop('1.3.6.1.4.1.4203.1.11.3');
          expect(String(who.value)).toMatch(new RegExp(`^u:${d.netbios}\\\\svc-rbcd$`, 'i'));
        });
      }
    });

    it('allows simple bind on plain LDAP 389 (ldap server require strong auth = no)', async () => {
      const d = sandboxDomain('contoso.test');
      const client = new Client({ url: d.ldapUrl, connectTimeout: 5_000 });
      try {
        await client.bind(d.svcDn, svcPassword());
      } finally {
        await client.unbind().catch(() => undefined);
      }
    });
  });
});
