// Directory reads coalesced against the sandbox DC: identity look-ups asked together become one
// search per domain (an OR of identity filters built as filter objects), each caller gets exactly its
// own account, hostile names stay names, and an answer is never shared across a write: an answer is
// kept only while the DC commits nothing (its highestCommittedUSN, asked again by every read).
import type { AppConfig, DomainConfig } from '../../src/config/config.types';
import { loadConfig } from '../../src/config/load-config';
import { DomainError } from '../../src/common/errors/domain-error';
import { directoryOperationObservers, type DirectoryOperationEvent } from '../../src/directory/domain-connection';
import { readDcStamp } from '../../src/directory/dc-stamp';
import { LdapDirectory } from '../../src/directory/ldap-directory';
import { DelegationReader } from '../../src/delegations/delegation-reader';
import { DelegationsService } from '../../src/delegations/delegations.service';
import { WritersService } from '../../src/policy/writers.service';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../../src/security-descriptor';
import { Attribute, Change } from 'ldapts';
import {
  addAce,
  adminClient,
  createComputer,
  type CreatedComputer,
  deleteObject,
  RBCD_ATTRIBUTE,
  REPO_ROOT,
  svcClient,
  uniqueName,
  withClient,
} from '../support/sandbox';

const base: AppConfig = loadConfig({
  RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml`,
  DATABASE_URL: 'sqlite::memory:',
  LDAP_POOL_SIZE: '3',
});
const contoso = base.domains.find((d) => d.name === 'contoso.test') as DomainConfig;
const fabrikam = base.domains.find((d) => d.name === 'fabrikam.test') as DomainConfig;

/** Counts the directory operations of each kind while `fn` runs. */
async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; ops: Record<string, number> }> {
  const ops: Record<string, number> = {};
  const observer = (e: DirectoryOperationEvent) => (ops[e.operation] = (ops[e.operation] ?? 0) + 1);
  directoryOperationObservers.add(observer);
  try {
    return { result: await fn(), ops };
  } finally {
    directoryOperationObservers.delete(observer);
  }
}

describe('coalesced directory reads (sandbox DC)', () => {
  let directory: LdapDirectory;
  const computers: CreatedComputer[] = [];

  beforeAll(async () => {
    expect(contoso.poolSize).toBe(3);
    directory = new LdapDirectory({ ...base, domains: [contoso, fabrikam] });
    for (let i = 0; i < 12; i++) computers.push(await createComputer(uniqueName('CO')));
    await directory.domains();
  });

  afterAll(async () => {
    await directory?.onModuleDestroy();
    for (const c of computers) await deleteObject(c.dn).catch(() => undefined);
  });

  it('answers 48 look-ups asked together (names, NAME$, SIDs, DNS names) with a few searches, each its own account', async () => {
    const asked = computers.flatMap((c) => [
      c.samAccountName.replace(/\$$/, ''),
      c.samAccountName.toLowerCase(),
      c.sid,
      c.dnsHostName,
    ]);
    const { result, ops } = await counting(() =>
      Promise.all(
        asked.map((id) =>
          directory.resolve(`CONTOSO\\${id}`.replace(/^CONTOSO\\(S-1-|.*\.contoso\.test$)/, '$1'), { kind: 'target' }),
        ),
      ),
    );
    result.forEach((object, i) => expect(object.dn).toBe(computers[Math.floor(i / 4)].dn));
    expect(ops.lookup).toBeLessThanOrEqual(6);
    expect(ops.lookup).toBeGreaterThanOrEqual(1);
  });

  it('names SIDs asked by several callers at once in shared searches', async () => {
    const fresh = new LdapDirectory({ ...base, domains: [contoso, fabrikam] }); // empty SID cache
    try {
      await fresh.domains();
      const { result, ops } = await counting(() => Promise.all(computers.map((c) => fresh.resolveSids([c.sid]))));
      result.forEach((names, i) => expect(names.get(computers[i].sid.toUpperCase())?.dn).toBe(computers[i].dn));
      expect(ops.lookup).toBeLessThanOrEqual(2);
    } finally {
      await fresh.onModuleDestroy();
    }
  });

  it('keeps hostile names literal inside a batch: they match nothing, the real ones still resolve', async () => {
    const hostile = [
      '*',
      `${computers[0].samAccountName.slice(0, 3)}*`,
      'x)(objectSid=*',
      '\\2a',
      `${computers[1].samAccountName.slice(0, -1)})(|(cn=*`,
    ];
    const answers = await Promise.allSettled(
      [...hostile, computers[2].samAccountName].map((id) => directory.resolve(id, { kind: 'target' })),
    );
    hostile.forEach((_, i) => {
      expect(answers[i].status).toBe('rejected');
      expect(((answers[i] as PromiseRejectedResult).reason as DomainError).code).toBe('TARGET_NOT_FOUND');
    });
    expect((answers[hostile.length] as PromiseFulfilledResult<{ dn: string }>).value.dn).toBe(computers[2].dn);
  });

  it('still tells a name that matches nothing apart in a batch, and reads the RBCD value only for who asked', async () => {
    const [found, missing, plain] = await Promise.allSettled([
      directory.resolve(computers[3].samAccountName, { withRbcd: true }),
      directory.resolve('NO-SUCH-HOST-42', {}),
      directory.resolve(computers[3].sid, {}),
    ]);
    expect(found.status === 'fulfilled' && found.value.rbcd).toBeNull();
    expect(missing.status === 'rejected' && (missing.reason as DomainError).code).toBe('TARGET_NOT_FOUND');
    expect(plain.status === 'fulfilled' && 'rbcd' in plain.value).toBe(false);
  });

  it('delegation reads asked together read the values and the descriptors in shared searches (no search per target)', async () => {
    const delegations = new DelegationsService(
      directory,
      new DelegationReader(directory),
      new WritersService(directory, { ...base, domains: [contoso, fabrikam] }),
    );
    await delegations.forTarget(computers[0].samAccountName); // writers' names and classes cached
    const { result, ops } = await counting(() =>
      Promise.all(computers.map((c) => delegations.forTarget(c.samAccountName))),
    );
    result.forEach((view, i) => {
      expect(view.target.dn).toBe(computers[i].dn);
      // The descriptor was read with the look-up: its writers are known (not WRITERS_UNKNOWN).
      expect(view.writers?.length ?? 0).toBeGreaterThan(0);
      expect(view.warnings.map((w) => w.code)).not.toContain('WRITERS_UNKNOWN');
    });
    expect(ops['security descriptor read']).toBeUndefined();
    expect(ops.read).toBeUndefined();
    expect(ops.lookup).toBeLessThanOrEqual(4);
  });

  it('an identity-only read finds an account by every identifier form it accepts (UPN, DOMAIN\\name, SID, DN)', async () => {
    const read = { kind: 'target' as const, withRbcd: true, withSecurityDescriptor: true, identityOnly: true };
    const alice = await directory.resolve('alice', { kind: 'user' });
    const forms = ['alice@contoso.test', 'CONTOSO\\alice', alice.sid, alice.dn];
    const found = await Promise.all(forms.map((id) => directory.resolve(id, read)));
    found.forEach((object) => {
      expect(object.dn).toBe(alice.dn);
      expect(object.securityDescriptor).toBeInstanceOf(Buffer);
    });
    const computer = await directory.resolve(computers[0].samAccountName, read);
    expect(computer.dn).toBe(computers[0].dn);
  });

  it('a read that starts after a write sees it, while other reads of the same target are in flight', async () => {
    const target = { dn: computers[4].dn, domain: 'contoso.test' };
    const name = computers[4].samAccountName;
    const principals = computers.slice(5, 11);
    const delegations = new DelegationsService(
      directory,
      new DelegationReader(directory),
      new WritersService(directory, { ...base, domains: [contoso, fabrikam] }),
    );
    // 20 readers that never pause: whenever the write ends, reads of the target sent before it are out.
    let hammering = true;
    const hammer = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (hammering) await delegations.forTarget(name);
      }),
    );
    try {
      for (let round = 0; round < 3 * principals.length; round++) {
        const value = encodeSecurityDescriptor(
          createRbcdDescriptor(principals.slice(0, (round % principals.length) + 1).map((p) => p.sid)),
        );
        await directory.updateRbcd(target, () => value);
        const [seen, view] = await Promise.all([
          directory.resolve(name, { withRbcd: true }),
          delegations.forTarget(name),
        ]);
        expect(seen.rbcd?.equals(value)).toBe(true);
        expect(view.raw).toBe(value.toString('base64'));
      }
    } finally {
      hammering = false;
      await hammer;
    }
  });

  describe('answers kept while the DC commits nothing (RBCD_READ_CACHE_ENTRIES)', () => {
    /** Replaces an attribute as another LDAP client would (not through the service). */
    const replaceElsewhere = (dn: string, type: string, value: string | Buffer) =>
      withClient(adminClient(), (c) =>
        c.modify(dn, [
          new Change({
            operation: 'replace',
            modification: new Attribute({ type, values: typeof value === 'string' ? [value] : [value] }),
          }),
        ]),
      );

    it('a second read with nothing committed in between asks the DC for its stamp only, and gets the same answer', async () => {
      const name = computers[11].samAccountName;
      const first = await directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true });
      const { result, ops } = await counting(() =>
        directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true }),
      );
      expect(ops.lookup).toBe(1); // the stamp
      expect(ops['lookup-search']).toBeUndefined();
      expect(result).toEqual(first);
      expect(result).not.toBe(first); // each caller its own copy
    });

    it('on a real ldapts connection the stamp names the DC once, then asks highestCommittedUSN alone; a new connection names it again', async () => {
      const asked: string[][] = [];
      const stamps = async () => {
        const client = await svcClient();
        const search = client.search.bind(client);
        client.search = ((b: string, o: { attributes?: string[] }) => {
          if (b === '') asked.push(o.attributes ?? []);
          return search(b, o);
        }) as typeof client.search;
        try {
          return [await readDcStamp(client), await readDcStamp(client)];
        } finally {
          await client.unbind();
        }
      };
      const [first, second] = await stamps();
      const [third] = await stamps();
      expect(first.dc).toMatch(/^CN=NTDS Settings,/i);
      expect(second.dc).toBe(first.dc);
      expect(third.dc).toBe(first.dc);
      expect(Number(second.usn)).toBeGreaterThanOrEqual(Number(first.usn));
      expect(asked).toEqual([
        ['dsServiceName', 'highestCommittedUSN'],
        ['highestCommittedUSN'],
        ['dsServiceName', 'highestCommittedUSN'],
        ['highestCommittedUSN'],
      ]);
    });

    it('a change made by another client is seen by the next read (positive control: the read before kept its answer)', async () => {
      const c = computers[11];
      await directory.resolve(c.samAccountName, { withRbcd: true });
      const value = encodeSecurityDescriptor(createRbcdDescriptor([computers[0].sid]));
      await replaceElsewhere(c.dn, RBCD_ATTRIBUTE, value);
      const { result, ops } = await counting(() => directory.resolve(c.samAccountName, { withRbcd: true }));
      expect(result.rbcd?.equals(value)).toBe(true);
      // The kept answer was checked (its entry's uSNChanged moved) and the identifier asked again.
      expect(ops['lookup-check']).toBe(1);
      expect(ops['lookup-search']).toBe(1);
    });

    it('an account created after a look-up found nothing is found by the next one', async () => {
      const name = uniqueName('CN');
      await expect(directory.resolve(name, { kind: 'target' })).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
      const created = await createComputer(name);
      computers.push(created);
      expect((await directory.resolve(name, { kind: 'target' })).dn).toBe(created.dn);
    });

    it('an account deleted after a look-up found it is not found by the next one', async () => {
      const gone = await createComputer(uniqueName('DL'));
      expect((await directory.resolve(gone.samAccountName, {})).dn).toBe(gone.dn);
      await deleteObject(gone.dn);
      await expect(directory.resolve(gone.samAccountName, {})).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
    });

    it('after a change to another object, a kept answer is checked (its entries unchanged) instead of read again', async () => {
      const name = computers[10].samAccountName;
      const first = await directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true });
      const kept = await counting(() => directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true }));
      expect(kept.ops['lookup-search']).toBeUndefined();
      await replaceElsewhere(computers[9].dn, 'description', `touched ${Date.now()}`);
      const checked = await counting(() => directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true }));
      expect(checked.ops['lookup-check']).toBe(1);
      expect(checked.ops['lookup-search']).toBeUndefined();
      expect(checked.result).toEqual(first);
      // Checked at the new stamp: the next read with nothing committed needs the stamp only.
      const again = await counting(() => directory.resolve(name, { withRbcd: true, withSecurityDescriptor: true }));
      expect(again.ops['lookup-check']).toBeUndefined();
      expect(again.ops.lookup).toBe(1);
    });

    it('reads of an unchanged target share one view; a change by another client (value or permissions) gives the next read a new one', async () => {
      const c = computers[8];
      const delegations = new DelegationsService(
        directory,
        new DelegationReader(directory),
        new WritersService(directory, { ...base, domains: [contoso, fabrikam] }),
      );
      const first = await delegations.forTarget(c.samAccountName);
      const again = await counting(() => delegations.forTarget(c.samAccountName));
      expect(again.result).toBe(first); // the kept answer's view, not built again
      expect(again.ops['lookup-search']).toBeUndefined();
      const value = encodeSecurityDescriptor(createRbcdDescriptor([computers[0].sid]));
      await replaceElsewhere(c.dn, RBCD_ATTRIBUTE, value);
      const changed = await delegations.forTarget(c.samAccountName);
      expect(changed).not.toBe(first);
      expect(changed.raw).toBe(value.toString('base64'));
      expect(changed.principals.map((p) => p.sid)).toEqual([computers[0].sid]);
      await addAce(c.dn, `(A;;WP;;;${computers[1].sid})`);
      const permitted = await delegations.forTarget(c.samAccountName);
      expect(permitted).not.toBe(changed);
      expect((permitted.writers ?? []).map((w) => w.sid)).toContain(computers[1].sid);
    });

    it('a change to the descriptor alone (who may write the object) is seen by the next read', async () => {
      const c = computers[7];
      const before = await directory.resolve(c.samAccountName, { withSecurityDescriptor: true });
      await addAce(c.dn, `(A;;RPWP;;;${computers[6].sid})`);
      const after = await directory.resolve(c.samAccountName, { withSecurityDescriptor: true });
      expect(after.securityDescriptor?.equals(before.securityDescriptor as Buffer)).toBe(false);
    });

    it('with RBCD_READ_CACHE_ENTRIES=0 every read searches (and no stamp is read)', async () => {
      const uncached = new LdapDirectory({ ...base, domains: [contoso, fabrikam], readCacheEntries: 0 });
      try {
        await uncached.domains();
        const name = computers[8].samAccountName;
        await uncached.resolve(name, {});
        const { ops } = await counting(() => uncached.resolve(name, {}));
        expect(ops['lookup-search']).toBe(1);
        expect(ops.lookup).toBe(1);
      } finally {
        await uncached.onModuleDestroy();
      }
    });
  });
});
