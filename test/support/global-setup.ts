// Jest globalSetup: make sure the sandbox AD DCs are up (scripts/sandbox-dc.sh up is idempotent:
// about half a second when everything already runs). RBCD_SKIP_SANDBOX=1 skips this step, e.g.
// when the DCs are managed by hand or a run needs no directory.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { testDatabasePrefix } from './test-database-prefix';

/**
 * Each PostgreSQL test makes a database of its own (<prefix><random>, prefix rbcd_test_ unless
 * TEST_DB_PREFIX says otherwise: two checkouts testing at once use two prefixes); the ones earlier runs
 * left behind are dropped here, before this run makes new ones. No PostgreSQL: nothing to do.
 */
async function dropOldTestDatabases(): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({
    connectionString: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    const prefix = testDatabasePrefix();
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      if (new RegExp(`^${prefix}[0-9a-f]+$`).test(datname))
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } catch {
    // PostgreSQL is not reachable: the tests that need it will say so.
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup(): Promise<void> {
  await dropOldTestDatabases();
  if (process.env.RBCD_SKIP_SANDBOX === '1') return;
  const script = path.resolve(__dirname, '../../scripts/sandbox-dc.sh');
  const result = spawnSync(script, ['up'], { stdio: 'inherit', env: process.env });
  if (result.error) {
    throw new Error(`sandbox: could not run ${script}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const how = result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
    throw new Error(
      `sandbox: '${script} up' failed (${how}); see its output above. ` +
        'Fix it, or set RBCD_SKIP_SANDBOX=1 to run without starting the sandbox DCs.',
    );
  }
}
