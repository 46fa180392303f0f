// Populates the sandbox DC with many computers for the benchmarks (idempotent: reuses what exists).
import { Attribute, type Client, NoSuchObjectError } from 'ldapts';
import { adminClient, sandboxDomain, withClient } from '../../test/support/sandbox';

export interface Population {
  ouDn: string;
  computers: { dn: string; name: string }[];
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

/** `count` computers named <prefix><n> in OU=<ouName>,OU=Servers (created over LDAP, several at a time). */
export async function ensureComputers(ouName: string, prefix: string, count: number): Promise<Population> {
  const d = sandboxDomain();
  const ouDn = `OU=${ouName},OU=Servers,${d.baseDn}`;
  return withClient(adminClient(d.name), async (client) => {
    await ensureOu(client, ouDn);
    const existing = new Set<string>();
    for await (const page of client.searchPaginated(ouDn, {
      scope: 'one',
      filter: '(objectClass=computer)',
      attributes: ['cn'],
      paged: { pageSize: 1000 },
    })) {
      for (const e of page.searchEntries) existing.add(String(e.cn).toUpperCase());
    }
    const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`.toUpperCase());
    const missing = names.filter((n) => !existing.has(n));
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < missing.length) {
          const cn = missing[next++];
          await client.add(`CN=${cn},${ouDn}`, [
            new Attribute({
              type: 'objectClass',
              values: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
            }),
            new Attribute({ type: 'cn', values: [cn] }),
            new Attribute({ type: 'sAMAccountName', values: [`${cn}$`] }),
            new Attribute({ type: 'dNSHostName', values: [`${cn.toLowerCase()}.${d.name}`] }),
            new Attribute({ type: 'userAccountControl', values: ['4096'] }),
          ]);
        }
      }),
    );
    if (missing.length)
      process.stderr.write(
        `created ${missing.length} computers in ${ouDn} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    return { ouDn, computers: names.map((name) => ({ name, dn: `CN=${name},${ouDn}` })) };
  });
}
