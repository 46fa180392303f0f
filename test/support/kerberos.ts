// The Kerberos oracle: does the sandbox KDC really let a front-end obtain a ticket to a back-end
// service on a user's behalf (S4U2Self + S4U2Proxy)? MIT kinit/kvno, as in SANDBOX-DC.md section 6:
//   kinit -k -t <front-end keytab> 'SERVERB$@REALM'; kvno -U alice -P cifs/serverc.contoso.test
// Exit 0 of kvno = allowed. Each call uses its own credential cache; keytabs are exported once per
// account and cached in <dc state>/keytabs (re-exported when kinit no longer accepts them).
// Samba's KDC reads the attribute on every S4U2Proxy request: a grant and a revoke both show at once.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, promises as fs, renameSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Attribute, Change } from 'ldapts';
import { adminClient, domainOfDn, findDn, readEntry, sandboxDomain, SandboxDomain, UAC, withClient } from './sandbox';

export interface DelegationCheck {
  /** sAMAccountName of the front-end, e.g. 'SERVERB$' (needs protocol transition on). */
  frontEnd: string;
  /** The user to impersonate, e.g. 'alice'. */
  user: string;
  /** The back-end service, e.g. 'cifs/serverc.contoso.test'. */
  spn: string;
  /** Domain of the front-end (DNS name, NetBIOS or realm). Default contoso.test. */
  domain?: string;
}

export interface DelegationResult {
  allowed: boolean;
  /** kinit and kvno output (and the KDC's reason when it logged one). */
  output: string;
  /** The KDC's own words from samba.out, e.g. 'Constrained delegation not allowed', if found. */
  kdcReason?: string;
}

interface RunResult {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const out = `$ ${cmd} ${args.join(' ')}\n${stdout}${stderr}${err && code === -1 ? String(err.message) : ''}`;
      resolve({ code, out });
    });
  });
}

function krbEnv(d: SandboxDomain, ccache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KRB5_CONFIG: d.krb5Conf, KRB5CCNAME: `FILE:${ccache}` };
  delete env.KRB5_KTNAME;
  delete env.KRB5_CLIENT_KTNAME;
  delete env.KRB5_TRACE;
  return env;
}

function accountName(account: string): string {
  return account.includes('@') ? account.split('@')[0] : account;
}

function keytabPath(d: SandboxDomain, account: string): string {
  return path.join(d.stateDir, 'keytabs', `${accountName(account).replace(/[^A-Za-z0-9$_.-]/g, '_')}.keytab`);
}

/** Exports (or returns the cached) keytab of an account; `refresh` forces a new export. */
export async function exportKeytab(account: string, domain = 'contoso.test', refresh = false): Promise<string> {
  const d = sandboxDomain(domain);
  const name = accountName(account);
  const file = keytabPath(d, name);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!refresh && existsSync(file)) return file;
  // Export to a private name, then rename: parallel test files never see a half-written keytab.
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  const r = await run(
    'samba-tool',
    ['domain', 'exportkeytab', tmp, `--principal=${name}`, '-s', d.smbConf],
    process.env,
  );
  if (r.code !== 0) {
    await fs.rm(tmp, { force: true });
    throw new Error(`exportkeytab for ${name} failed:\n${r.out}`);
  }
  renameSync(tmp, file);
  return file;
}

/** Drops the cached keytab of an account (call it when a test deletes its own front-end). */
export async function forgetKeytab(account: string, domain = 'contoso.test'): Promise<void> {
  await fs.rm(keytabPath(sandboxDomain(domain), account), { force: true });
}

async function kinitWithKeytab(d: SandboxDomain, account: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const principal = `${accountName(account)}@${d.realm}`;
  let keytab = await exportKeytab(account, d.name);
  let r = await run('kinit', ['-f', '-k', '-t', keytab, principal], env);
  if (r.code !== 0) {
    // A cached keytab goes stale when the account's password changes or the name is reused.
    keytab = await exportKeytab(account, d.name, true);
    r = await run('kinit', ['-f', '-k', '-t', keytab, principal], env);
  }
  return r;
}

/** The last KDC decision logged for this S4U2Proxy request (samba.out, log level kerberos:3). */
async function kdcReason(d: SandboxDomain, check: DelegationCheck): Promise<string | undefined> {
  try {
    const file = path.join(d.stateDir, 'samba.out');
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const len = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, size - len);
      const user = check.user.includes('@') ? check.user : `${check.user}@`;
      const lines = buf
        .toString('utf8')
        .split('\n')
        .filter(
          (l) =>
            l.includes('TGS-REQ') &&
            l.includes(`impersonatee=${user}`) &&
            l.includes(`${accountName(check.frontEnd)}@`) &&
            l.toLowerCase().includes(`${check.spn.toLowerCase()}@`),
        );
      const last = lines[lines.length - 1];
      if (!last) return undefined;
      const m = /reason=(.*)$/.exec(last);
      return m ? m[1].trim() : last.trim();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * Asks the real KDC: may `frontEnd` get a ticket to `spn` on behalf of `user`?
 * allowed = kvno -U user -P spn succeeded.
 */
export async function canDelegate(check: DelegationCheck): Promise<DelegationResult> {
  const d = sandboxDomain(check.domain);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rbcd-kvno-'));
  try {
    const env = krbEnv(d, path.join(dir, 'cc'));
    const kinit = await kinitWithKeytab(d, check.frontEnd, env);
    if (kinit.code !== 0) {
      throw new Error(`kinit as ${check.frontEnd} failed (not an oracle answer):\n${kinit.out}`);
    }
    const kvno = await run('kvno', ['-U', check.user, '-P', check.spn], env);
    const reason = kvno.code === 0 ? undefined : await kdcReason(d, check);
    return {
      allowed: kvno.code === 0,
      output: `${kinit.out}${kvno.out}${reason ? `KDC: ${reason}\n` : ''}`,
      kdcReason: reason,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Turns on TRUSTED_TO_AUTH_FOR_DELEGATION (protocol transition) for an account, so that its
 * S4U2Self tickets are forwardable: the stand-in for a user's forwarded ticket in the oracle.
 * `account` is a sAMAccountName ('WEB01$') or a DN.
 */
export async function enableProtocolTransition(account: string, domain = 'contoso.test'): Promise<void> {
  const dn = account.includes('=') ? account : await findDn(account, domain);
  if (!dn) throw new Error(`no account ${account} in ${domain}`);
  const entry = await readEntry(dn, ['userAccountControl']);
  const uac = Number(entry.userAccountControl);
  if (uac & UAC.TRUSTED_TO_AUTH_FOR_DELEGATION) return;
  await withClient(adminClient(domainOfDn(dn).name), (c) =>
    c.modify(
      dn,
      new Change({
        operation: 'replace',
        modification: new Attribute({
          type: 'userAccountControl',
          values: [String(uac | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION)],
        }),
      }),
    ),
  );
}
