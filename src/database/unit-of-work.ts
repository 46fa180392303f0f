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

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.isPostgres) return this.dataSource.transaction(fn);
    const result = this.queue.then(() => this.dataSource.transaction(fn));
    this.queue = result.catch(() => undefined);
    return result;
  }
}
