// GET /api/v1/delegations/{target} and ?principal= against the sandbox DCs: descriptors written
// directly by the test as Administrator, every identifier form, injection attempts, ambiguity,
// the second domain and authentication.
import { Attribute } from 'ldapts';
import fixtures from '../fixtures/security-descriptors.json';
import {
  adminClient,
  deleteObject,
  domainOfDn,
  readEntry,
  readRbcdRaw,
  referenceRbcdDescriptor,
  REPO_ROOT,
  sidToString,
  UAC,
  uniqueName,
  withAceMask,
  withClient,
  writeRbcdRaw,
} from '../support/sandbox';
import { createTestApp, TestApp } from '../support/test-app';

const GENERIC_ALL = 0x10000000;
const GENERIC_READ = 0x80000000;
const UNKNOWN_SID = 'S-1-5-21-1-2-3-4444';
const fixture = (name: string): Buffer =>
  Buffer.from(fixtures.valid.find((f) => f.name === name)?.base64 as string, 'base64');

interface Computer {
  dn: string;
  sid: string;
  samAccountName: string;
  dnsHostName: string;
}

/** An enabled computer account without a password (no test here asks the KDC; keys cost the DC time). */
async function addComputer(name: string, parent = 'OU=Servers,DC=contoso,DC=test'): Promise<Computer> {
  const domain = domainOfDn(parent);
  const dn = `CN=${name},${parent}`;
  const dnsHostName = `${name.toLowerCase()}.${domain.name}`;
  return withClient(adminClient(domain.name), async (c) => {
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
    return { dn, sid: sidToString(searchEntries[0].objectSid as Buffer), samAccountName: `${name}$`, dnsHostName };
  });
}

