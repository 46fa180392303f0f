// LdapDirectory against the sandbox DCs: compare-and-swap under concurrent writers, the DC's own
// refusal, unreachable DCs, failover, dropped connections and TLS verification.
import { Logger } from '@nestjs/common';
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import type { AppConfig, DomainConfig } from '../../src/config/config.types';
import { loadConfig } from '../../src/config/load-config';
import { DomainError } from '../../src/common/errors/domain-error';
import type { RbcdMutation } from '../../src/directory/directory.types';
import { LdapDirectory } from '../../src/directory/ldap-directory';
import { planRbcdChange } from '../../src/delegations/rbcd-change';
import {
  createComputer,
  CreatedComputer,
  deleteObject,
  readRbcdRaw,
  REPO_ROOT,
  sandboxDomain,
  sidToBytes,
  uniqueName,
} from '../support/sandbox';

const base: AppConfig = loadConfig({ RBCD_CONFIG: `${REPO_ROOT}/.sandbox/rbcd.yaml`, DATABASE_URL: 'sqlite::memory:' });
const contoso = base.domains.find((d) => d.name === 'contoso.test') as DomainConfig;
const fabrikam = base.domains.find((d) => d.name === 'fabrikam.test') as DomainConfig;

const opened: LdapDirectory[] = [];
function directory(...domains: DomainConfig[]): LdapDirectory {
  const dir = new LdapDirectory({ ...base, domains });
  opened.push(dir);
  return dir;
}

const grant =
  (sid: string): RbcdMutation =>
  (current) =>
    planRbcdChange('grant', current, [sid]).next;

/**
 * A TCP relay to a sandbox DC (contoso by default) that the test can cut, or one that accepts and
 * never answers. It listens on the DC's own loopback address, so the DC certificate still matches.
 */
interface Relay {
  url: string;
  drop: () => void;
  close: () => Promise<void>;
}
async function relay(mode: 'forward' | 'silent' = 'forward', domain = 'contoso.test'): Promise<Relay> {
  const { ip } = sandboxDomain(domain);
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'silent') return;
    const upstream = tcpConnect(636, ip);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  const drop = () => sockets.forEach((s) => s.destroy());
  return {
    url: `ldaps://${ip}:${(server.address() as AddressInfo).port}`,
    drop,
    close: () =>
      new Promise<void>((resolve) => {
        drop();
        server.close(() => resolve());
      }),
  };
}

async function expectDomainError(promise: Promise<unknown>, code: string): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

beforeAll(() => Logger.overrideLogger(false)); // failover warnings are expected here

afterAll(async () => {
  await Promise.all(opened.map((d) => d.onModuleDestroy()));
});

