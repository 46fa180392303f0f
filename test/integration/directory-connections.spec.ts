// How the directory's connections carry operations, against the sandbox DC: every write of the
// process goes through one connection of its own (pipelined), reads spread over the read pool and
// never use it.
import { Client } from 'ldapts';
import type { AppConfig, DomainConfig } from '../../src/config/config.types';
import { loadConfig } from '../../src/config/load-config';
import { LdapDirectory } from '../../src/directory/ldap-directory';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../../src/security-descriptor';
import { createComputer, type CreatedComputer, deleteObject, REPO_ROOT, uniqueName } from '../support/sandbox';

const base: AppConfig = loadConfig({
  RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml`,
  DATABASE_URL: 'sqlite::memory:',
  LDAP_POOL_SIZE: '3',
});
const contoso = base.domains.find((d) => d.name === 'contoso.test') as DomainConfig;

describe('directory connections (sandbox DC)', () => {
  const created: CreatedComputer[] = [];
  let computers: { dn: string; domain: string }[] = [];
  let principalSid: string;

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) created.push(await createComputer(uniqueName('CN')));
    computers = created.map((c) => ({ dn: c.dn, domain: 'contoso.test' }));
    principalSid = created[0].sid;
  });

  afterAll(async () => {
    for (const c of created) await deleteObject(c.dn).catch(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('sends every write on one connection of its own, and no read on it (positive control: reads spread over the pool)', async () => {
    const directory = new LdapDirectory({ ...base, domains: [contoso] });
    await directory.domains(); // the rootDSE facts, read by the first connection opened
    const modifiedOn = new Set<Client>();
    const searchedOn = new Set<Client>();
    const modify = Client.prototype.modify;
    const search = Client.prototype.search;
    jest.spyOn(Client.prototype, 'modify').mockImplementation(function (this: Client, ...args) {
      modifiedOn.add(this);
      return modify.apply(this, args);
    });
    jest.spyOn(Client.prototype, 'search').mockImplementation(function (this: Client, ...args) {
      searchedOn.add(this);
      return search.apply(this, args);
    });
    try {
      const value = encodeSecurityDescriptor(createRbcdDescriptor([principalSid]));
      // Writes and reads at once: 5 compare-and-swap writes, 12 attribute reads.
      await Promise.all([
        ...computers.slice(1).map((c) => directory.updateRbcd(c, () => value, { current: null })),
        ...computers.flatMap((c) => [directory.readRbcd(c), directory.readRbcd(c)]),
      ]);
      expect(modifiedOn.size).toBe(1);
      const [writer] = modifiedOn;
      expect(searchedOn.has(writer)).toBe(false);
      expect(searchedOn.size).toBeGreaterThanOrEqual(2); // the read pool (3 connections) in turn
      for (const c of computers.slice(1)) expect((await directory.readRbcd(c))?.equals(value)).toBe(true);
      // A second round of writes reuses the same connection.
      await Promise.all(computers.slice(1).map((c) => directory.updateRbcd(c, () => null)));
      expect(modifiedOn.size).toBe(1);
      for (const c of computers.slice(1)) expect(await directory.readRbcd(c)).toBeNull();
    } finally {
      await directory.onModuleDestroy();
    }
  });
});
