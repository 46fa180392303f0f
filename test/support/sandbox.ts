// Test helpers for the sandbox AD DCs started by scripts/sandbox-dc.sh (see its header and
// ../shared/design/SANDBOX-DC.md). Everything talks LDAPS with TLS verification on, against the
// CA the script generated. Helpers that take a DN find the domain from the DN's suffix.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Attribute, Change, Client, NoSuchAttributeError, NoSuchObjectError } from 'ldapts';

export const RBCD_ATTRIBUTE = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** userAccountControl bits the tests look at. */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  NORMAL_ACCOUNT: 0x200,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
} as const;

/** One sandbox domain, as written by `scripts/sandbox-dc.sh up` to <state>/sandbox.json. */
export interface SandboxDomain {
  name: string; // DNS name, e.g. contoso.test
  netbios: string; // CONTOSO
  realm: string; // CONTOSO.TEST
  dc: string; // dc1
  dcHost: string; // dc1.contoso.test
  ip: string; // 127.0.0.1
  url: string; // ldaps://127.0.0.1:636
  ldapUrl: string; // ldap://127.0.0.1:389 (simple bind allowed)
  baseDn: string; // DC=contoso,DC=test
  caFile: string;
  adminDn: string;
  adminPassword: string;
  svcDn: string; // CN=svc-rbcd,OU=Service Accounts,<baseDn>: may write only the RBCD attribute under OU=Servers
  svcPasswordFile: string;
  passwordsFile: string; // JSON {account: password} of the fixture accounts
  smbConf: string;
  samDb: string;
  krb5Conf: string; // MIT krb5.conf for this realm (KDC = ip)
  stateDir: string; // this DC's folder (keytab cache lives in <stateDir>/keytabs)
}

export interface SandboxInfo {
  version: 1;
  stateDir: string;
  caFile: string;
  domains: SandboxDomain[];
}

export interface CreatedComputer {
  dn: string;
  sid: string;
  samAccountName: string; // NAME$
  dnsHostName: string;
  password: string;
  domain: SandboxDomain;
}

export interface CreateComputerOptions {
  /** 'OU=Servers' (relative to the domain) or a full DN. Default 'OU=Servers'. */
  ou?: string;
  /** Domain DNS name, NetBIOS name or realm. Default contoso.test. */
  domain?: string;
  /** Default: random. */
  password?: string;
  /** Added to HOST/NAME and HOST/<fqdn>, e.g. ['cifs/name.contoso.test']. */
  spns?: string[];
  /** Extra userAccountControl bits on top of WORKSTATION_TRUST_ACCOUNT (0x1000). */
  extraUac?: number;
}

export function sandboxDir(): string {
  return process.env.SANDBOX_DIR ? path.resolve(process.env.SANDBOX_DIR) : path.join(REPO_ROOT, '.sandbox');
}

let cached: SandboxInfo | undefined;

/** Reads <state>/sandbox.json (SANDBOX_DIR or <repo>/.sandbox). */
export function loadSandbox(): SandboxInfo {
  if (cached) return cached;
  const file = path.join(sandboxDir(), 'sandbox.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`sandbox: ${file} not found (${(e as Error).message}); run scripts/sandbox-dc.sh up`);
  }
  cached = JSON.parse(text) as SandboxInfo;
  return cached;
}

/** A domain by DNS name, NetBIOS name or realm (case-insensitive). */
export function sandboxDomain(domain = 'contoso.test'): SandboxDomain {
  const key = domain.toLowerCase();
  const found = loadSandbox().domains.find(
    (d) => d.name === key || d.netbios.toLowerCase() === key || d.realm.toLowerCase() === key,
  );
  if (!found) throw new Error(`sandbox: no domain ${domain}`);
  return found;
}

/** The domain whose base DN ends the given DN. */
export function domainOfDn(dn: string): SandboxDomain {
  const norm = (s: string) => s.replace(/\s*,\s*/g, ',').toLowerCase();
  const d = norm(dn);
  const found = loadSandbox().domains.find((x) => d === norm(x.baseDn) || d.endsWith(',' + norm(x.baseDn)));
  if (!found) throw new Error(`sandbox: ${dn} is in no sandbox domain`);
  return found;
}

export function caOf(domain = 'contoso.test'): Buffer {
  return readFileSync(sandboxDomain(domain).caFile);
}

export function svcPassword(domain = 'contoso.test'): string {
  return readFileSync(sandboxDomain(domain).svcPasswordFile, 'utf8').trim();
}

