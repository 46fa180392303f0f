import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { UnitOfWork } from './unit-of-work';

const RELISTEN_MS = 1_000;

/** A subscription to a channel: stop() ends it and gives its connection back. */
export interface Listening {
  stop(): Promise<void>;
}

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * PostgreSQL LISTEN/NOTIFY: a transaction sends NOTIFY (delivered only if it commits), and each
 * listener holds one connection that LISTENs, opened again when it is lost. On SQLite (one
 * process) both are no-ops. `channel` is an SQL identifier chosen by the code, never input.
 */
@Injectable()
export class NotificationChannels {
  constructor(
    private readonly uow: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** In the caller's transaction: PostgreSQL delivers the notification when (and if) it commits. */
  async notify(manager: EntityManager, channel: string): Promise<void> {
    if (this.uow.isPostgres) await manager.query(`NOTIFY ${channel}`);
  }

  /** Calls `onSignal` whenever any process notifies `channel`, and once when listening starts. */
  listen(channel: string, onSignal: () => void): Listening {
    if (!this.uow.isPostgres) return { stop: () => Promise.resolve() };
    const listener = new ChannelListener(this.dataSource, channel, onSignal);
    void listener.open();
    return listener;
  }
}

class ChannelListener implements Listening {
  private readonly logger = new Logger(NotificationChannels.name);
  private stopped = false;
  private client?: ListeningClient;
  private release?: (error?: Error) => void;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly onSignal: () => void,
  ) {}

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const { client, release } = this;
    this.client = undefined;
    this.release = undefined;
    if (!client || !release) return;
    await client.query(`UNLISTEN ${this.channel}`).catch(() => undefined);
    client.removeAllListeners();
    release();
  }

  async open(): Promise<void> {
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
        this.logger.warn(
          `notifications on ${this.channel} lost (${error?.message ?? 'connection ended'}); listening again shortly`,
        );
        this.client = undefined;
        this.release = undefined;
        client?.removeAllListeners();
        release?.(error ?? new Error('connection ended'));
        this.again();
      };
      client.on('notification', (message) => {
        if (message.channel === this.channel) this.onSignal();
      });
      client.on('error', lost);
      client.on('end', lost);
      this.client = client;
      this.release = release;
      await client.query(`LISTEN ${this.channel}`);
      if (this.stopped) await this.stop();
      // A notification sent while nobody listened is made up for now.
      else this.onSignal();
    } catch (error) {
      if (this.client === client) {
        this.client = undefined;
        this.release = undefined;
        client?.removeAllListeners();
        release?.(error as Error);
      }
      if (!this.stopped) {
        this.logger.warn(`cannot listen on ${this.channel} (${(error as Error).message}); retrying`);
        this.again();
      }
    }
  }

  private again(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), RELISTEN_MS);
    this.retry.unref();
  }
}
