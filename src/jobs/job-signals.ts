import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { UnitOfWork } from '../database/unit-of-work';

/** The PostgreSQL channel that says "a job was enqueued" to every replica's worker. */
export const JOBS_CHANNEL = 'rbcd_jobs';
const RELISTEN_MS = 1_000;

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * Wakes the workers of other replicas when a job is enqueued, on PostgreSQL: the enqueuing
 * transaction sends NOTIFY (delivered only if it commits), and each worker holds one connection
 * that LISTENs. Without it (SQLite, or while the listening connection is being re-opened) workers
 * still notice new jobs at their next poll.
 */
@Injectable()
export class JobSignals {
  private readonly logger = new Logger(JobSignals.name);
  private stopped = false;
  private client?: ListeningClient;
  private release?: (error?: Error) => void;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly uow: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** In the enqueuing transaction: PostgreSQL delivers the notification when (and if) it commits. */
  async signal(manager: EntityManager): Promise<void> {
    if (this.uow.isPostgres) await manager.query(`NOTIFY ${JOBS_CHANNEL}`);
  }

  /** Calls `onSignal` whenever any replica enqueues a job (PostgreSQL only; a no-op on SQLite). */
  listen(onSignal: () => void): void {
    if (!this.uow.isPostgres) return;
    this.stopped = false;
    void this.open(onSignal);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const { client, release } = this;
    this.client = undefined;
    this.release = undefined;
    if (!client || !release) return;
    await client.query(`UNLISTEN ${JOBS_CHANNEL}`).catch(() => undefined);
    client.removeAllListeners();
    release();
  }

  private async open(onSignal: () => void): Promise<void> {
    if (this.stopped) return;
    let client: ListeningClient | undefined;
    let release: ((error?: Error) => void) | undefined;
    try {
      [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [
        ListeningClient,
        (error?: Error) => void,
      ];
      const lost = (error?: Error) => {
        if (this.client !== client) return;
        this.logger.warn(`job notifications lost (${error?.message ?? 'connection ended'}); listening again shortly`);
        this.client = undefined;
        this.release = undefined;
        client?.removeAllListeners();
        release?.(error ?? new Error('connection ended'));
        this.again(onSignal);
      };
      client.on('notification', (message) => {
        if (message.channel === JOBS_CHANNEL) onSignal();
      });
      client.on('error', lost);
      client.on('end', lost);
      this.client = client;
      this.release = release;
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
      if (this.stopped) await this.stop();
      // A job enqueued while nobody listened is found now rather than at the next poll.
      else onSignal();
    } catch (error) {
      if (this.client === client) {
        this.client = undefined;
        this.release = undefined;
        client?.removeAllListeners();
        release?.(error as Error);
      }
      if (!this.stopped) {
        this.logger.warn(`cannot listen for job notifications (${(error as Error).message}); retrying`);
        this.again(onSignal);
      }
    }
  }

  private again(onSignal: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(onSignal), RELISTEN_MS);
    this.retry.unref();
  }
}
