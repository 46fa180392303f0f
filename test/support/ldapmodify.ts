// Writes behind the broker's back, the way an administrator would: ldapmodify as Administrator.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../../src/security-descriptor';
import { domainOfDn } from './sandbox';

const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

/** Runs ldapmodify (OpenLDAP client, LDAPS, the sandbox CA) with this LDIF; rejects with its output. */
export function ldapmodify(dn: string, ldif: string): Promise<void> {
  const d = domainOfDn(dn);
  const dir = mkdtempSync(join(tmpdir(), 'ldapmodify-'));
  const file = join(dir, 'change.ldif');
  writeFileSync(file, ldif);
  return new Promise((resolve, reject) => {
    execFile(
      'ldapmodify',
      ['-x', '-H', d.url, '-D', d.adminDn, '-y', passwordFile(dir, d.adminPassword), '-f', file],
      { env: { ...process.env, LDAPTLS_CACERT: d.caFile }, timeout: 30_000 },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        if (error) reject(new Error(`ldapmodify failed: ${stderr || stdout}`));
        else resolve();
      },
    );
  });
}

function passwordFile(dir: string, password: string): string {
  const file = join(dir, 'pw');
  writeFileSync(file, password, { mode: 0o600 });
  return file;
}

/** Replaces the target's RBCD list with allow ACEs (0xF01FF) for these SIDs, as Set-ADComputer would. */
export function setRbcdByLdapmodify(targetDn: string, sids: string[]): Promise<void> {
  const value = encodeSecurityDescriptor(createRbcdDescriptor(sids)).toString('base64');
  return ldapmodify(targetDn, `dn: ${targetDn}\nchangetype: modify\nreplace: ${ATTR}\n${ATTR}:: ${value}\n-\n`);
}

/** Creates an organizational unit (as Administrator) and returns its DN. */
export async function createOu(dn: string): Promise<string> {
  const name = /^OU=([^,]+)/i.exec(dn)?.[1] ?? 'x';
  await ldapmodify(dn, `dn: ${dn}\nchangetype: add\nobjectClass: organizationalUnit\nou: ${name}\n`);
  return dn;
}
