// Baseline tools come from Debian's packages: installed on first use (benchmarks run as root on
// the project's Debian machines), so each benchmark is one npm script on a fresh machine too.
import { spawnSync } from 'node:child_process';

/** Installs `pkg` with apt-get unless `present()` already holds; throws when it still does not. */
export function ensureDebianPackage(pkg: string, present: () => boolean): void {
  if (present()) return;
  console.log(`installing ${pkg} (apt-get) for the baseline...`);
  spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!present()) throw new Error(`${pkg} is needed for the baseline: apt-get install -y ${pkg}`);
}
