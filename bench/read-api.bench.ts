// Read API: GET /api/v1/delegations/{target} at 50 concurrent clients (keep-alive HTTP), against
// the same question asked of the DC directly in the same run:
//   (a) raw ldapsearch processes (one per query, 50 at a time), what a script does today, and
//   (b) ldapts on one connection (the directory's own latency, no HTTP, no decoding).
// Target: p99 under 25 ms.            npm run bench:read-api   (BENCH_SECONDS, default 10)
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRbcdDescriptor, encodeSecurityDescriptor } from '../src/security-descriptor';
import { createComputer, deleteObject, sandboxDomain, svcClient, uniqueName, writeRbcdRaw } from '../test/support/sandbox';
import { closedLoop, formatLoad } from './support/load';
import { sandboxApp } from '../test/support/workflow';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ATTR = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'silent';
  const d = sandboxDomain();
  const target = await createComputer(uniqueName('RB'));
  const principals = [await createComputer(uniqueName('RP')), await createComputer(uniqueName('RP'))];
  await writeRbcdRaw(target.dn, encodeSecurityDescriptor(createRbcdDescriptor(principals.map((p) => p.sid))));
  const name = target.samAccountName.replace(/\$$/, '');
  const t = await sandboxApp();
  await t.app.listen(0, '127.0.0.1');
  const port = (t.app.getHttpServer().address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = () =>
    new Promise<boolean>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/v1/delegations/${name}`, agent, headers: t.admin }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(res.statusCode === 200 && JSON.parse(Buffer.concat(chunks).toString()).principals.length === 2));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    await closedLoop(CONCURRENCY, 2, get); // warm-up: connections, SID cache
    const service = await closedLoop(CONCURRENCY, SECONDS, get);

    const ldap = await svcClient();
    const direct = await closedLoop(CONCURRENCY, SECONDS, async () => {
      const { searchEntries } = await ldap.search(d.baseDn, { filter: `(sAMAccountName=${name}$)`, attributes: [ATTR, 'objectSid'], explicitBufferAttributes: [ATTR, 'objectSid'] });
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
    console.log(formatLoad('GET /api/v1/delegations/{target} (rbcd-broker)', service));
    console.log(formatLoad('ldapsearch process per query (baseline)', ldapsearch));
    console.log(formatLoad('ldapts search on one connection (DC floor)', direct));
    console.log(`  rbcd-broker p99 ${service.p99.toFixed(1)} ms (target < 25 ms); ${(service.throughput / ldapsearch.throughput).toFixed(1)}x the throughput of ldapsearch, ${(service.throughput / direct.throughput).toFixed(2)}x the raw LDAP search`);
  } finally {
    agent.destroy();
    await t.close();
    for (const c of [target, ...principals]) await deleteObject(c.dn);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
