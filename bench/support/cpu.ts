// CPU time of processes during a load run, from /proc (Linux only; elsewhere every figure is NaN).
// On a loaded machine throughput ratios wander with the neighbours; CPU milliseconds per request
// of each process wander much less, so they judge a change to the service.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process, in ms (NaN when it cannot be read). */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** The process and all its descendants (a DC's forked workers), by parent pid. */
function treeOf(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/** What to measure: a process alone, or with its descendants; undefined pids are skipped. */
export type CpuSources = Record<string, { pid: number | undefined; withChildren: boolean }>;

/** CPU ms used so far by each named source. */
export function cpuSnapshot(sources: CpuSources): Record<string, number> {
  const snapshot: Record<string, number> = {};
  for (const [name, { pid, withChildren }] of Object.entries(sources)) {
    if (pid === undefined) continue;
    const pids = withChildren ? treeOf(pid) : [pid];
    snapshot[name] = pids.reduce((sum, p) => sum + (processCpuMs(p) || 0), 0);
  }
  return snapshot;
}

/** `name a.bc ms/req` for each tree between two snapshots. */
export function formatCpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): string {
  return Object.keys(after)
    .map((name) => `${name} ${((after[name] - before[name]) / Math.max(1, requests)).toFixed(3)}`)
    .join(', ');
}
