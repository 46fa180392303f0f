// Bulk grant: one request over an OU of 1,000 computers, from approval to `applied`, against
//   (a) one ldapmodify process streaming the same 1,000 modifications to the same DC (the directory's
//       own limit; it writes blindly, with no read, no compare-and-swap, no audit), and
//   (b) a loop of `samba-tool delegation add-principal`, what admins script today (one process per
//       computer; measured on BENCH_LOOP_SAMPLE computers and scaled to 1,000).
// Targets: within 1.5x of ldapmodify, at least 10x faster than the loop.
//   npm run bench:bulk-grant           (BENCH_DB=sqlite|postgres, default both)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change } from 'ldapts';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { adminClient, loadSandbox, readRbcdRaw, sandboxDomain, withClient } from '../test/support/sandbox';
import type { TestDatabase } from '../test/support/test-app';
import { actors, drainJobs, sandboxApp } from '../test/support/workflow';
import { ensureComputers, type Population } from './support/population';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const LOOP_SAMPLE = Number(process.env.BENCH_LOOP_SAMPLE ?? 20);
const DATABASES = (process.env.BENCH_DB ?? 'sqlite,postgres').split(',') as TestDatabase[];
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

async function clearAll(pop: Population): Promise<void> {
  await withClient(adminClient(), async (client) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < pop.computers.length) {
          const { dn } = pop.computers[next++];
          try {
            await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: ATTR, values: [] }) })]);
          } catch {
            /* already absent */
          }
        }
      }),
    );
  });
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function principalSid(): Promise<string> {
  const d = sandboxDomain();
  return withClient(adminClient(), async (c) => {
    const { searchEntries } = await c.search(d.baseDn, { filter: '(sAMAccountName=SERVERB$)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const { sidFromBytes } = await import('../src/security-descriptor');
    return sidFromBytes(searchEntries[0].objectSid as Buffer);
  });
}

function ldapmodify(pop: Population, sid: string): number {
  const d = sandboxDomain();
  const value = encodeSecurityDescriptor(createRbcdDescriptor([sid])).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const ldif = pop.computers.map((c) => `dn: ${c.dn}\nchangetype: modify\nadd: ${ATTR}\n${ATTR}:: ${value}\n-\n`).join('\n');
  writeFileSync(join(dir, 'grants.ldif'), ldif);
  const start = process.hrtime.bigint();
  const run = spawnSync('ldapmodify', ['-x', '-H', d.url, '-D', d.svcDn, '-y', d.svcPasswordFile, '-f', join(dir, 'grants.ldif')], {
    env: { ...process.env, LDAPTLS_CACERT: d.caFile },
    encoding: 'utf8',
  });
  const took = seconds(start);
  if (run.status !== 0) throw new Error(`ldapmodify failed: ${run.stderr}`);
  return took;
}

function sambaToolLoop(pop: Population): number {
  const d = sandboxDomain();
  const sample = pop.computers.slice(0, LOOP_SAMPLE);
  const start = process.hrtime.bigint();
  for (const c of sample) {
    const run = spawnSync('samba-tool', ['delegation', 'add-principal', `${c.name}$`, 'SERVERB$', '-H', d.url, `--simple-bind-dn=${d.adminDn}`, `--password=${d.adminPassword}`], {
      env: { ...process.env, LDAPTLS_CACERT: d.caFile, TLS_CA_FILE: d.caFile },
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      // Over LDAPS samba-tool may insist on its own TLS settings; fall back to the DC's database, as on a DC.
      const local = spawnSync('samba-tool', ['delegation', 'add-principal', `${c.name}$`, 'SERVERB$', '-H', (loadSandbox().domains[0] as { samDb: string }).samDb, '-s', (loadSandbox().domains[0] as { smbConf: string }).smbConf], { encoding: 'utf8' });
      if (local.status !== 0) throw new Error(`samba-tool failed: ${run.stderr} / ${local.stderr}`);
    }
  }
  return (seconds(start) / sample.length) * pop.computers.length;
}

async function service(pop: Population, database: TestDatabase): Promise<number> {
  const t = await sandboxApp({ database });
  try {
    const who = await actors(t);
    const created = await t.http().post('/api/v1/requests').set(who.requester).send({ action: 'grant', targetSearch: { base: pop.ouDn }, principals: ['SERVERB$'], justification: 'bulk', duration: 'P1D' });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    if (created.body.targets.length !== pop.computers.length) throw new Error(`expected ${pop.computers.length} targets`);
    const start = process.hrtime.bigint();
    await t.http().post(`/api/v1/requests/${created.body.id}/approve`).set(who.approver).send({}).expect(200);
    await drainJobs(t);
    const took = seconds(start);
    const done = await t.http().get(`/api/v1/requests/${created.body.id}`).set(who.requester);
    if (done.body.status !== 'applied') throw new Error(`request ended ${done.body.status}: ${JSON.stringify(done.body.result?.error)}`);
    return took;
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const pop = await ensureComputers("BenchBulk", "BLK", COUNT);
  const sid = await principalSid();
  const rows: [string, number][] = [];

  await clearAll(pop);
  rows.push(['ldapmodify (one process, 1,000 blind adds)', ldapmodify(pop, sid)]);
  if (!(await readRbcdRaw(pop.computers[0].dn))) throw new Error('ldapmodify wrote nothing');
  await clearAll(pop);
  rows.push([`samba-tool add-principal loop (${LOOP_SAMPLE} measured, scaled to ${COUNT})`, sambaToolLoop(pop)]);
  await clearAll(pop);
  for (const database of DATABASES) {
    rows.push([`rbcd-broker on ${database} (approval -> applied)`, await service(pop, database)]);
    await clearAll(pop);
  }

  const baseline = rows[0][1];
  const loop = rows[1][1];
  console.log(`\nBulk grant of SERVERB$ on ${COUNT} computers (${pop.ouDn})`);
  for (const [name, s] of rows) console.log(`  ${name.padEnd(62)} ${s.toFixed(2).padStart(8)} s   ${(COUNT / s).toFixed(0).padStart(6)} targets/s`);
  for (const [name, s] of rows.slice(2)) {
    console.log(`  ${name}: ${(s / baseline).toFixed(2)}x ldapmodify (target <= 1.5x), ${(loop / s).toFixed(1)}x faster than the samba-tool loop (target >= 10x)`);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
