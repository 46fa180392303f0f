import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { UnitOfWork } from './unit-of-work';

/** Runs `work` in one transaction of its own and commits it. */
export type Transact = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;

/**
 * Serialises the service's writes to one target across its transactions: held from before the
 * intent of a directory write until its outcome is committed, with the LDAP write in between and
 * no transaction open during it. PostgreSQL: a session-level advisory lock on a connection of its
 * own (every replica; a crashed process's lock goes with its connection), and the transactions run
 * on that connection. SQLite (one process): an in-process lock per target.
 */
@Injectable()
export class TargetLocks {
  private readonly local = new Map<string, Promise<unknown>>();

  constructor(
    private readonly uow: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  withTarget<T>(sid: string, work: (tx: Transact) => Promise<T>): Promise<T> {
    return this.withTargets([sid], work);
  }

  /**
   * Holds the locks of several targets at once (a batch of writes whose outcomes commit in one
   * transaction). PostgreSQL takes them in one statement, in the order of their lock keys, so two
   * batches never wait on each other in a cycle; in-process, a batch waits for every earlier
   * holder of any of its targets.
   */
  async withTargets<T>(sids: string[], work: (tx: Transact) => Promise<T>): Promise<T> {
    const keys = [...new Set(sids.map((s) => s.toUpperCase()))];
    if (!this.uow.isPostgres) {
      const previous = Promise.all(
        keys.map((key) => (this.local.get(key) ?? Promise.resolve()).catch(() => undefined)),
      );
      const run = previous.then(() => work((fn) => this.uow.run(fn)));
      const settled = run.catch(() => undefined);
      for (const key of keys) this.local.set(key, settled);
      void settled.then(() => {
        for (const key of keys) if (this.local.get(key) === settled) this.local.delete(key);
      });
      return run;
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let broken: Error | undefined;
    try {
      try {
        if (keys.length === 1) await runner.query('SELECT pg_advisory_lock(hashtext($1))', [keys[0]]);
        else
          await runner.query(
            'SELECT pg_advisory_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS ordered',
            [keys],
          );
        return await work((fn) => transact(runner, fn));
      } finally {
        // This connection holds no other session lock: all of them go at once (also those a
        // statement that failed half-way had taken).
        await runner.query('SELECT pg_advisory_unlock_all()').catch((error: Error) => (broken = error));
      }
    } finally {
      // A connection whose unlock failed is closed rather than handed back still holding the lock.
      if (broken)
        await (
          runner as unknown as { releasePostgresConnection(err?: Error): Promise<void> }
        ).releasePostgresConnection(broken);
      else await runner.release();
    }
  }
}

async function transact<T>(runner: QueryRunner, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    const result = await work(runner.manager);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  }
}
