// Read API: GET /api/v1/delegations/{target} at 50 concurrent clients: the built service
// (node dist/src/main.js, LOG_LEVEL=info to /dev/null) in its own process, loaded by wrk (Debian's
// package, installed when missing) from another; against the same question asked of the DC
// directly in the same run:
//   (a) raw ldapsearch processes (one per query, 50 at a time), what a script does today, and
//   (b) ldapts on one connection (the directory's own latency, no HTTP, no decoding).
// A second scenario asks about 50 distinct targets in turn (a wrk Lua script), so that no answer
// is shared with another request in flight: each is a directory read, against (b) on the same 50.
// The service is measured in BENCH_ROUNDS rounds (default 3) and judged on the median round's p99,
// since one round on a shared 2-core machine can catch the DC or another process busy.
// Target: p99 under 25 ms.            npm run bench:read-api   (BENCH_SECONDS, default 10)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { createComputer, type CreatedComputer, deleteObject, sandboxDomain, svcClient, uniqueName, writeRbcdRaw } from '../test/support/sandbox';
import { SANDBOX_CONFIG, sleep } from '../test/support/workflow';
import { ensureDebianPackage } from './support/debian';
import { closedLoop, formatLoad, type LoadResult } from './support/load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const DISTINCT_TARGETS = 50;
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const KEY = 'bench-admin-key-0123456789abcdef';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** wrk's output, in the units LoadResult uses. */
/** A wrk script that asks for each path in turn. */
function roundRobinScript(paths: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-wrk-')), 'round-robin.lua');
  writeFileSync(file, `paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\nn = 0\nrequest = function()\n  n = n + 1\n  return wrk.format("GET", paths[(n % #paths) + 1])\nend\n`);
  return file;
}

function runWrk(url: string, concurrency = CONCURRENCY, script?: string): LoadResult {
  ensureDebianPackage('wrk', () => spawnSync('which', ['wrk']).status === 0);
  const scriptArgs = script ? ['-s', script] : [];
  const run = spawnSync('wrk', ['-t2', `-c${concurrency}`, `-d${SECONDS}s`, '--latency', ...scriptArgs, '-H', `Authorization: Bearer ${KEY}`, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(run.stdout);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1] ?? 0);
  return { requests, errors: non2xx, seconds: SECONDS, throughput: rps, p50: ms('50'), p90: ms('90'), p99: ms('99'), max: NaN };
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const d = sandboxDomain();
  const target = await createComputer(uniqueName('RB'));
  const principals = [await createComputer(uniqueName('RP')), await createComputer(uniqueName('RP'))];
  await writeRbcdRaw(target.dn, encodeSecurityDescriptor(createRbcdDescriptor(principals.map((p) => p.sid))));
  const name = target.samAccountName.replace(/\$$/, '');
  const distinct: CreatedComputer[] = [];
  for (let i = 0; i < DISTINCT_TARGETS; i++) {
    distinct.push(await createComputer(uniqueName('RM')));
    await writeRbcdRaw(distinct[i].dn, encodeSecurityDescriptor(createRbcdDescriptor(principals.map((p) => p.sid))));
  }
  const distinctNames = distinct.map((c) => c.samAccountName.replace(/\$$/, ''));
  if (spawnSync('npx', ['nest', 'build'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const port = await freePort();
  const service = spawn('node', ['dist/src/main.js'], {
    env: { ...process.env, NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '', RBCD_CONFIG: SANDBOX_CONFIG, DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-')), 'rbcd.sqlite')}`, RBCD_ADMIN_API_KEY: KEY, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/api/v1/delegations/${name}`;
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(url, { headers: { Authorization: `Bearer ${KEY}` } }).then((r) => r.ok).catch(() => false);
      if (ok) break;
      await sleep(200);
    }
    const body = (await (await fetch(url, { headers: { Authorization: `Bearer ${KEY}` } })).json()) as { principals: unknown[] };
    if (body.principals.length !== 2) throw new Error(`unexpected answer ${JSON.stringify(body)}`);
    runWrk(url.replace(/delegations\/.*/, 'delegations/SERVERC')); // warm-up (JIT, connections)
    const rounds = Array.from({ length: ROUNDS }, () => runWrk(url));
    const serviceResult = [...rounds].sort((a, b) => a.p99 - b.p99)[Math.floor(ROUNDS / 2)];
    const serviceAt10 = runWrk(url, 10);
    const script = roundRobinScript(distinctNames.map((n) => `/api/v1/delegations/${n}`));
    runWrk(url.replace(/\/api\/.*/, ''), CONCURRENCY, script); // warm-up: each target's domain is learnt
    const serviceDistinct = runWrk(url.replace(/\/api\/.*/, ''), CONCURRENCY, script);

    const ldap = await svcClient();
    const direct = await closedLoop(CONCURRENCY, SECONDS, async () => {
      const { searchEntries } = await ldap.search(d.baseDn, { filter: `(sAMAccountName=${name}$)`, attributes: [ATTR, 'objectSid'], explicitBufferAttributes: [ATTR, 'objectSid'] });
      return searchEntries.length === 1;
    });
    let turn = 0;
    const directDistinct = await closedLoop(CONCURRENCY, SECONDS, async () => {
      const other = distinctNames[turn++ % distinctNames.length];
      const { searchEntries } = await ldap.search(d.baseDn, { filter: `(sAMAccountName=${other}$)`, attributes: [ATTR, 'objectSid'], explicitBufferAttributes: [ATTR, 'objectSid'] });
      return searchEntries.length === 1;
    });
    await ldap.unbind();

    const ldapsearch = await closedLoop(CONCURRENCY, SECONDS, () =>
      new Promise<boolean>((resolve) => {
        const child = spawn('ldapsearch', ['-LLL', '-x', '-H', d.url, '-D', d.svcDn, '-y', d.svcPasswordFile, '-b', d.baseDn, `(sAMAccountName=${name}$)`, ATTR], {
          env: { ...process.env, LDAPTLS_CACERT: d.caFile },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('close', (code) => resolve(code === 0 && out.includes(ATTR)));
      }),
    );

    console.log(`\nRead API: who may delegate to ${name} (2 principals), ${CONCURRENCY} concurrent clients, ${SECONDS} s each`);
    rounds.forEach((round, i) => console.log(formatLoad(`GET /api/v1/delegations/{target} (rbcd-broker, wrk) #${i + 1}`, round)));
    console.log(formatLoad('  the same at 10 concurrent clients', serviceAt10));
    console.log(formatLoad('ldapsearch process per query (baseline)', ldapsearch));
    console.log(formatLoad('ldapts search on one connection (DC floor)', direct));
    console.log(`\n${DISTINCT_TARGETS} distinct targets in turn (no answer shared: each is a directory read), ${CONCURRENCY} concurrent clients`);
    console.log(formatLoad('GET /api/v1/delegations/{target} (rbcd-broker, wrk)', serviceDistinct));
    console.log(formatLoad('ldapts search on one connection (DC floor)', directDistinct));
    console.log(`\n  rbcd-broker p99 ${serviceResult.p99.toFixed(1)} ms in the median of ${ROUNDS} rounds (target < 25 ms; rounds: ${rounds.map((r) => r.p99.toFixed(1)).join(', ')} ms); ${(serviceResult.throughput / ldapsearch.throughput).toFixed(1)}x the throughput of ldapsearch, ${(serviceResult.throughput / direct.throughput).toFixed(2)}x the raw LDAP search`);
  } finally {
    service.kill('SIGTERM');
    for (const c of [target, ...principals, ...distinct]) await deleteObject(c.dn);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
