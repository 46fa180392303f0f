// Scale-out: two service processes (each with its worker) on one PostgreSQL database. 200 grant
// requests approved through both: every grant written exactly once (one directory write each in
// the audit), no ACE lost, no job run twice.
import { DataSource } from 'typeorm';
import { readDatabase } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { decodeSecurityDescriptor, listPrincipals } from '../../src/security-descriptor';
import { contractFetch } from '../support/contract-http';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { createComputer, type CreatedComputer, deleteObject, readRbcdRaw, uniqueName } from '../support/sandbox';
import { TEST_ADMIN_KEY, testDatabaseUrl } from '../support/test-app';
import { SANDBOX_CONFIG } from '../support/workflow';

const TARGETS = 10;
const PRINCIPALS = 20;

describe('scale-out: two service processes on one PostgreSQL database', () => {
  const computers: CreatedComputer[] = [];
  const services: ServiceProcess[] = [];
  let ds: DataSource;

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await ds?.destroy();
    for (const c of computers) await deleteObject(c.dn).catch(() => undefined);
  });

  it(`${TARGETS * PRINCIPALS} grants approved through both processes all land, each written and run once`, async () => {
    const url = await testDatabaseUrl('postgres');
    ds = new DataSource(buildDataSourceOptions(readDatabase(url)));
    await ds.initialize();
    await ds.runMigrations(); // the deploy step; the processes then start on a current schema
    // One ticketing key files all 200 requests: above the default 120 changes a minute, which the
    // replicas now enforce together.
    const env = { DATABASE_URL: url, RBCD_CONFIG: SANDBOX_CONFIG, RBCD_RATE_LIMIT_PER_MINUTE: '1000' };
    services.push(...(await Promise.all([startServiceProcess(env), startServiceProcess(env)])));

    const targets: CreatedComputer[] = [];
    const principals: CreatedComputer[] = [];
    for (let i = 0; i < TARGETS; i++) targets.push(await createComputer(uniqueName('SO')));
    for (let i = 0; i < PRINCIPALS; i++) principals.push(await createComputer(uniqueName('SP')));
    computers.push(...targets, ...principals);

    const call = async (service: ServiceProcess, path: string, key: string, body: unknown, expected: number) => {
      const res = await contractFetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== expected) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const requester = (
      await call(services[0], '/api/v1/api-keys', TEST_ADMIN_KEY, { name: 'ticketing', roles: ['requester'] }, 201)
    ).key as string;
    const approver = (
      await call(services[1], '/api/v1/api-keys', TEST_ADMIN_KEY, { name: 'approver', roles: ['approver'] }, 201)
    ).key as string;

    const pairs = targets.flatMap((t) => principals.map((p) => ({ t, p })));
    const ids: string[] = [];
    for (let i = 0; i < pairs.length; i += 20) {
      const batch = pairs.slice(i, i + 20);
      ids.push(
        ...(await Promise.all(
          batch.map(
            async ({ t, p }, j) =>
              (
                await call(
                  services[(i + j) % 2],
                  '/api/v1/requests',
                  requester,
                  { action: 'grant', targets: [t.dn], principals: [p.sid], justification: 'scale-out' },
                  201,
                )
              ).id as string,
          ),
        )),
      );
    }
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids
          .slice(i, i + 20)
          .map((id, j) => call(services[(i + j + 1) % 2], `/api/v1/requests/${id}/approve`, approver, {}, 200)),
      );
    }

    const deadline = Date.now() + 120_000;
    for (;;) {
      const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM requests WHERE status = 'applied'`);
      if (n === ids.length) break;
      const failed = await ds.query(`SELECT id, result FROM requests WHERE status = 'failed' LIMIT 1`);
      if (failed.length) throw new Error(`a request failed: ${JSON.stringify(failed[0])}`);
      if (Date.now() > deadline) throw new Error(`only ${n} of ${ids.length} applied`);
      await new Promise((r) => setTimeout(r, 250));
    }

    for (const t of targets) {
      const raw = await readRbcdRaw(t.dn);
      const sids = raw ? listPrincipals(decodeSecurityDescriptor(raw)).principals.map((p) => p.sid) : [];
      expect(sids.sort()).toEqual(principals.map((p) => p.sid).sort());
    }
    const writes = await ds.query(
      `SELECT request_id, COUNT(*)::int AS n FROM audit_events WHERE type = 'directory.write' GROUP BY request_id`,
    );
    expect(writes).toHaveLength(ids.length);
    expect(writes.every((w: { n: number }) => w.n === 1)).toBe(true);
    const jobs = await ds.query(`SELECT attempts, status, lease_owner FROM jobs WHERE kind = 'apply'`);
    expect(jobs).toHaveLength(ids.length);
    expect(jobs.every((j: { attempts: number; status: string }) => j.attempts === 1 && j.status === 'done')).toBe(true);
    expect(new Set(jobs.map((j: { lease_owner: string }) => j.lease_owner)).size).toBe(2); // both processes did work
    const verify = (await (
      await contractFetch(`${services[0].url}/api/v1/audit/verify`, {
        headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
      })
    ).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
  }, 240_000);
});
