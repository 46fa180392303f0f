// Inventory of 10,000 computers that all carry an RBCD descriptor: GET /api/v1/inventory (every page,
// decoded, with risk flags and principal names), in the same run:
//   - with writers (the default: nTSecurityDescriptor in the same paged search, RBCD_WRITABLE_BY_NON_TIER0)
//     against the plain inventory (writers=false). Target: within 2x (issue 10).
//   - the plain inventory against a paged ldapsearch dump of the same attributes and filter.
//     Target: within 1.5x of ldapsearch.
// Rounds alternate (plain, writers, ldapsearch) so that load on the machine hits each alike; the
// medians are compared.
//   npm run bench:inventory   (BENCH_COUNT, default 10000; BENCH_ROUNDS, default 5; the first run
//   populates the sandbox through one ldapadd stream: a few minutes)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCAN_ATTRIBUTES } from '../src/directory/directory.types';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { readRbcdRaw, sandboxDomain } from '../test/support/sandbox';
import { sandboxApp } from '../test/support/workflow';
import { ensureComputers, type Population } from './support/population';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const FILTER = `(&(objectSid=*)(|(${ATTR}=*)(msDS-AllowedToDelegateTo=*)(userAccountControl:1.2.840.113556.1.4.803:=524288)(userAccountControl:1.2.840.113556.1.4.803:=16777216)))`;
/** What the service's inventory reads (its own list), so the baseline asks the DC the same question. */
const ATTRIBUTES = [...SCAN_ATTRIBUTES, 'msDS-AllowedToDelegateTo', ATTR];

const DESCRIPTOR = encodeSecurityDescriptor(
  createRbcdDescriptor(['S-1-5-21-2885983422-1122602711-2830151633-1103']),
).toString('base64');

/** Computers made before their descriptor was part of the LDIF get it in one ldapmodify stream. */
async function ensureDescriptors(pop: Population): Promise<void> {
  if ((await readRbcdRaw(pop.computers[0].dn)) && (await readRbcdRaw(pop.computers[pop.computers.length - 1].dn)))
    return;
  const d = sandboxDomain();
  const value = DESCRIPTOR;
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
  const pop = await ensureComputers('BenchInventory', 'INV', COUNT, { ldifLines: [`${ATTR}:: ${DESCRIPTOR}`] });
  await ensureDescriptors(pop);
  const t = await sandboxApp();
  try {
    const fetchAll = async (writers: boolean) => {
      const start = process.hrtime.bigint();
      let cursor: string | null = null;
      let items = 0;
      let flagged = 0;
      do {
        const query: string = `/api/v1/inventory?base=${encodeURIComponent(pop.ouDn)}&limit=5000&writers=${writers}${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.http().get(query).set(t.admin);
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        items += res.body.items.length;
        flagged += res.body.items.filter((i: { risks: { code: string }[] }) =>
          i.risks.some((r) => r.code === 'RBCD_WRITABLE_BY_NON_TIER0'),
        ).length;
        cursor = res.body.nextCursor;
      } while (cursor);
      return { seconds: Number(process.hrtime.bigint() - start) / 1e9, items, flagged };
    };
    await fetchAll(false); // warm-up (connections, SID cache)
    await fetchAll(true);
    const plain: number[] = [];
    const withWriters: number[] = [];
    const ldapsearch: number[] = [];
    let items = 0;
    let entries = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const p = await fetchAll(false);
      const w = await fetchAll(true);
      const l = ldapsearchDump(pop);
      plain.push(p.seconds);
      withWriters.push(w.seconds);
      ldapsearch.push(l.seconds);
      items = w.items;
      entries = l.entries;
      if (p.items !== w.items) throw new Error(`plain listed ${p.items} items, with writers ${w.items}`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const row = (label: string, xs: number[], note: string) =>
      console.log(`  ${label.padEnd(44)}${median(xs).toFixed(2).padStart(7)} s  ${note}`);
    console.log(`\nInventory of ${COUNT} computers with RBCD descriptors (${pop.ouDn}), median of ${ROUNDS} rounds`);
    row('paged ldapsearch dump', ldapsearch, `${entries} entries`);
    row('GET /api/v1/inventory?writers=false (plain)', plain, `${items} items (decoded, named, risk-flagged)`);
    row('GET /api/v1/inventory (with writers)', withWriters, `${items} items, permissions read and classed`);
    console.log(
      `  writers: ${(median(withWriters) / median(plain)).toFixed(2)}x the plain inventory (target <= 2x); rounds ${withWriters.map((w, i) => (w / plain[i]).toFixed(2)).join(' ')}`,
    );
    console.log(`  plain: ${(median(plain) / median(ldapsearch)).toFixed(2)}x ldapsearch (target <= 1.5x)`);
  } finally {
    await t.close();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
