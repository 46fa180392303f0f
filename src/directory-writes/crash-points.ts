import type { IntentAction } from './directory-intent.entity';

/** Where a directory write can be interrupted: the kill points of the crash tests. */
export const CRASH_POINTS = ['after-intent', 'after-write', 'before-commit', 'after-commit'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * TEST ONLY. With RBCD_TEST_CRASH_AT=<action>:<point> (config.testCrashAt), the process kills
 * itself with SIGKILL when a directory write of that action reaches that point: no shutdown hook,
 * no lease given back, an open transaction lost, as when a machine dies. Without it (always in
 * production: loadConfig refuses it under NODE_ENV=production) this does nothing.
 */
export function crashPointsFor(spec: string | undefined): (action: IntentAction, point: CrashPoint) => void {
  if (!spec) return () => undefined;
  return (action, point) => {
    if (`${action}:${point}` !== spec) return;
    process.kill(process.pid, 'SIGKILL');
    // Nothing else runs while the signal lands.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  };
}
