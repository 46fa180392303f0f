import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs a function in one database transaction. SQLite has one connection and one writer, so its
 * transactions are queued here (overlapping BEGINs on one connection would fail); PostgreSQL runs
 * them concurrently and relies on row locks.
 */
@Injectable()
export class UnitOfWork {
  private queue: Promise<unknown> = Promise.resolve();
  /** What to run once the transaction of a manager (from run()) has committed. */
  private readonly afterCommitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const body = (manager: EntityManager) => {
      this.afterCommitHooks.set(manager, hooks);
      return fn(manager).finally(() => this.afterCommitHooks.delete(manager));
    };
    const committed = this.isPostgres
      ? this.dataSource.transaction(body)
      : this.queue.then(() => this.dataSource.transaction(body));
    if (!this.isPostgres) this.queue = committed.catch(() => undefined);
    return committed.then((result) => {
      for (const hook of hooks) hook();
      return result;
    });
  }

  /**
   * Serialises transactions on `key` until the transaction of `manager` ends: a transaction-level
   * advisory lock on PostgreSQL (every replica); nothing on SQLite, whose transactions this class
   * already runs one at a time. A number is the lock key itself, a string is hashed.
   */
  async lockInTransaction(manager: EntityManager, key: string | number): Promise<void> {
    if (!this.isPostgres) return;
    if (typeof key === 'number') await manager.query('SELECT pg_advisory_xact_lock($1)', [key]);
    else await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  /**
   * Runs `hook` once the transaction `manager` belongs to has committed (never when it rolls back).
   * A manager outside run() writes at once: the hook runs on the next microtask.
   */
  afterCommit(manager: EntityManager, hook: () => void): void {
    const hooks = this.afterCommitHooks.get(manager);
    if (hooks) hooks.push(hook);
    else queueMicrotask(hook);
  }
}