/** Passwords of the fixture accounts (alice, SERVERB$, ...). */
export function fixturePasswords(domain = 'contoso.test'): Record<string, string> {
  return JSON.parse(readFileSync(sandboxDomain(domain).passwordsFile, 'utf8')) as Record<string, string>;
}

async function boundClient(d: SandboxDomain, dn: string, password: string): Promise<Client> {
  const client = new Client({
    url: d.url,
    tlsOptions: { ca: readFileSync(d.caFile) },
    timeout: 20_000,
    connectTimeout: 10_000,
  });
  try {
    await client.bind(dn, password);
  } catch (e) {
    await client.unbind().catch(() => undefined);
    throw e;
  }
  return client;
}

/** A client bound as the domain's Administrator over LDAPS. Call unbind() when done. */
export function adminClient(domain = 'contoso.test'): Promise<Client> {
  const d = sandboxDomain(domain);
  return boundClient(d, d.adminDn, d.adminPassword);
}

/** A client bound as any account (a fixture user, to act as an attacker would). Call unbind() when done. */
export function clientAs(dn: string, password: string): Promise<Client> {
  return boundClient(domainOfDn(dn), dn, password);
}

/** A client bound as the least-privilege service account svc-rbcd. Call unbind() when done. */
export function svcClient(domain = 'contoso.test'): Promise<Client> {
  const d = sandboxDomain(domain);
  return boundClient(d, d.svcDn, svcPassword(domain));
}

export async function withClient<T>(clientP: Promise<Client>, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await clientP;
  try {
    return await fn(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

let counter = 0;

/**
 * A name that is unique across parallel Jest workers and runs, at most 15 characters (NetBIOS
 * limit for computer names): prefix (up to 5 characters) + pid + a counter + random, upper case.
 */
export function uniqueName(prefix = 'T'): string {
  const p =
    prefix
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(0, 5)
      .toUpperCase() || 'T';
  counter = (counter + 1) % (36 * 36);
  const pid = process.pid.toString(36).slice(-5);
  const cnt = counter.toString(36).padStart(2, '0');
  const rnd = (randomBytes(4).readUInt32BE() % 36 ** 3).toString(36).padStart(3, '0');
  return (p + pid + cnt + rnd).toUpperCase().slice(0, 15);
}

export function randomPassword(): string {
  return `${randomBytes(15).toString('base64url')}-Aa1`;
}

function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** Creates an enabled computer account with a password (so it has Kerberos keys) as Administrator. */
export async function createComputer(name: string, opts: CreateComputerOptions = {}): Promise<CreatedComputer> {
  const d = sandboxDomain(opts.domain);
  const cn = name.replace(/\$$/, '').toUpperCase();
  if (cn.length > 15) throw new Error(`computer name ${cn} is longer than 15 characters`);
  const ou = opts.ou ?? 'OU=Servers';
  const parent = ou.toLowerCase().endsWith(d.baseDn.toLowerCase()) ? ou : `${ou},${d.baseDn}`;
  const dn = `CN=${cn},${parent}`;
  const dnsHostName = `${cn.toLowerCase()}.${d.name}`;
  const password = opts.password ?? randomPassword();
  const spns = [`HOST/${cn}`, `HOST/${dnsHostName}`, ...(opts.spns ?? [])];
  const uac = UAC.WORKSTATION_TRUST_ACCOUNT | (opts.extraUac ?? 0);
  await withClient(adminClient(d.name), (c) =>
    c.add(dn, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user', 'computer'] }),
      new Attribute({ type: 'cn', values: [cn] }),
      new Attribute({ type: 'sAMAccountName', values: [`${cn}$`] }),
      new Attribute({ type: 'dNSHostName', values: [dnsHostName] }),
      new Attribute({ type: 'servicePrincipalName', values: spns }),
      new Attribute({ type: 'userAccountControl', values: [String(uac)] }),
      new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
    ]),
  );
  return { dn, sid: await getSid(dn), samAccountName: `${cn}$`, dnsHostName, password, domain: d };
}

/** Creates a security group (as Administrator) with these members; returns its SID. */
export async function createGroup(dn: string, name: string, memberDns: string[], groupType?: number): Promise<string> {
  await withClient(adminClient(domainOfDn(dn).name), async (c) => {
    await c.add(dn, [
      new Attribute({ type: 'objectClass', values: ['group'] }),
      new Attribute({ type: 'sAMAccountName', values: [name] }),
      ...(groupType === undefined ? [] : [new Attribute({ type: 'groupType', values: [String(groupType | 0)] })]),
    ]);
    if (memberDns.length)
      await c.modify(
        dn,
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: memberDns }) }),
      );
  });
  return sidToString((await readEntry(dn, ['objectSid'])).objectSid as Buffer);
}

