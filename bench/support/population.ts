// Populates the sandbox DC with many computers for the benchmarks (idempotent: reuses what exists).
// The missing ones go in as one LDIF stream through ldapadd: one connection, one process, no
// round trip per object from node (10,000 computers in a few minutes instead of many).
import { spawn } from 'node:child_process';
import { Attribute, type Client, NoSuchObjectError } from 'ldapts';
import { adminClient, sandboxDomain, withClient } from '../../test/support/sandbox';

export interface Population {
  ouDn: string;
  computers: { dn: string; name: string }[];
}

/** Extra attributes of each new computer: LDIF lines (`name: value` or `name:: base64`). */
export interface PopulationOptions {
  ldifLines?: string[];
}

async function ensureOu(client: Client, dn: string): Promise<void> {
  try {
    await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['ou'] });
  } catch (error) {
    if (!(error instanceof NoSuchObjectError)) throw error;
    const ou = /^OU=([^,]+)/i.exec(dn)?.[1] as string;
    await client.add(dn, [
      new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }),
      new Attribute({ type: 'ou', values: [ou] }),
    ]);
  }
}

/** Streams LDIF records to `ldapadd -c` as the sandbox admin (stdin, so no file of 10,000 records). */
function ldapadd(records: Iterable<string>): Promise<void> {
  const d = sandboxDomain();
  return new Promise((resolve, reject) => {
    // ldap:// with simple bind is allowed on the sandbox (SANDBOX-DC.md); no TLS handshake cost.
    const child = spawn('ldapadd', ['-c', '-x', '-H', d.ldapUrl, '-D', d.adminDn, '-w', d.adminPassword], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ldapadd exited ${code}: ${stderr}`))));
    const write = async () => {
      for (const record of records) {
        if (!child.stdin.write(record)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    };
    write().catch(reject);
  });
}

/** `count` computers named <prefix><n> in OU=<ouName>,OU=Servers. */
export async function ensureComputers(
  ouName: string,
  prefix: string,
  count: number,
  options: PopulationOptions = {},
): Promise<Population> {
  const d = sandboxDomain();
  const ouDn = `OU=${ouName},OU=Servers,${d.baseDn}`;
  const existing = await withClient(adminClient(d.name), async (client) => {
    await ensureOu(client, ouDn);
    const found = new Set<string>();
    for await (const page of client.searchPaginated(ouDn, {
      scope: 'one',
      filter: '(objectClass=computer)',
      attributes: ['cn'],
      paged: { pageSize: 1000 },
    })) {
      for (const e of page.searchEntries) found.add(String(e.cn).toUpperCase());
    }
    return found;
  });
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`.toUpperCase());
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length) {
    const started = Date.now();
    await ldapadd(
      (function* () {
        for (const cn of missing) {
          yield [
            `dn: CN=${cn},${ouDn}`,
            'objectClass: top',
            'objectClass: person',
            'objectClass: organizationalPerson',
            'objectClass: user',
            'objectClass: computer',
            `cn: ${cn}`,
            `sAMAccountName: ${cn}$`,
            `dNSHostName: ${cn.toLowerCase()}.${d.name}`,
            'userAccountControl: 4096',
            ...(options.ldifLines ?? []),
            '',
            '',
          ].join('\n');
        }
      })(),
    );
    process.stderr.write(
      `created ${missing.length} computers in ${ouDn} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  }
  return { ouDn, computers: names.map((name) => ({ name, dn: `CN=${name},${ouDn}` })) };
}
