// One directory contract, two implementations: the same cases run against the strict FakeDirectory
// (what the fast tiers use) and against LdapDirectory on the sandbox DC. A case that passes on one
// and fails on the other is a fake that lies, or an adapter that does not do what the port says.
import type { AppConfig, DomainConfig } from '../../src/config/config.types';
import { loadConfig } from '../../src/config/load-config';
import { planRbcdChange } from '../../src/delegations/rbcd-change';
import { query } from '../../src/directory/directory-query';
import type { DirectoryPort } from '../../src/directory/directory.port';
import type { DirectoryObject } from '../../src/directory/directory.types';
import { LdapDirectory } from '../../src/directory/ldap-directory';
import { account, CONTOSO } from '../../src/directory/testing/accounts';
import { FakeDirectory } from '../../src/directory/testing/fake-directory';
import { decodeSecurityDescriptor, listPrincipals, sidToBytes } from '../../src/security-descriptor';
import { createComputer, deleteObject, REPO_ROOT, uniqueName } from '../support/sandbox';

interface Subject {
  directory: DirectoryPort;
  /** Two computer accounts (by sAMAccountName) the cases may write on and delegate from. */
  target: string;
  principal: string;
  domain: string;
  close: () => Promise<void>;
}

const fake = async (): Promise<Subject> => {
  const objects = [account('CTARGET', 3101), account('CPRINC', 3102)];
  const directory = new FakeDirectory({ domains: [CONTOSO], objects, groups: {} }, [
    'domains',
    'resolve',
    'resolveSids',
    'readRbcd',
    'updateRbcd',
    'search',
  ]);
  return { directory, target: 'CTARGET$', principal: 'CPRINC$', domain: CONTOSO.name, close: async () => undefined };
};

const ldap = async (): Promise<Subject> => {
  const base: AppConfig = loadConfig({
    RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml`,
    DATABASE_URL: 'sqlite::memory:',
  });
  const contoso = base.domains.find((d) => d.name === 'contoso.test') as DomainConfig;
  const directory = new LdapDirectory({ ...base, domains: [contoso] });
  const target = await createComputer(uniqueName('CT'));
  const principal = await createComputer(uniqueName('CP'));
  return {
    directory,
    target: target.samAccountName,
    principal: principal.samAccountName,
    domain: 'contoso.test',
    close: async () => {
      await directory.onModuleDestroy();
      await deleteObject(target.dn);
      await deleteObject(principal.dn);
    },
  };
};

describe.each([
  ['FakeDirectory', fake],
  ['LdapDirectory (sandbox DC)', ldap],
])('DirectoryPort contract: %s', (_name, make) => {
  let s: Subject;
  let target: DirectoryObject;
  let principal: DirectoryObject;

  beforeAll(async () => {
    s = await make();
    target = await s.directory.resolve(s.target);
    principal = await s.directory.resolve(s.principal, { kind: 'principal' });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('resolves an account by sAMAccountName, DN and SID to the same object; an unknown name is TARGET_NOT_FOUND', async () => {
    expect(target.samAccountName.toUpperCase()).toBe(s.target.toUpperCase());
    expect(target.domain).toBe(s.domain);
    expect((await s.directory.resolve(target.dn)).sid).toBe(target.sid);
    expect((await s.directory.resolve(target.sid)).dn.toLowerCase()).toBe(target.dn.toLowerCase());
    await expect(s.directory.resolve('NOSUCHHOST9$')).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
  });

  it('resolveSids answers known SIDs and null for an unknown one', async () => {
    const unknown = `${target.sid.replace(/-\d+$/, '')}-999999`;
    const found = await s.directory.resolveSids([principal.sid, unknown]);
    expect(found.get(principal.sid)?.dn.toLowerCase()).toBe(principal.dn.toLowerCase());
    expect(found.get(unknown) ?? null).toBeNull();
  });

  it('a fresh account has no RBCD value; updateRbcd writes one that reads back; clearing it removes it', async () => {
    expect(await s.directory.readRbcd(target)).toBeNull();
    const written = await s.directory.updateRbcd(
      target,
      (current) => planRbcdChange('grant', current, [principal.sid]).next,
    );
    expect(written.changed).toBe(true);
    const raw = await s.directory.readRbcd(target);
    expect(raw).not.toBeNull();
    expect(listPrincipals(decodeSecurityDescriptor(raw as Buffer)).principals.map((p) => p.sid)).toEqual([
      principal.sid,
    ]);
    // The same grant again changes nothing (no second ACE).
    const again = await s.directory.updateRbcd(
      target,
      (current) => planRbcdChange('grant', current, [principal.sid]).next,
    );
    expect(again.changed).toBe(false);
    await s.directory.updateRbcd(target, (current) => planRbcdChange('revoke', current, [principal.sid]).next);
    const after = await s.directory.readRbcd(target);
    expect(after === null || listPrincipals(decodeSecurityDescriptor(after)).principals.length === 0).toBe(true);
  });

  it('search takes DirectoryQuery: a binary objectSid equality finds the one account, a negation excludes it', async () => {
    const found: string[] = [];
    for await (const o of s.directory.search(s.domain, undefined, {
      filter: query.or(
        query.equals('objectSid', sidToBytes(target.sid)),
        query.equals('objectSid', sidToBytes(principal.sid)),
      ),
    }))
      found.push(o.sid);
    expect(found.sort()).toEqual([principal.sid, target.sid].sort());
    const without: string[] = [];
    for await (const o of s.directory.search(s.domain, undefined, {
      filter: query.and(
        query.equals('objectSid', sidToBytes(target.sid)),
        query.not(query.equals('objectClass', 'computer')),
      ),
    }))
      without.push(o.sid);
    expect(without).toEqual([]);
  });
});
