import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs `script` (with `createRootLogger` in scope) in a child process; resolves with stdout and when the first line came. */
function runLogging(
  script: string,
): Promise<{ stdout: string; firstLineAfterMs: number | null; exitedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register', '-e', `const { createRootLogger } = require('./src/logging/root-logger'); ${script}`],
      { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_SWC: 'true' } },
    );
    let stdout = '';
    let firstLineAfterMs: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      if (firstLineAfterMs === null) firstLineAfterMs = Date.now() - started;
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, firstLineAfterMs, exitedAfterMs: Date.now() - started }));
  });
}

describe('the root logger on stdout', () => {
  it('writes the lines still buffered when the process exits', async () => {
    const { stdout } = await runLogging(
      `const log = createRootLogger('info'); for (let i = 0; i < 3; i++) log.info({ i }, 'line'); process.exit(0);`,
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; msg: string; service: string });
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2]);
    expect(lines[0]).toMatchObject({ msg: 'line', service: 'rbcd-broker' });
  }, 60_000);

  it('writes a lone line within the flush interval, long before the process ends', async () => {
    const { stdout, firstLineAfterMs, exitedAfterMs } = await runLogging(
      `createRootLogger('info').info('alone'); setTimeout(() => process.exit(0), 4000);`,
    );
    expect(JSON.parse(stdout.trim())).toMatchObject({ msg: 'alone' });
    expect(firstLineAfterMs).not.toBeNull();
    expect(exitedAfterMs - (firstLineAfterMs as number)).toBeGreaterThan(1500);
  }, 60_000);
});
