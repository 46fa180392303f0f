// RBCD_HTTP_PROCESSES > 1: this process is the primary. It serves nothing itself; it starts that
// many copies of the service (node:cluster), which share the listening port (the primary hands
// out connections in turn), restarts one that dies, and stops them all on SIGTERM/SIGINT.
//
// The copies are replicas of one deployment on one PostgreSQL database, as several containers
// would be (SQLite is refused: one writer per file). The first copy runs the background work
// (job worker, expiry, reconciler, audit sinks, reviews) unless RBCD_WORKER=off; the others
// serve HTTP only. The first copy also runs the migrations when RBCD_MIGRATE_ON_START asks for
// them, and the others start once it listens.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { CONFIG_ERROR_EXIT_CODE } from '../config/config.error';
import { serveAggregatedMetrics } from './cluster-metrics';

/** A copy that dies is started again after this pause. */
const RESTART_DELAY_MS = 1_000;
/** More deaths than this within CRASH_WINDOW_MS: something is wrong with every start; give up. */
const MAX_DEATHS = 5;
const CRASH_WINDOW_MS = 60_000;
/** How long the copies get to finish their requests and jobs at shutdown before SIGKILL. */
const STOP_GRACE_MS = 30_000;

export interface HttpProcessesOptions {
  processes: number;
  /** RBCD_WORKER as configured: whether the first copy runs the background work. */
  worker: boolean;
  logger: Logger;
}

export function runHttpProcesses({ processes, worker, logger }: HttpProcessesOptions): void {
  const slots = new Map<number, Worker>();
  const deaths: number[] = [];
  let stopping = false;
  let othersStarted = false;

  // The first copy alone until it listens (migrations, schema), then the others.
  const startOthers = (): void => {
    if (othersStarted || stopping) return;
    othersStarted = true;
    for (let slot = 1; slot < processes; slot++) start(slot);
  };

  const envOf = (slot: number): Record<string, string> =>
    slot === 0 ? {} : { RBCD_WORKER: 'off', RBCD_MIGRATE_ON_START: 'false' };

  const start = (slot: number): Worker => {
    const child = cluster.fork(envOf(slot));
    slots.set(slot, child);
    if (slot === 0) child.once('listening', startOthers);
    child.on('exit', (code, signal) => {
      if (slots.get(slot) === child) slots.delete(slot);
      if (stopping) return;
      if (code === CONFIG_ERROR_EXIT_CODE) {
        logger.error({ slot }, 'an HTTP process refused the configuration; stopping');
        return stop(CONFIG_ERROR_EXIT_CODE);
      }
      const now = Date.now();
      deaths.push(now);
      while (deaths.length && deaths[0] < now - CRASH_WINDOW_MS) deaths.shift();
      if (deaths.length > MAX_DEATHS) {
        logger.error({ slot, code, signal }, `HTTP processes died ${deaths.length} times within a minute; stopping`);
        return stop(1);
      }
      logger.error({ slot, code, signal }, 'an HTTP process died; starting it again');
      setTimeout(() => !stopping && start(slot), RESTART_DELAY_MS).unref();
    });
    return child;
  };

  const stop = (exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    const children = [...slots.values()];
    if (children.length === 0) process.exit(exitCode);
    let left = children.length;
    const killer = setTimeout(() => children.forEach((c) => c.process.kill('SIGKILL')), STOP_GRACE_MS);
    for (const child of children) {
      child.once('exit', () => {
        if (--left > 0) return;
        clearTimeout(killer);
        process.exit(exitCode);
      });
      child.process.kill('SIGTERM');
    }
  };

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  serveAggregatedMetrics();
  logger.info({ processes, worker }, `starting ${processes} HTTP processes`);
  start(0);
}
