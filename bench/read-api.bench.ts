// Read API: GET /api/v1/delegations/{target} against a bare ldapts client, side by side in one run,
// with the same load generator (bench/support/load.ts closedLoop, in this process) and the same
// number of concurrent clients (BENCH_CONCURRENCY, default 50):
//   - the service: the built service (node dist/src/main.js) in its own process, 50 keep-alive HTTP
//     connections, each client sending its next request as soon as the previous one answered;
//   - the bare client: 50 ldapts connections (one per client), each searching the target by
//     sAMAccountName for its RBCD value and SID (no HTTP, no decoding, no naming of the principals).
// Two scenarios: 200 distinct targets (each client walks them in turn; BENCH_TARGETS), and one hot
// target everybody asks about. Each scenario runs BENCH_ROUNDS (default 3) rounds of BENCH_SECONDS
// (default 10) per side, alternating service and bare client; the report gives each round's ratio and
// the median and spread. Targets: distinct >= 1.0x the bare client's throughput with a p99 no worse;
// hot >= 1.5x.          npm run bench:read-api
// BENCH_HTTP_PROCESSES=n runs the service as n HTTP processes behind its one port
// (RBCD_HTTP_PROCESSES, on a fresh PostgreSQL database: several processes need PostgreSQL); the
// default 1 is one process on SQLite. The reads themselves never touch the database.
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { adminClient, sandboxDir, sandboxDomain, svcClient, withClient } from '../test/support/sandbox';
import { testDatabaseUrl } from '../test/support/test-app';
import { SANDBOX_CONFIG, sleep } from '../test/support/workflow';
import { cpuSnapshot, type CpuSources, formatCpuPerRequest } from './support/cpu';
import { closedLoop, formatLoad, type LoadResult } from './support/load';
import { ensureComputers } from './support/population';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const TARGETS = Number(process.env.BENCH_TARGETS ?? 200);
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';
const KEY = 'bench-admin-key-0123456789abcdef';
const HTTP_PROCESSES = Math.max(1, Number(process.env.BENCH_HTTP_PROCESSES ?? 1));

/** Node's flags of `npm start` (package.json), so that the service runs here as it does in production. */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = scripts.start.split(/\s+/);
  return words.slice(1).filter((w) => w.startsWith('--'));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** GET path on the service over a keep-alive agent; true when the answer is 200. */
