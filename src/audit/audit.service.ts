import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import { ChainVerifier, type ChainResult } from './audit-chain';
import { eventHash, GENESIS_HASH } from './audit-hash';
import { AuditRepository } from './audit.repository';
import type { AuditEventView, NewAuditEvent } from './audit.types';

export interface AuditQuery {
  requestId?: string;
  target?: string;
  actor?: string;
  type?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export type AuditVerification = Pick<ChainResult, 'ok' | 'events' | 'firstBadSeq' | 'reason'>;

export interface AuditExportQuery {
  /** First event by time: the export starts at the first event written at or after it. */
  since?: string;
  /** First event by position in the chain. */
  fromSeq?: number;
}

const EXPORT_PAGE = 1000;

/** The append-only, hash-chained audit log. Appends happen in the caller's transaction. */
@Injectable()
export class AuditService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly events: AuditRepository,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Appends inside the given transaction, so the event and the change it records commit together. */
  async append(manager: EntityManager, event: NewAuditEvent): Promise<AuditEventView> {
    const [row] = await this.appendMany(manager, [event]);
    return row;
  }

  /**
   * Appends several events, in order, inside the given transaction: one chain lock and one read of
   * the chain's end for all of them, inserted a hundred rows at a time (a batch of directory writes
   * closes its outcomes this way).
   */
  async appendMany(manager: EntityManager, events: NewAuditEvent[]): Promise<AuditEventView[]> {
    if (events.length === 0) return [];
    await this.events.lockChain(manager);
    const last = await this.events.last(manager);
    let prevHash = last?.hash ?? GENESIS_HASH;
    let seq = last?.seq ?? 0;
    const rows = events.map((event): AuditEventView => {
      const fields = {
        seq: ++seq,
        id: randomUUID(),
        at: this.clock.nowIso(),
        actor: event.actor,
        type: event.type,
        requestId: event.requestId ?? null,
        target: event.target ?? null,
        data: event.data ?? {},
      };
      const row = { ...fields, prevHash, hash: eventHash(prevHash, fields) };
      prevHash = row.hash;
      return row;
    });
    await this.events.insert(manager, rows);
    // Streaming to the SIEM rides the outbox: committed with the events, or not at all.
    for (const row of rows) {
      for (const sink of this.config.audit.sinks) {
        await this.jobs.enqueue(manager, {
          kind: 'audit-sink',
          payload: { sink: sink.name, seq: row.seq },
          dedupeKey: `audit-sink:${sink.name}:${row.seq}`,
        });
      }
    }
    return rows;
  }

  /** Appends in a transaction of its own. */
  record(event: NewAuditEvent): Promise<AuditEventView> {
    return this.uow.run((manager) => this.append(manager, event));
  }

  /** A page of the log, newest first; `nextCursor` leads to the page after it. */
  async search(query: AuditQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    let beforeSeq: number | undefined;
    if (query.cursor) {
      beforeSeq = Number(Buffer.from(query.cursor, 'base64url').toString());
      if (!Number.isInteger(beforeSeq) || beforeSeq < 1)
        throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
    }
    const rows = await this.events.newestFirst(
      {
        beforeSeq,
        requestId: query.requestId,
        actor: query.actor,
        type: query.type,
        target: query.target,
        since: query.since ? new Date(query.since).toISOString() : undefined,
      },
      limit + 1,
    );
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? Buffer.from(String(items[items.length - 1].seq)).toString('base64url') : null,
    };
  }

  /** Recomputes the chain from the first event; any altered, removed or reordered event breaks it. */
  async verify(): Promise<AuditVerification> {
    const verifier = new ChainVerifier({ fromGenesis: true });
    for await (const row of this.eventsFrom(1)) {
      if (verifier.push(row)) break;
    }
    const { ok, events, firstBadSeq, reason } = verifier.result();
    return ok ? { ok, events } : { ok, events, firstBadSeq, reason };
  }

  /**
   * The chain from a starting point to its end, oldest first, with no gap: what `rbcd audit
   * export` writes as JSON Lines and `rbcd audit verify` checks offline.
   */
  async *export(query: AuditExportQuery): AsyncGenerator<AuditEventView> {
    let from = query.fromSeq ?? 1;
    if (query.since) {
      const first = await this.events.firstAtOrAfter(new Date(query.since).toISOString());
      if (!first) return;
      from = Math.max(from, first.seq);
    }
    yield* this.eventsFrom(from);
  }

  /** When the log began (its first event): since then, the service saw every change it made. Null when empty. */
  async firstEventAt(): Promise<string | null> {
    return (await this.events.first())?.at ?? null;
  }

  /** The last event's position (0 when the log is empty). */
  async headSeq(): Promise<number> {
    return (await this.events.last())?.seq ?? 0;
  }

  /** Events with seq in [from, to], oldest first, read a page at a time. */
  async *eventsFrom(from: number, to?: number): AsyncGenerator<AuditEventView> {
    let next = from;
    for (;;) {
      const batch = await this.events.range(next, to, EXPORT_PAGE);
      yield* batch;
      if (batch.length < EXPORT_PAGE) return;
      next = batch[batch.length - 1].seq + 1;
    }
  }
}