/** Creates an enabled user in CN=Users (as Administrator); `attributes` adds e.g. accountExpires. Returns DN and SID. */
export async function createUser(
  name: string,
  attributes: Record<string, string> = {},
  domain = 'contoso.test',
  password = randomPassword(),
): Promise<{ dn: string; sid: string; name: string; password: string }> {
  const d = sandboxDomain(domain);
  const dn = `CN=${name},CN=Users,${d.baseDn}`;
  await withClient(adminClient(d.name), (c) =>
    c.add(dn, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: [name] }),
      new Attribute({ type: 'userPrincipalName', values: [`${name}@${d.name}`] }),
      new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
      ...Object.entries(attributes).map(([type, value]) => new Attribute({ type, values: [value] })),
    ]),
  );
  return { dn, sid: await getSid(dn), name, password };
}

/** Sets an account's password as Administrator (an admin reset). */
export async function setPassword(dn: string, password: string): Promise<void> {
  await withClient(adminClient(domainOfDn(dn).name), (c) =>
    c.modify(
      dn,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }),
      }),
    ),
  );
}

/** Deletes an object (as Administrator); an object that is already gone is fine. */
export async function deleteObject(dn: string): Promise<void> {
  await withClient(adminClient(domainOfDn(dn).name), async (c) => {
    try {
      await c.del(dn);
    } catch (e) {
      if (!(e instanceof NoSuchObjectError)) throw e;
    }
  });
}

/** Reads one entry as Administrator, binary attributes as Buffers. */
export async function readEntry(dn: string, attributes: string[]): Promise<Record<string, unknown>> {
  return withClient(adminClient(domainOfDn(dn).name), async (c) => {
    const { searchEntries } = await c.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes,
      explicitBufferAttributes: [RBCD_ATTRIBUTE, 'objectSid', 'objectGUID', 'nTSecurityDescriptor'],
    });
    if (searchEntries.length !== 1) throw new Error(`sandbox: ${dn} not found`);
    return searchEntries[0] as Record<string, unknown>;
  });
}

/** DN of an account by sAMAccountName (NAME$ for computers), or null. */
export async function findDn(samAccountName: string, domain = 'contoso.test'): Promise<string | null> {
  const d = sandboxDomain(domain);
  return withClient(adminClient(d.name), async (c) => {
    const { searchEntries } = await c.search(d.baseDn, {
      scope: 'sub',
      filter: `(sAMAccountName=${escapeFilter(samAccountName)})`,
      attributes: ['distinguishedName'],
    });
    return searchEntries.length === 1 ? searchEntries[0].dn : null;
  });
}

export async function getSid(dn: string): Promise<string> {
  const entry = await readEntry(dn, ['objectSid']);
  return sidToString(entry.objectSid as Buffer);
}

/**
 * Adds an ACE (SDDL, e.g. `(OA;;WP;<guid>;;<sid>)`) to an object's DACL the way an admin would on
 * the DC: `samba-tool dsacl set` on the DC's own database (the running DC sees it at once).
 */
export function addAce(dn: string, sddlAce: string): Promise<void> {
  const d = domainOfDn(dn);
  return new Promise((resolve, reject) => {
    execFile(
      'samba-tool',
      ['dsacl', 'set', '-H', d.samDb, '-s', d.smbConf, `--objectdn=${dn}`, `--sddl=${sddlAce}`],
      { timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`samba-tool dsacl set: ${stderr || stdout}`)) : resolve()),
    );
  });
}

/** The raw attribute value, or null when absent. */
export async function readRbcdRaw(dn: string): Promise<Buffer | null> {
  const entry = await readEntry(dn, [RBCD_ATTRIBUTE]);
  const v = entry[RBCD_ATTRIBUTE] as Buffer | Buffer[] | undefined;
  if (v === undefined) return null;
  const buf = Array.isArray(v) ? v[0] : v;
  return buf && buf.length > 0 ? buf : null;
}

/** Replaces the attribute with these bytes (as Administrator), or removes it when null. */
export async function writeRbcdRaw(dn: string, bytes: Buffer | null): Promise<void> {
  await withClient(adminClient(domainOfDn(dn).name), async (c) => {
    if (bytes === null) {
      try {
        await c.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type: RBCD_ATTRIBUTE }) }));
      } catch (e) {
        if (!(e instanceof NoSuchAttributeError)) throw e; // already absent
      }
      return;
    }
    await c.modify(
      dn,
      new Change({ operation: 'replace', modification: new Attribute({ type: RBCD_ATTRIBUTE, values: [bytes] }) }),
    );
  });
}