function get(agent: Agent, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, agent, headers: { Authorization: `Bearer ${KEY}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** `concurrency` clients, each walking `names` in turn from its own offset. */
function walker(names: string[], ask: (client: number, name: string) => Promise<boolean>): () => Promise<boolean> {
  const turns = Array.from({ length: CONCURRENCY }, (_, i) => Math.floor((i * names.length) / CONCURRENCY));
  let next = 0;
  return () => {
    const client = next++ % CONCURRENCY;
    const name = names[turns[client]++ % names.length];
    return ask(client, name);
  };
}

async function serviceLoad(port: number, names: string[]): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    return await closedLoop(
      CONCURRENCY,
      SECONDS,
      walker(names, (_, name) => get(agent, port, `/api/v1/delegations/${name}`)),
    );
  } finally {
    agent.destroy();
  }
}

async function bareLoad(clients: Client[], baseDn: string, names: string[]): Promise<LoadResult> {
  let next = 0;
  const turns = Array.from({ length: CONCURRENCY }, (_, i) => Math.floor((i * names.length) / CONCURRENCY));
  return closedLoop(CONCURRENCY, SECONDS, async () => {
    const client = next++ % CONCURRENCY;
    const name = names[turns[client]++ % names.length];
    const { searchEntries } = await clients[client].search(baseDn, {
      filter: `(sAMAccountName=${name}$)`,
      attributes: [ATTR, 'objectSid'],
      explicitBufferAttributes: [ATTR, 'objectSid'],
    });
    return searchEntries.length === 1;
  });
}

/** The sandbox DC of contoso.test (dc1), with its forked workers: its CPU per request is reported too. */
function dcPid(): number | undefined {
  const file = join(sandboxDir(), 'dc1', 'samba.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

/** Directory operations the service has sent so far (its /metrics), by operation name. */
async function directoryOperations(port: number): Promise<Map<string, number>> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const counts = new Map<string, number>();
  for (const m of text.matchAll(
    /^rbcd_directory_operation_duration_seconds_count\{[^}]*operation="([^"]+)"[^}]*\} (\d+)/gm,
  ))
    counts.set(m[1], (counts.get(m[1]) ?? 0) + Number(m[2]));
  return counts;
}

/** `lookup 0.21, ...`: LDAP operations per request between two /metrics reads. */
function formatOperationsPerRequest(before: Map<string, number>, after: Map<string, number>, requests: number): string {
  return [...after]
    .map(([name, count]) => [name, (count - (before.get(name) ?? 0)) / Math.max(1, requests)] as const)
    .filter(([, perRequest]) => perRequest > 0)
    .map(([name, perRequest]) => `${name} ${perRequest.toFixed(3)}`)
    .join(', ');
}

/** Runs one side of a round and tells the CPU ms per request each process spent (Linux /proc). */
async function measured(sources: CpuSources, run: () => Promise<LoadResult>): Promise<[LoadResult, string]> {
  const before = cpuSnapshot(sources);
  const result = await run();
  return [result, formatCpuPerRequest(before, cpuSnapshot(sources), result.requests)];
}

const CHURN_MS = Number(process.env.BENCH_CHURN_MS ?? 20);

/** Another LDAP client changing an unrelated object's description every CHURN_MS until stopped. */
function startChurn(dn: string): { stop: () => Promise<number> } {
  let running = true;
  let changes = 0;
  const loop = withClient(adminClient(), async (c) => {
    while (running) {
      await c.modify(dn, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'description', values: [`churn ${changes}`] }),
        }),
      ]);
      changes++;
      await sleep(CHURN_MS);
    }
  });
  return {
    stop: async () => {
      running = false;
      await loop;
      return changes;
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const d = sandboxDomain();
  const pop = await ensureComputers('BenchRead', 'RD', TARGETS);
  const principals = await ensureComputers('BenchReadP', 'RDP', 2);
  const sids = await withClient(svcClient(), async (c) =>
    Promise.all(
      principals.computers.map(async (p) => {
        const { searchEntries } = await c.search(p.dn, {
          scope: 'base',
          attributes: ['objectSid'],
          explicitBufferAttributes: ['objectSid'],
        });
        const { sidFromBytes } = await import('../src/security-descriptor');
        return sidFromBytes(searchEntries[0].objectSid as Buffer);
      }),
    ),
  );
  const value = encodeSecurityDescriptor(createRbcdDescriptor(sids));
  await withClient(adminClient(), async (c) => {
    for (const computer of pop.computers)
      await c.modify(computer.dn, [
        new Change({ operation: 'replace', modification: new Attribute({ type: ATTR, values: [value] }) }),
      ]);
  });
  const names = pop.computers.map((c) => c.name);
  if (spawnSync('npx', ['nest', 'build'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const port = await freePort();
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const service = spawn('node', [...startFlags(), ...nodeArgs, 'dist/src/main.js'], {
    env: {
      ...process.env,
      RBCD_CONFIG: SANDBOX_CONFIG,
      DATABASE_URL:
        HTTP_PROCESSES > 1
          ? await testDatabaseUrl('postgres')
          : `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-')), 'rbcd.sqlite')}`,
      RBCD_HTTP_PROCESSES: String(HTTP_PROCESSES),
      RBCD_MIGRATE_ON_START: 'true',
      RBCD_ADMIN_API_KEY: KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'info', // info: one line per request, as in production
      ...(process.env.BENCH_POOL_SIZE ? { LDAP_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, () => svcClient()));
  try {
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 100 && !(await get(agent, port, `/api/v1/delegations/${names[0]}`)); i++) await sleep(200);
    agent.destroy();
    // BENCH_SCENARIOS=distinct,hot,churn picks some (default all three). churn: the distinct
    // targets while another LDAP client commits a change on the DC every CHURN_MS, for both sides:
    // the service's kept answers are then mostly stale (its reads search as without them).
    const only = process.env.BENCH_SCENARIOS;
    const scenarios = (
      [
        ['distinct', `${names.length} distinct targets`, names, false],
        ['hot', 'one hot target', [names[0]], false],
        ['churn', `${names.length} distinct targets, a change committed on the DC every ${CHURN_MS} ms`, names, true],
      ] as const
    )
      .filter(([key]) => !only || only.split(',').includes(key))
      .map(([, label, list, churn]) => ({ label, list: [...list], churn }));
    const report: string[] = [];
    for (const { label, list, churn } of scenarios) {
      const churning = churn ? startChurn(principals.computers[1].dn) : undefined;
      await serviceLoad(port, list); // warm-up: JIT, connections, the domain of each name
      const ratios: number[] = [];
      const p99s: [number, number][] = [];
      const lines: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const operationsBefore = await directoryOperations(port);
        const [mine, mineCpu] = await measured(
          {
            service: { pid: service.pid, withChildren: true }, // with its HTTP processes, if any
            dc: { pid: dcPid(), withChildren: true },
            'load generator': { pid: process.pid, withChildren: false },
          },
          () => serviceLoad(port, list),
        );
        const mineOperations = formatOperationsPerRequest(
          operationsBefore,
          await directoryOperations(port),
          mine.requests,
        );
        const [bare, bareCpu] = await measured(
          { dc: { pid: dcPid(), withChildren: true }, 'load generator': { pid: process.pid, withChildren: false } },
          () => bareLoad(clients, d.baseDn, list),
        );
        ratios.push(mine.throughput / bare.throughput);
        p99s.push([mine.p99, bare.p99]);
        lines.push(
          formatLoad(`#${round} rbcd-broker GET /delegations/{target}`, mine),
          `      CPU ms per request: ${mineCpu}; LDAP operations per request: ${mineOperations}`,
          formatLoad(`#${round} bare ldapts, ${CONCURRENCY} connections`, bare),
          `      CPU ms per request: ${bareCpu}`,
        );
      }
      const changes = await churning?.stop();
      report.push(
        `\n${label}${changes === undefined ? '' : ` (${changes} changes)`}, ${CONCURRENCY} concurrent clients, rbcd-broker as ${HTTP_PROCESSES} HTTP process(es), ${SECONDS} s per side, ${ROUNDS} rounds`,
        ...lines,
        `  throughput ratio (rbcd-broker / bare ldapts): median ${median(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; spread ${spread(ratios)})`,
        `  p99 rbcd-broker vs bare: ${p99s.map(([a, b]) => `${a.toFixed(1)} vs ${b.toFixed(1)} ms`).join('; ')} (median ratio ${median(p99s.map(([a, b]) => a / b)).toFixed(2)})`,
      );
    }
    console.log(report.join('\n'));
  } finally {
    service.kill('SIGTERM');
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