/** objectGUID bytes as AD prints them (first three groups little-endian); independent of src/. */
function guidString(bytes: Buffer): string {
  const hex = (b: Buffer) => b.toString('hex');
  const rev = (start: number, end: number) => hex(Buffer.from(bytes.subarray(start, end)).reverse());
  return `${rev(0, 4)}-${rev(4, 6)}-${rev(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

describe('live delegation queries (REST)', () => {
  let t: TestApp;
  const created: string[] = [];
  let target: Computer;
  let serverb: { sid: string; dn: string };
  let fabweb: { sid: string; dn: string };

  const path = (id: string) => `/api/v1/delegations/${encodeURIComponent(id)}`;
  // Every default computer can write its own list (SELF): that informational warning is tested in
  // test/integration/rbcd-writers.spec.ts and left out of the comparisons here.
  const withoutSelf = (res: { body: { warnings?: { code: string }[] } }) => {
    if (Array.isArray(res.body?.warnings))
      res.body.warnings = res.body.warnings.filter((w) => w.code !== 'RBCD_SELF_WRITABLE');
  };
  const show = (id: string, domain?: string) =>
    t
      .http()
      .get(path(id))
      .query(domain ? { domain } : {})
      .set(t.admin)
      .expect(withoutSelf);
  const sidOf = async (dn: string) => sidToString((await readEntry(dn, ['objectSid'])).objectSid as Buffer);

  beforeAll(async () => {
    t = await createTestApp({ env: { RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml` } });
    target = await addComputer(uniqueName('RD'));
    created.push(target.dn);
    serverb = {
      dn: 'CN=SERVERB,OU=Servers,DC=contoso,DC=test',
      sid: await sidOf('CN=SERVERB,OU=Servers,DC=contoso,DC=test'),
    };
    fabweb = {
      dn: 'CN=FABWEB,OU=Servers,DC=fabrikam,DC=test',
      sid: await sidOf('CN=FABWEB,OU=Servers,DC=fabrikam,DC=test'),
    };
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(created.map((dn) => deleteObject(dn)));
  });

  describe('GET /delegations/{target}: what the stored descriptor says', () => {
    /** Writes the bytes as Administrator, reads them through the API, checks raw is byte-identical. */
    async function written(bytes: Buffer) {
      await writeRbcdRaw(target.dn, bytes);
      expect(await readRbcdRaw(target.dn)).toEqual(bytes);
      const res = await show(target.samAccountName).expect(200);
      expect(res.body.raw).toBe(bytes.toString('base64'));
      expect(res.body.target).toEqual({
        dn: target.dn,
        sid: target.sid,
        samAccountName: target.samAccountName,
        dnsHostName: target.dnsHostName,
        domain: 'contoso.test',
      });
      return res.body;
    }
    const codes = (body: { warnings: { code: string }[] }) => body.warnings.map((w) => w.code).sort();

    it('no attribute: an empty list, raw and sddl null, no warning', async () => {
      await writeRbcdRaw(target.dn, null);
      const res = await show(target.samAccountName).expect(200);
      expect(res.body).toMatchObject({ principals: [], raw: null, sddl: null, warnings: [] });
    });

    it('samba-tool layout: principals of both domains by name, well-known and unknown SIDs', async () => {
      const body = await written(referenceRbcdDescriptor([serverb.sid, fabweb.sid, 'S-1-1-0', UNKNOWN_SID]));
      expect(body.principals).toEqual([
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
          sid: 'S-1-1-0',
          samAccountName: 'Everyone',
          dn: null,
          domain: null,
          resolved: true,
          accessMask: 0xf01ff,
          aceType: 'allow',
          effective: true,
        },
        {
          sid: UNKNOWN_SID,
          samAccountName: null,
          dn: null,
          domain: null,
          resolved: false,
          accessMask: 0xf01ff,
          aceType: 'allow',
          effective: true,
        },
      ]);
      expect(body.warnings).toEqual([expect.objectContaining({ code: 'UNRESOLVED_SID', sid: UNKNOWN_SID })]);
      expect(body.sddl).toBe(
        `O:BAD:(A;;0xf01ff;;;${serverb.sid})(A;;0xf01ff;;;${fabweb.sid})(A;;0xf01ff;;;WD)(A;;0xf01ff;;;${UNKNOWN_SID})`,
      );
    });

    it('impacket layout (DACL before owner): same meaning, bytes kept', async () => {
      const bytes = fixture('impacket-layout-dacl-first');
      const body = await written(bytes);
      expect(body.principals).toEqual([
        expect.objectContaining({
          sid: 'S-1-5-21-1544822996-929305224-3231428034-1102',
          aceType: 'allow',
          effective: true,
          resolved: false,
        }),
      ]);
      const samba = await written(fixture('samba-tool-one-principal'));
      expect(samba.principals.map((p: { aceType: string; accessMask: number }) => [p.aceType, p.accessMask])).toEqual([
        ['allow', 0xf01ff],
      ]);
    });

    it('a deny ACE: aceType deny, not effective, DENY_ACE', async () => {
      const body = await written(fixture('deny-and-allow'));
      expect(body.principals.map((p: { aceType: string; effective: boolean }) => [p.aceType, p.effective])).toEqual([
        ['deny', false],
        ['allow', true],
      ]);
      expect(body.warnings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'DENY_ACE', sid: 'S-1-5-21-1544822996-929305224-3231428034-1105' }),
        ]),
      );
    });

    it('an object ACE: the raw type number, not effective, kept byte for byte', async () => {
      const body = await written(fixture('object-ace-kept'));
      expect(body.principals[0]).toMatchObject({
        sid: 'S-1-5-21-1111111111-2222222222-3333333333-4242',
        aceType: '5',
        accessMask: 0x100,
        effective: false,
      });
      expect(codes(body)).toContain('OBJECT_ACE');
    });

    it('GENERIC_ALL instead of 0xF01FF: not effective, INEFFECTIVE_MASK', async () => {
      const body = await written(withAceMask(referenceRbcdDescriptor([serverb.sid]), serverb.sid, GENERIC_ALL));
      expect(body.principals).toEqual([
        expect.objectContaining({
          sid: serverb.sid,
          samAccountName: 'SERVERB$',
          resolved: true,
          accessMask: GENERIC_ALL,
          aceType: 'allow',
          effective: false,
        }),
      ]);
      expect(body.warnings).toEqual([expect.objectContaining({ code: 'INEFFECTIVE_MASK', sid: serverb.sid })]);
    });

    it('a mask with the top bit (GENERIC_READ) is shown as the unsigned number', async () => {
      const body = await written(withAceMask(referenceRbcdDescriptor([serverb.sid]), serverb.sid, GENERIC_READ));
      expect(body.principals[0]).toMatchObject({ accessMask: 2147483648, effective: false });
    });

    it('group SID and an empty SACL present: shown in SDDL, bytes kept', async () => {
      const body = await written(fixture('group-and-empty-sacl'));
      expect(body.sddl).toMatch(/^O:BAG:SYD:.*S:/);
      expect(body.principals).toHaveLength(1);
    });

    it('an empty DACL: nobody, EMPTY_DACL', async () => {
      const body = await written(fixture('samba-tool-empty-dacl'));
      expect(body.principals).toEqual([]);
      expect(codes(body)).toEqual(['EMPTY_DACL']);
    });

    it('an undecodable 3-byte value: INVALID_SECURITY_DESCRIPTOR, raw shown as stored', async () => {
      const body = await written(Buffer.from([1, 2, 3]));
      expect(body).toMatchObject({ principals: [], sddl: null, raw: 'AQID' });
      expect(codes(body)).toEqual(['INVALID_SECURITY_DESCRIPTOR']);
    });
  });

  describe('identifiers', () => {
    const SERVERC_DN = 'CN=SERVERC,OU=Servers,DC=contoso,DC=test';

    it('every form of SERVERC resolves to the same object', async () => {
      const entry = await readEntry(SERVERC_DN, ['objectSid', 'objectGUID']);
      const sid = sidToString(entry.objectSid as Buffer);
      const guid = guidString(entry.objectGUID as Buffer);
      const forms = [
        'SERVERC',
        'SERVERC$',
        'serverc',
        'CONTOSO\\SERVERC$',
        'contoso\\serverc',
        'serverc.contoso.test',
        'SERVERC.CONTOSO.TEST',
        SERVERC_DN,
        SERVERC_DN.toLowerCase(),
        sid,
        guid,
        `{${guid.toUpperCase()}}`,
      ];
      for (const form of forms) {
        const res = await show(form);
        expect([form, res.status, res.body.target?.sid, res.body.target?.dn]).toEqual([form, 200, sid, SERVERC_DN]);
      }
    });

    it('a user by UPN, name, DOMAIN\\name and DN (as target and as principal)', async () => {
      const aliceDn = 'CN=alice,CN=Users,DC=contoso,DC=test';
      const sid = await sidOf(aliceDn);
      for (const form of ['alice@contoso.test', 'alice', 'CONTOSO\\alice', aliceDn]) {
        const asTarget = await show(form);
        expect([form, asTarget.status, asTarget.body.target?.sid]).toEqual([form, 200, sid]);
        const asPrincipal = await t.http().get('/api/v1/delegations').query({ principal: form }).set(t.admin);
        expect([form, asPrincipal.status, asPrincipal.body.principal?.sid]).toEqual([form, 200, sid]);
      }
    });

    it.each([
      'SERVER*',
      'x)(cn=*',
      '*',
      'SERVERC)(|(cn=*',
      'SERVERC\0',
      'SERVERC\0)(cn=*',
      'SERVER\\C',
      '\\SERVERC',
      'FABRIKAM\\SERVERC$',
      UNKNOWN_SID,
      'S-1-5-21-1-2-3-4444-5-6-7-8-9-10-11-12-13-14',
      'b8b1c6a2-0d6e-4f43-9f0f-000000000000',
      'nosuchhost.contoso.test',
      'CN=NOPE,OU=Servers,DC=contoso,DC=test',
      'CN=x)(cn=*,OU=Servers,DC=contoso,DC=test',
      'CN=SERVERC,OU=Servers,DC=example,DC=com',
      'OU=Servers,DC=contoso,DC=test',
    ])('%j matches nothing: 404 TARGET_NOT_FOUND / PRINCIPAL_NOT_FOUND', async (id) => {
      const asTarget = await show(id);
      expect([asTarget.status, asTarget.body.error?.code]).toEqual([404, 'TARGET_NOT_FOUND']);
      const asPrincipal = await t.http().get('/api/v1/delegations').query({ principal: id }).set(t.admin);
      expect([asPrincipal.status, asPrincipal.body.error?.code]).toEqual([404, 'PRINCIPAL_NOT_FOUND']);
    });

    it('an empty or overlong identifier is a validation error, not a search', async () => {
      const blank = await show(' ');
      expect([blank.status, blank.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const long = await show('A'.repeat(1100));
      expect([long.status, long.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const missing = await t.http().get('/api/v1/delegations').set(t.admin);
      expect([missing.status, missing.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('a name in both domains is ambiguous until the domain is named', async () => {
      const name = uniqueName('AM');
      const inContoso = await addComputer(name);
      created.push(inContoso.dn);
      const inFabrikam = await addComputer(name, 'OU=Servers,DC=fabrikam,DC=test');
      created.push(inFabrikam.dn);
      const res = await show(name);
      expect([res.status, res.body.error.code]).toEqual([409, 'AMBIGUOUS_IDENTIFIER']);
      expect(res.body.error.details.matches.sort()).toEqual([inContoso.dn, inFabrikam.dn].sort());
      expect((await show(`CONTOSO\\${name}$`).expect(200)).body.target.dn).toBe(inContoso.dn);
      expect((await show(`FABRIKAM\\${name}$`).expect(200)).body.target.dn).toBe(inFabrikam.dn);
      expect((await show(name, 'fabrikam.test').expect(200)).body.target.dn).toBe(inFabrikam.dn);
      expect((await show(inFabrikam.dnsHostName).expect(200)).body.target.dn).toBe(inFabrikam.dn);
      expect((await show(inFabrikam.sid).expect(200)).body.target.dn).toBe(inFabrikam.dn);
    });

    it('a user and a computer named alike, and two computers sharing a dNSHostName: 409 AMBIGUOUS_IDENTIFIER', async () => {
      const computer = await addComputer(uniqueName('AU'));
      created.push(computer.dn);
      const bare = computer.samAccountName.replace(/\$$/, '');
      const userDn = `CN=${bare}-user,OU=Servers,DC=contoso,DC=test`;
      const twinName = uniqueName('AT');
      const twinDn = `CN=${twinName},OU=Servers,DC=contoso,DC=test`;
      await withClient(adminClient(), async (c) => {
        await c.add(userDn, [
          new Attribute({ type: 'objectClass', values: ['user'] }),
          new Attribute({ type: 'sAMAccountName', values: [bare] }),
          new Attribute({ type: 'userAccountControl', values: ['514'] }),
        ]);
        created.push(userDn);
        await c.add(twinDn, [
          new Attribute({ type: 'objectClass', values: ['computer'] }),
          new Attribute({ type: 'sAMAccountName', values: [`${twinName}$`] }),
          new Attribute({ type: 'dNSHostName', values: [computer.dnsHostName] }),
          new Attribute({ type: 'userAccountControl', values: ['4098'] }),
        ]);
        created.push(twinDn);
      });
      for (const id of [bare, `CONTOSO\\${bare}`, computer.dnsHostName]) {
        const res = await show(id);
        expect([id, res.status, res.body.error?.code]).toEqual([id, 409, 'AMBIGUOUS_IDENTIFIER']);
        const asPrincipal = await t.http().get('/api/v1/delegations').query({ principal: id }).set(t.admin);
        expect([id, asPrincipal.status, asPrincipal.body.error?.code]).toEqual([id, 409, 'AMBIGUOUS_IDENTIFIER']);
      }
      expect((await show(computer.samAccountName).expect(200)).body.target.dn).toBe(computer.dn);
      expect((await show(computer.sid).expect(200)).body.target.dn).toBe(computer.dn);
    });

    it('a fabrikam principal resolves by DOMAIN\\name', async () => {
      const res = await t
        .http()
        .get('/api/v1/delegations')
        .query({ principal: 'FABRIKAM\\FABWEB$' })
        .set(t.admin)
        .expect(200);
      expect(res.body.principal).toEqual({
        dn: fabweb.dn,
        sid: fabweb.sid,
        samAccountName: 'FABWEB$',
        dnsHostName: 'fabweb.fabrikam.test',
        domain: 'fabrikam.test',
      });
    });
  });

  describe('a domain controller that does not answer', () => {
    let down: TestApp;
    beforeAll(async () => {
      down = await createTestApp({
        env: { LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_DOMAIN: 'contoso.test', LDAP_CONNECT_TIMEOUT_MS: '300' },
      });
    });
    afterAll(async () => {
      await down?.close();
    });

    it('503 DIRECTORY_UNAVAILABLE at once on REST, the same code on GraphQL', async () => {
      const started = Date.now();
      const rest = await down.http().get('/api/v1/delegations/SERVERC').set(down.admin);
      expect([rest.status, rest.body.error?.code]).toEqual([503, 'DIRECTORY_UNAVAILABLE']);
      const gql = await down
        .http()
        .post('/graphql')
        .set(down.admin)
        .send({ query: '{ delegation(target: "SERVERC") { raw } }' })
        .expect(200);
      expect(gql.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([
        'DIRECTORY_UNAVAILABLE',
      ]);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', '/api/v1/delegations/SERVERC'],
      ['GET', '/api/v1/delegations?principal=SERVERB'],
      ['GET', '/api/v1/inventory'],
      ['POST', '/api/v1/delegations/plan'],
      ['POST', '/api/v1/diagnose'],
    ])('%s %s without a credential: 401 UNAUTHENTICATED; with a wrong key: 401', async (method, url) => {
      const anonymous = method === 'GET' ? await t.http().get(url) : await t.http().post(url).send({});
      expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
      const wrong =
        method === 'GET'
          ? await t.http().get(url).set('X-API-Key', 'not-a-key-0123456789')
          : await t.http().post(url).set('Authorization', 'Bearer nope-0123456789abcdef').send({});
      expect([wrong.status, wrong.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    });
  });
});
