// Jest globalSetup: make sure the sandbox AD DCs are up (scripts/sandbox-dc.sh up is idempotent:
// about half a second when everything already runs). RBCD_SKIP_SANDBOX=1 skips this step, e.g.
// when the DCs are managed by hand or a run needs no directory.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default async function globalSetup(): Promise<void> {
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