// ---- SIDs and a reference encoder, independent of src/ (the code under test)

export function sidToString(buf: Buffer): string {
  const count = buf[1];
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + buf[i];
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(8 + 4 * i));
  return `S-${buf[0]}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

export function sidToBytes(sid: string): Buffer {
  const parts = sid.split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`bad SID ${sid}`);
  const subs = parts.slice(3).map(Number);
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf[0] = Number(parts[1]);
  buf[1] = subs.length;
  buf.writeUIntBE(Number(parts[2]), 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return buf;
}

/**
 * The bytes samba-tool writes (owner BUILTIN\Administrators first, then a revision-4 DACL with one
 * ACCESS_ALLOWED ACE per SID). A reference for tests that must not depend on src/security-descriptor.
 */
export function referenceRbcdDescriptor(sids: string[], mask = 0x000f01ff): Buffer {
  const owner = sidToBytes('S-1-5-32-544');
  const aces = sids.map((sid) => {
    const s = sidToBytes(sid);
    const ace = Buffer.alloc(8 + s.length);
    ace.writeUInt8(0, 0); // ACCESS_ALLOWED_ACE_TYPE
    ace.writeUInt8(0, 1); // flags
    ace.writeUInt16LE(ace.length, 2);
    ace.writeUInt32LE(mask >>> 0, 4);
    s.copy(ace, 8);
    return ace;
  });
  const aclBody = Buffer.concat(aces);
  const acl = Buffer.alloc(8);
  acl.writeUInt8(4, 0); // ACL_REVISION_DS
  acl.writeUInt16LE(8 + aclBody.length, 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0); // revision
  header.writeUInt16LE(0x8004, 2); // SE_SELF_RELATIVE | SE_DACL_PRESENT
  header.writeUInt32LE(20, 4); // owner
  header.writeUInt32LE(20 + owner.length, 16); // DACL
  return Buffer.concat([header, owner, acl, aclBody]);
}

/**
 * Returns a copy of a descriptor with the mask of the ACCESS_ALLOWED ACE for `sid` replaced,
 * whatever the layout (the mask sits just before the ACE's SID).
 */
export function withAceMask(descriptor: Buffer, sid: string, mask: number): Buffer {
  const out = Buffer.from(descriptor);
  const sidBytes = sidToBytes(sid);
  const at = out.indexOf(sidBytes, 20);
  if (at < 8 || out[at - 8] !== 0) throw new Error(`no ACCESS_ALLOWED ACE for ${sid} in the descriptor`);
  out.writeUInt32LE(mask >>> 0, at - 4);
  return out;
}

export function escapeFilter(value: string): string {
  return value.replace(/[\\*()\0]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A fine-grained password policy (PSO) for one account: lockout counting with this threshold, a
 * 30-minute window and duration. Returns its DN (delete it with deleteObject).
 */
export async function createLockoutPolicy(appliesToDn: string, lockoutThreshold: number): Promise<string> {
  const dn = `CN=${uniqueName('PSO')},CN=Password Settings Container,CN=System,DC=contoso,DC=test`;
  const thirtyMinutes = String(-30 * 60 * 10_000_000);
  await withClient(adminClient(), (c) =>
    c.add(dn, [
      new Attribute({ type: 'objectClass', values: ['msDS-PasswordSettings'] }),
      new Attribute({ type: 'msDS-PasswordSettingsPrecedence', values: ['1'] }),
      new Attribute({ type: 'msDS-PasswordReversibleEncryptionEnabled', values: ['FALSE'] }),
      new Attribute({ type: 'msDS-PasswordHistoryLength', values: ['0'] }),
      new Attribute({ type: 'msDS-PasswordComplexityEnabled', values: ['TRUE'] }),
      new Attribute({ type: 'msDS-MinimumPasswordLength', values: ['7'] }),
      new Attribute({ type: 'msDS-MinimumPasswordAge', values: ['0'] }),
      new Attribute({ type: 'msDS-MaximumPasswordAge', values: [String(-42 * 24 * 3600 * 10_000_000)] }),
      new Attribute({ type: 'msDS-LockoutThreshold', values: [String(lockoutThreshold)] }),
      new Attribute({ type: 'msDS-LockoutObservationWindow', values: [thirtyMinutes] }),
      new Attribute({ type: 'msDS-LockoutDuration', values: [thirtyMinutes] }),
      new Attribute({ type: 'msDS-PSOAppliesTo', values: [appliesToDn] }),
    ]),
  );
  return dn;
}
