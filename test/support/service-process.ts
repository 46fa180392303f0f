// The service as its own OS process: src/main.ts through ts-node + SWC (tests that need several
// real replicas; the worker runs in each, as in production), or a built dist/src/main.js.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from './test-app';

export interface ServiceProcess {
  url: string;
  /** The process started (with RBCD_HTTP_PROCESSES > 1: the primary). */
  pid: number;
  /** Its exit code once it has exited (null: killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `built`: run `node dist/src/main.js` in that folder (a production install) instead of the sources. */
export async function startServiceProcess(
  env: Record<string, string>,
  built?: { cwd: string },
): Promise<ServiceProcess> {
  const port = await freePort();
  const root = join(__dirname, '..', '..');
  const args = built
    ? [join(built.cwd, 'dist', 'src', 'main.js')]
    : ['-r', 'ts-node/register', join(root, 'src', 'main.ts')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: built?.cwd ?? root,
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_SWC: 'true',
      RBCD_ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      RBCD_JOB_POLL_MS: '100',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000; // ts-node start-up on a loaded 2-core machine
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited: ${stderr}`);
    const ok = await fetch(`${url}/health/live`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // no orphan left serving (and working jobs) after a failed start
      throw new Error(`service did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid as number,
    exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Compiles src/ and migrations/ with SWC (no type check, about a second) into a folder of the
 * checkout, for tests that start the service many times: `node <dir>/src/main.js` starts faster
 * than ts-node. Returns the folder (remove it when done).
 */
export function compileService(): string {
  const root = join(__dirname, '..', '..');
  const out = join(root, '.sandbox', `test-dist-${process.pid}`);
  execFileSync(
    join(root, 'node_modules', '.bin', 'swc'),
    ['src', 'migrations', '-d', out, '--config-file', '.swcrc', '--ignore', '**/*.spec.ts'],
    { cwd: root, stdio: 'pipe' },
  );
  return out;
}

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the compiled service (its worker on) until the process ends by itself, e.g. killed by the
 * RBCD_TEST_CRASH_AT hook; a process still running after `timeoutMs` is stopped and reported.
 */
export async function runUntilExit(
  dist: string,
  env: Record<string, string>,
  timeoutMs = 240_000,
): Promise<ProcessEnd> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(dist, 'src', 'main.js')], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      RBCD_ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      RBCD_JOB_POLL_MS: '100',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
