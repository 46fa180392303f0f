// Where the time of one bulk apply goes (BENCH_TIMELINE=1 in bench:bulk-grant): every LDAP
// operation (through the directory's operation observers), every database transaction and query
// (by wrapping the DataSource's query runners), the CPU of this Node process (service + polling
// client) and of the Samba processes in this network namespace (the DC), all measured from the
// moment the approve call returned. Measurement only: nothing here changes what the service does.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { directoryOperationObservers, type DirectoryOperationEvent } from '../../src/directory/domain-connection';

interface LdapOp {
  operation: string;
  start: number;
  end: number;
}

interface Tx {
  start: number;
  end?: number;
  queries: number;
  queryMs: number;
  tables: Set<string>;
}

const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s on Linux

/** The samba processes in this network namespace (the sandbox DCs). */
function sambaPids(): string[] {
  const myNet = readlinkSync('/proc/self/ns/net');
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/ns/net`) === myNet && readlinkSync(`/proc/${pid}/exe`).endsWith('/samba');
    } catch {
      return false; // gone, or not ours to read
    }
  });
}

/** The fields of a /proc stat file after the command name: [11] utime, [12] stime, [13] cutime, [14] cstime. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) of one process or thread, by its stat file; 0 when it is gone. */
function cpuSecondsIn(path: string): number {
  try {
    const f = statFields(path);
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0; // gone, or ended
  }
}

/** CPU seconds (user + system) of these processes. */
function cpuSecondsOf(pids: string[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsIn(`/proc/${pid}/stat`), 0);
}

/** CPU seconds (user + system) of every samba process in this network namespace (the sandbox DCs). */
export function sambaCpuSeconds(): number {
  return cpuSecondsOf(sambaPids());
}

/** CPU seconds of this process and of the children it has waited for (ldapmodify). */
export function ownCpuSeconds(): { self: number; children: number } {
  const f = statFields('/proc/self/stat');
  return {
    self: (Number(f[11]) + Number(f[12])) / TICKS,
    children: (Number(f[13]) + Number(f[14])) / TICKS,
  };
}

/** CPU seconds of this process's main thread and of its other threads (V8's GC and compiler helpers, libuv's pool). */
export function threadCpuSeconds(): { main: number; helpers: number } {
  let main = 0;
  let helpers = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const seconds = cpuSecondsIn(`/proc/self/task/${tid}/stat`);
    if (tid === String(process.pid)) main += seconds;
    else helpers += seconds;
  }
  return { main, helpers };
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

const now = () => performance.now();

export class ApplyTimeline {
  private readonly ldap: LdapOp[] = [];
  private readonly txs: Tx[] = [];
  private readonly open = new WeakMap<QueryRunner, Tx>();
  private outside = { queries: 0, queryMs: 0 };
  private t0 = 0;
  private seenAt = 0;
  private polls = 0;
  private pollBytes = 0;
  private cpuStart = { node: 0, samba: 0 };
  private cpu = { node: 0, samba: 0 };
  /** The DC's CPU when the first write ended and when the latest one ended (the write phase's share). */
  private sambaAtWrites?: { first: number; last: number };
  private pids: string[] = [];
  private sambaReadAt = 0;
  private threadsStart = { main: 0, helpers: 0 };
  private threads = { main: 0, helpers: 0 };
  /** The main thread's garbage-collection pauses in the span, by kind: count and milliseconds. */
  private readonly gc = new Map<string, { count: number; ms: number }>();
  private readonly gcObserver = new PerformanceObserver((list) => {
    if (!this.t0 || this.seenAt) return;
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      const sum = this.gc.get(kind) ?? { count: 0, ms: 0 };
      sum.count++;
      sum.ms += entry.duration;
      this.gc.set(kind, sum);
    }
  });
  private readonly observer = (event: DirectoryOperationEvent) => {
    const end = now();
    this.ldap.push({ operation: event.operation, start: end - event.seconds * 1000, end });
    // The DC's CPU at the first write's end and (at most 25 ms stale) at the last one's: reading
    // /proc at every write cost this process ~0.4 s of CPU per 1,000 writes, beside the DC.
    if (event.operation === 'write' && this.t0 && (!this.sambaAtWrites || end - this.sambaReadAt >= 25)) {
      const samba = cpuSecondsOf(this.pids);
      this.sambaReadAt = end;
      this.sambaAtWrites = { first: this.sambaAtWrites?.first ?? samba, last: samba };
    }
  };

  constructor(app: INestApplication) {
    const dataSource = app.get(DataSource);
    const create = dataSource.createQueryRunner.bind(dataSource);
    const wrapped = new WeakSet<QueryRunner>();
    dataSource.createQueryRunner = (mode) => {
      const runner = create(mode);
      if (!wrapped.has(runner)) {
        wrapped.add(runner);
        this.wrap(runner);
      }
      return runner;
    };
    directoryOperationObservers.add(this.observer);
  }

  private profiler?: Session;

  /**
   * Starts the CPU profile of this process (open the file in Chrome DevTools), before the approve
   * call: the profiler's own start (about 0.5 s of CPU here) then falls outside the span.
   */
  profile(profileTo: string): void {
    this.profileTo = profileTo;
    this.profiler = new Session();
    this.profiler.connect();
    this.profiler.post('Profiler.enable');
    this.profiler.post('Profiler.setSamplingInterval', { interval: 500 });
    this.profiler.post('Profiler.start');
    this.profiledFrom = now();
  }

  /** The approve call has returned: the clock starts. */
  start(): void {
    this.t0 = now();
    this.pids = sambaPids();
    this.cpuStart = { node: ownCpuSeconds().self, samba: cpuSecondsOf(this.pids) };
    this.threadsStart = threadCpuSeconds();
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  poll(bytes: number): void {
    this.polls++;
    this.pollBytes += bytes;
  }

  private profileTo?: string;
  private profiledFrom = 0;

  /** The client saw `applied`. */
  async seen(): Promise<void> {
    this.seenAt = now();
    this.cpu = {
      node: ownCpuSeconds().self - this.cpuStart.node,
      samba: sambaCpuSeconds() - this.cpuStart.samba,
    };
    const threads = threadCpuSeconds();
    this.threads = {
      main: threads.main - this.threadsStart.main,
      helpers: threads.helpers - this.threadsStart.helpers,
    };
    this.gcObserver.disconnect();
    const profiler = this.profiler;
    if (profiler) {
      const profile = await new Promise<unknown>((resolve, reject) =>
        profiler.post('Profiler.stop', (error, result) => (error ? reject(error) : resolve(result.profile))),
      );
      writeFileSync(this.profileTo as string, JSON.stringify(profile));
      profiler.disconnect();
    }
  }

  close(): void {
    directoryOperationObservers.delete(this.observer);
  }

  private wrap(runner: QueryRunner): void {
    const query = runner.query.bind(runner) as (
      sql: string,
      parameters?: unknown[],
      structured?: boolean,
    ) => Promise<unknown>;
    const startTransaction = runner.startTransaction.bind(runner);
    const commitTransaction = runner.commitTransaction.bind(runner);
    runner.startTransaction = async (level) => {
      const tx: Tx = { start: now(), queries: 0, queryMs: 0, tables: new Set() };
      await startTransaction(level);
      this.open.set(runner, tx);
      if (this.t0) this.txs.push(tx);
    };
    runner.commitTransaction = async () => {
      const tx = this.open.get(runner);
      await commitTransaction();
      if (tx) tx.end = now();
      this.open.delete(runner);
    };
    runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
      const started = now();
      try {
        return await query(sql, parameters, structured);
      } finally {
        const took = now() - started;
        const tx = this.open.get(runner);
        if (tx) {
          tx.queries++;
          tx.queryMs += took;
          const written = /^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?/i.exec(sql)?.[1];
          if (written) tx.tables.add(written);
        } else if (this.t0 && !this.seenAt) {
          this.outside.queries++;
          this.outside.queryMs += took;
        }
      }
    }) as QueryRunner['query'];
  }

  /** The timeline as text lines (ms from the approve call's return). */
  report(): string[] {
    const at = (t: number) => `${(t - this.t0).toFixed(0).padStart(6)} ms`;
    const ldap = this.ldap.filter((op) => op.start >= this.t0 && op.end <= this.seenAt);
    const txs = this.txs.filter((tx) => tx.end !== undefined && tx.end <= this.seenAt);
    const lines: string[] = [];
    const events: { t: number; line: string }[] = [];
    for (const tx of txs) {
      const tables = [...tx.tables].sort().join(',') || 'read-only';
      events.push({
        t: tx.start,
        line: `tx ${at(tx.start)} -> ${at(tx.end as number)} (${((tx.end as number) - tx.start).toFixed(0)} ms, ${tx.queries} queries ${tx.queryMs.toFixed(0)} ms) writes ${tables}`,
      });
    }
    const byKind = new Map<string, LdapOp[]>();
    for (const op of ldap) byKind.set(op.operation, [...(byKind.get(op.operation) ?? []), op]);
    for (const [kind, ops] of byKind) {
      if (kind === 'write') continue;
      for (const op of ops.slice(0, 5))
        events.push({
          t: op.start,
          line: `ldap ${kind} ${at(op.start)} -> ${at(op.end)} (${(op.end - op.start).toFixed(0)} ms)`,
        });
      if (ops.length > 5) events.push({ t: ops[5].start, line: `ldap ${kind}: ${ops.length - 5} more` });
    }
    const writes = byKind.get('write') ?? [];
    // Writes grouped by the gaps between them: a gap of more than 20 ms with none in flight splits a group.
    const sorted = [...writes].sort((a, b) => a.start - b.start);
    let group: LdapOp[] = [];
    let lastEnd = -Infinity;
    const flush = () => {
      if (!group.length) return;
      const first = group[0].start;
      const end = Math.max(...group.map((w) => w.end));
      const busy = group.reduce((s, w) => s + (w.end - w.start), 0);
      events.push({
        t: first,
        line: `ldap ${group.length} writes ${at(first)} -> ${at(end)} (mean ${(busy / group.length).toFixed(1)} ms each, ${(busy / (end - first)).toFixed(1)} in flight)`,
      });
      group = [];
    };
    for (const w of sorted) {
      if (w.start - lastEnd > 20) flush();
      group.push(w);
      lastEnd = Math.max(lastEnd, w.end);
    }
    flush();
    events.sort((a, b) => a.t - b.t);
    lines.push(...events.map((e) => `    ${e.line}`));
    const span = this.seenAt - this.t0;
    const firstWrite = sorted[0]?.start;
    const lastWrite = Math.max(...writes.map((w) => w.end));
    const lastCommit = Math.max(...txs.map((tx) => tx.end as number));
    const inTx = txs.reduce((s, tx) => s + ((tx.end as number) - tx.start), 0);
    const queries = txs.reduce((s, tx) => s + tx.queries, 0) + this.outside.queries;
    lines.push(
      `    first write at ${at(firstWrite)}, last write ends ${at(lastWrite)}, last commit ${at(lastCommit)}, seen ${at(this.seenAt)} (${this.polls} polls, ${(this.pollBytes / 1024).toFixed(0)} KiB read)`,
      `    ${writes.length} LDAP writes (${(writes.reduce((s, w) => s + (w.end - w.start), 0) / span).toFixed(1)} in flight on average over the whole span); ${ldap.length - writes.length} other LDAP operations`,
      `    ${txs.length} transactions (${inTx.toFixed(0)} ms summed), ${queries} queries (${this.outside.queries} outside transactions)`,
      `    CPU during the span: node ${this.cpu.node.toFixed(2)} s (${((this.cpu.node / span) * 100000).toFixed(0)}% of one core), samba ${this.cpu.samba.toFixed(2)} s (${((this.cpu.samba / span) * 100000).toFixed(0)}%)`,
    );
    if (this.profileTo)
      lines.push(
        `    CPU profile ${this.profileTo}: the approve call returned ${(this.t0 - this.profiledFrom).toFixed(0)} ms into it`,
      );
    const gc = [...this.gc].map(([kind, { count, ms }]) => `${count} ${kind} ${ms.toFixed(0)} ms`).join(', ');
    lines.push(
      `    node's threads: main ${this.threads.main.toFixed(2)} s, the others (V8's GC and compiler helpers, libuv) ${this.threads.helpers.toFixed(2)} s; the main thread's GC pauses: ${gc || 'none'}`,
    );
    if (this.sambaAtWrites) {
      const { first, last } = this.sambaAtWrites;
      lines.push(
        `    samba CPU: until the first write ended ${(first - this.cpuStart.samba).toFixed(2)} s, from then to the last write's end ${(last - first).toFixed(2)} s, after it ${(this.cpuStart.samba + this.cpu.samba - last).toFixed(2)} s`,
      );
    }
    return lines;
  }
}