describe('LdapDirectory: compare-and-swap writes', () => {
  let target: CreatedComputer;

  beforeAll(async () => {
    target = await createComputer(uniqueName('CAS'));
  });
  afterAll(async () => {
    if (target) await deleteObject(target.dn);
  });

  it('keeps every entry when writers on two connections add different principals at the same time', async () => {
    const writers = [directory(contoso), directory(contoso)];
    const ref = { dn: target.dn, domain: 'contoso.test' };
    const sids: string[] = [];
    const attempts: number[] = [];
    for (let round = 0; round < 4; round++) {
      // Two writers per instance, four in all, each adding its own SID at once.
      const batch = [0, 1, 2, 3].map((i) => `S-1-5-21-1000-2000-3000-${round * 10 + i + 1}`);
      sids.push(...batch);
      const results = await Promise.all(batch.map((sid, i) => writers[i % 2].updateRbcd(ref, grant(sid))));
      for (const r of results) {
        expect(r.changed).toBe(true);
        attempts.push(r.attempts);
      }
      const stored = await readRbcdRaw(target.dn);
      for (const sid of sids) expect(stored?.includes(sidToBytes(sid))).toBe(true);
    }
    // The writers really collided (otherwise this test proves nothing about the swap).
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it('reports what it did: before, after and no change for a grant already in force', async () => {
    const dir = directory(contoso);
    const ref = { dn: target.dn, domain: 'contoso.test' };
    const current = await readRbcdRaw(target.dn);
    const again = await dir.updateRbcd(ref, grant('S-1-5-21-1000-2000-3000-1'));
    expect(again).toMatchObject({ changed: false, attempts: 1 });
    expect(again.before).toEqual(current);
    const cleared = await dir.updateRbcd(ref, () => null);
    expect(cleared).toMatchObject({ changed: true, after: null });
    expect(cleared.before).toEqual(current);
    expect(await readRbcdRaw(target.dn)).toBeNull();
    expect(await dir.readRbcd(ref)).toBeNull();
  });

  it("as the service account on OU=Tier0: DIRECTORY_ACCESS_DENIED with the DC's words, nothing written", async () => {
    const tier0 = await createComputer(uniqueName('T0'), { ou: 'OU=Tier0' });
    try {
      const error = await expectDomainError(
        directory(contoso).updateRbcd({ dn: tier0.dn, domain: 'contoso.test' }, grant('S-1-5-21-1000-2000-3000-9')),
        'DIRECTORY_ACCESS_DENIED',
      );
      expect(error.message).toMatch(/has no write property access|insufficient/i);
      expect(error.message).toContain(tier0.dn.split(',')[0]);
      expect(error.details).toMatchObject({ ldapCode: 50, dn: tier0.dn });
      expect(await readRbcdRaw(tier0.dn)).toBeNull();
    } finally {
      await deleteObject(tier0.dn);
    }
  });
});

describe('LdapDirectory: domain controllers that fail', () => {
  it('a DC that accepts TCP but never answers: DIRECTORY_UNAVAILABLE after the connect timeout', async () => {
    const silent = await relay('silent');
    try {
      const dir = directory({ ...contoso, urls: [silent.url], connectTimeoutMs: 300 });
      const started = Date.now();
      const error = await expectDomainError(dir.resolve('SERVERC'), 'DIRECTORY_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error.message).toMatch(/timeout/i);
    } finally {
      await silent.close();
    }
  });

  it('nothing listening: DIRECTORY_UNAVAILABLE at once', async () => {
    const started = Date.now();
    await expectDomainError(
      directory({ ...contoso, urls: ['ldaps://127.0.0.1:1'] }).resolve('SERVERC'),
      'DIRECTORY_UNAVAILABLE',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails over to the next URL, and status() shows which DC answers', async () => {
    const dir = directory({ ...contoso, urls: ['ldaps://127.0.0.1:1', 'ldaps://127.0.0.1:636'] });
    const serverc = await dir.resolve('SERVERC');
    expect(serverc.dn).toBe('CN=SERVERC,OU=Servers,DC=contoso,DC=test');
    const status = await dir.status();
    expect(status.map((s) => [s.url, s.ok])).toEqual([
      ['ldaps://127.0.0.1:1', false],
      ['ldaps://127.0.0.1:636', true],
    ]);
  });

  it('a connection the DC dropped is re-opened and bound again (not reused anonymously)', async () => {
    const link = await relay();
    try {
      const dir = directory({ ...contoso, urls: [link.url] });
      expect((await dir.resolve('SERVERC')).samAccountName).toBe('SERVERC$');
      link.drop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await dir.resolve('SERVERD')).samAccountName).toBe('SERVERD$');
      expect(await dir.readRbcd({ dn: 'CN=SERVERD,OU=Servers,DC=contoso,DC=test', domain: 'contoso.test' })).toBeNull();
    } finally {
      await link.close();
    }
  });

  it('when the DC in use goes away, the next one takes over', async () => {
    const first = await relay();
    const second = await relay();
    try {
      const dir = directory({ ...contoso, urls: [first.url, second.url] });
      expect((await dir.resolve('SERVERC')).samAccountName).toBe('SERVERC$');
      await first.close();
      expect((await dir.resolve('SERVERD')).samAccountName).toBe('SERVERD$');
      const status = await dir.status();
      expect(status.map((s) => s.ok)).toEqual([false, true]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('refused credentials: DIRECTORY_CREDENTIALS_REFUSED that names no password', async () => {
    const error = await expectDomainError(
      directory({ ...contoso, bindPassword: 'wrong-Password-123' }).resolve('SERVERC'),
      'DIRECTORY_CREDENTIALS_REFUSED',
    );
    expect(error.message).toMatch(/credentials/);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-Password-123');
  });
});

describe('LdapDirectory: TLS verification stays on', () => {
  it('without the CA that signed the DC certificate: DIRECTORY_UNAVAILABLE, no insecure fallback', async () => {
    const error = await expectDomainError(
      directory({ ...contoso, ca: undefined, caFile: undefined }).resolve('SERVERC'),
      'DIRECTORY_UNAVAILABLE',
    );
    expect(error.message).toMatch(/certificate/i);
  });

  it('a host name the certificate does not name: DIRECTORY_UNAVAILABLE', async () => {
    const error = await expectDomainError(
      directory({ ...contoso, urls: ['ldaps://localhost:636'] }).resolve('SERVERC'),
      'DIRECTORY_UNAVAILABLE',
    );
    expect(error.message).toMatch(/certificate|altnames|localhost/i);
  });

  it('ldap:// is upgraded with StartTLS, verified against the CA', async () => {
    const d = sandboxDomain('contoso.test');
    expect((await directory({ ...contoso, urls: [d.ldapUrl] }).resolve('SERVERC')).samAccountName).toBe('SERVERC$');
    await expectDomainError(
      directory({ ...contoso, urls: [d.ldapUrl], ca: undefined, caFile: undefined }).resolve('SERVERC'),
      'DIRECTORY_UNAVAILABLE',
    );
  });
});

describe('LdapDirectory: two domains', () => {
  it('resolves a fabrikam principal by DOMAIN\\name and names its SID from a contoso point of view', async () => {
    const dir = directory(contoso, fabrikam);
    const fabweb = await dir.resolve('FABRIKAM\\FABWEB$', { kind: 'principal' });
    expect(fabweb).toMatchObject({
      dn: 'CN=FABWEB,OU=Servers,DC=fabrikam,DC=test',
      domain: 'fabrikam.test',
      samAccountName: 'FABWEB$',
    });
    const fresh = directory(contoso, fabrikam);
    const names = await fresh.resolveSids([fabweb.sid, 'S-1-5-21-1-2-3-4444']);
    expect(names.get(fabweb.sid)).toMatchObject({ domain: 'fabrikam.test', samAccountName: 'FABWEB$' });
    expect(names.get('S-1-5-21-1-2-3-4444')).toBeNull();
    const domains = await fresh.domains();
    expect(domains.map((d) => [d.name, d.netbios, d.baseDn])).toEqual([
      ['contoso.test', 'CONTOSO', 'DC=contoso,DC=test'],
      ['fabrikam.test', 'FABRIKAM', 'DC=fabrikam,DC=test'],
    ]);
    expect(domains.every((d) => /^S-1-5-21-\d+-\d+-\d+$/.test(d.domainSid ?? ''))).toBe(true);
  });

  it('a NetBIOS name that no configured domain has matches nothing, even with one domain', async () => {
    await expectDomainError(directory(contoso).resolve('FABRIKAM\\SERVERC$'), 'TARGET_NOT_FOUND');
    await expectDomainError(
      directory(contoso, fabrikam).resolve('NOPE\\SERVERC$', { kind: 'principal' }),
      'PRINCIPAL_NOT_FOUND',
    );
  });

  it('a bare name while the other domain is down: 503 with where it was found and how to name it; qualified names still resolve', async () => {
    const dir = directory(contoso, { ...fabrikam, urls: ['ldaps://127.0.0.2:1'], connectTimeoutMs: 500 });
    const found = await expectDomainError(dir.resolve('SERVERC'), 'DIRECTORY_UNAVAILABLE');
    expect(found.details).toEqual({ identifier: 'SERVERC', foundIn: ['contoso.test'], unreachable: ['fabrikam.test'] });
    expect(found.message).toMatch(/found in contoso\.test.*fabrikam\.test did not answer.*DOMAIN\\name/);
    const missing = await expectDomainError(
      dir.resolve('NO-SUCH-HOST', { kind: 'principal' }),
      'DIRECTORY_UNAVAILABLE',
    );
    expect(missing.details).toMatchObject({ foundIn: [], unreachable: ['fabrikam.test'] });
    // Each of these names its domain, so only contoso is asked.
    for (const name of ['CONTOSO\\SERVERC$', 'serverc.contoso.test', 'CN=SERVERC,OU=Servers,DC=contoso,DC=test']) {
      expect((await dir.resolve(name)).dn).toBe('CN=SERVERC,OU=Servers,DC=contoso,DC=test');
    }
    expect((await dir.resolve('SERVERC', { domain: 'contoso.test' })).domain).toBe('contoso.test');
  });

  it('a bare name found unique a moment ago is asked of its own domain alone, so it resolves while the other is down', async () => {
    const link = await relay('forward', 'fabrikam.test');
    try {
      const dir = directory(contoso, { ...fabrikam, urls: [link.url], connectTimeoutMs: 500 });
      expect((await dir.resolve('SERVERD')).domain).toBe('contoso.test');
      await link.close();
      expect((await dir.resolve('SERVERD')).domain).toBe('contoso.test');
      await expectDomainError(dir.resolve('SERVERB'), 'DIRECTORY_UNAVAILABLE'); // not seen before: cannot be told
    } finally {
      await link.close();
    }
  });

  it('group SIDs come from tokenGroups, transitively, with the primary group', async () => {
    const dir = directory(contoso);
    const serverd = await dir.resolve('SERVERD$');
    const groups = await dir.groupSids(serverd);
    const names = await dir.resolveSids(groups);
    const samNames = groups.map((sid) => names.get(sid)?.samAccountName);
    expect(samNames).toEqual(expect.arrayContaining(['RBCD-FrontEnds', 'Domain Computers']));
  });
});
