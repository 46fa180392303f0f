// Inventory of 10,000 computers that all carry an RBCD descriptor: GET /api/v1/inventory (every page,
// decoded, with risk flags and principal names) against a paged ldapsearch dump of the same
// attributes with the same filter, in the same run. Target: within 1.5x of ldapsearch.
//   npm run bench:inventory   (BENCH_COUNT, default 10000; first run populates the sandbox: a few minutes)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { readRbcdRaw, sandboxDomain } from '../test/support/sandbox';
import { sandboxApp } from '../test/support/workflow';
import { ensureComputers, type Population } from './support/population';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const FILTER = `(&(objectSid=*)(|(${ATTR}=*)(msDS-AllowedToDelegateTo=*)(userAccountControl:1.2.840.113556.1.4.803:=524288)(userAccountControl:1.2.840.113556.1.4.803:=16777216)))`;
const ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'dNSHostName',
  'objectClass',
  'userAccountControl',
  'primaryGroupID',
  'adminCount',
  'msDS-AllowedToDelegateTo',
  ATTR,
];

async function ensureDescriptors(pop: Population): Promise<void> {
  if ((await readRbcdRaw(pop.computers[0].dn)) && (await readRbcdRaw(pop.computers[pop.computers.length - 1].dn)))
    return;
  const d = sandboxDomain();
  const value = encodeSecurityDescriptor(
    createRbcdDescriptor(['S-1-5-21-2885983422-1122602711-2830151633-1103']),
  ).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  writeFileSync(
    join(dir, 'set.ldif'),
    pop.computers.map((c) => `dn: ${c.dn}\nchangetype: modify\nreplace: ${ATTR}\n${ATTR}:: ${value}\n-\n`).join('\n'),
  );
  const run = spawnSync(
    'ldapmodify',
    ['-x', '-H', d.url, '-D', d.adminDn, '-w', d.adminPassword, '-f', join(dir, 'set.ldif')],
    { env: { ...process.env, LDAPTLS_CACERT: d.caFile }, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
}

function ldapsearchDump(pop: Population): { seconds: number; entries: number } {
  const d = sandboxDomain();
  const start = process.hrtime.bigint();
  const run = spawnSync(
    'ldapsearch',
    [
      '-LLL',
      '-x',
      '-H',
      d.url,
      '-D',
      d.svcDn,
      '-y',
      d.svcPasswordFile,
      '-E',
      'pr=1000/noprompt',
      '-b',
      pop.ouDn,
      FILTER,
      ...ATTRIBUTES,
    ],
    {
      env: { ...process.env, LDAPTLS_CACERT: d.caFile },
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(run.stderr);
  return { seconds, entries: (run.stdout.match(/^dn: /gm) ?? []).length };
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const pop = await ensureComputers('BenchInventory', 'INV', COUNT);
  await ensureDescriptors(pop);
  const t = await sandboxApp();
  try {
    const fetchAll = async () => {
      const start = process.hrtime.bigint();
      let cursor: string | null = null;
      let items = 0;
      do {
        const query: string = `/api/v1/inventory?base=${encodeURIComponent(pop.ouDn)}&limit=5000${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.http().get(query).set(t.admin);
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        items += res.body.items.length;
        cursor = res.body.nextCursor;
      } while (cursor);
      return { seconds: Number(process.hrtime.bigint() - start) / 1e9, items };
    };
    await fetchAll(); // warm-up (connections, SID cache)
    const baseline = ldapsearchDump(pop);
    const service = await fetchAll();
    console.log(`\nInventory of ${COUNT} computers with RBCD descriptors (${pop.ouDn})`);
    console.log(
      `  paged ldapsearch dump (baseline)        ${baseline.seconds.toFixed(2).padStart(7)} s  ${baseline.entries} entries`,
    );
    console.log(
      `  GET /api/v1/inventory, every page       ${service.seconds.toFixed(2).padStart(7)} s  ${service.items} items (decoded, named, risk-flagged)`,
    );
    console.log(`  ratio ${(service.seconds / baseline.seconds).toFixed(2)}x ldapsearch (target <= 1.5x)`);
  } finally {
    await t.close();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
