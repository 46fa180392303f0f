import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Between, type EntityManager, LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import { AuditEventEntity } from './audit-event.entity';
import { ChainVerifier, type ChainResult } from './audit-chain';
import { eventHash, GENESIS_HASH } from './audit-hash';
import type { AuditEventView, NewAuditEvent } from './audit.types';

/** Any constant: the advisory lock that serialises appends to the chain on PostgreSQL. */
const CHAIN_LOCK_KEY = 72_63_2182;

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
/** Rows per INSERT when several events are appended at once. */
const APPEND_CHUNK = 100;

/** The append-only, hash-chained audit log. Appends happen in the caller's transaction. */
@Injectable()
export class AuditService {
  constructor(
    private readonly uow: UnitOfWork,
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
    await this.uow.lockInTransaction(manager, CHAIN_LOCK_KEY);
    const last = await manager.getRepository(AuditEventEntity).find({ order: { seq: 'DESC' }, take: 1 });
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    let seq = last[0]?.seq ?? 0;
    const rows = events.map((event) => {
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
    for (let i = 0; i < rows.length; i += APPEND_CHUNK)
      await manager.getRepository(AuditEventEntity).insert(rows.slice(i, i + APPEND_CHUNK) as never);
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

  async query(query: AuditQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const builder = this.uow.manager
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .orderBy('e.seq', 'DESC')
      .take(limit + 1);
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (query.cursor) {
      const seq = Number(Buffer.from(query.cursor, 'base64url').toString());
      if (!Number.isInteger(seq) || seq < 1) throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
      where.seq = LessThan(seq);
    }
    if (query.requestId) where.requestId = query.requestId;
    if (query.actor) where.actor = query.actor;
    if (query.type) where.type = query.type;
    if (query.since) where.at = MoreThanOrEqual(new Date(query.since).toISOString());
    builder.where(where);
    if (query.target)
      builder.andWhere("LOWER(e.target) LIKE :target ESCAPE '\\'", {
        target: `%${query.target.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`,
      });
    const rows = await builder.getMany();
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
      const first = await this.uow.manager
        .getRepository(AuditEventEntity)
        .findOne({ where: { at: MoreThanOrEqual(new Date(query.since).toISOString()) }, order: { seq: 'ASC' } });
      if (!first) return;
      from = Math.max(from, first.seq);
    }
    yield* this.eventsFrom(from);
  }

  /** When the log began (its first event): since then, the service saw every change it made. Null when empty. */
  async firstEventAt(): Promise<string | null> {
    const first = await this.uow.manager.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' }, take: 1 });
    return first[0]?.at ?? null;
  }

  /** The last event's position (0 when the log is empty). */
  async headSeq(): Promise<number> {
    const last = await this.uow.manager.getRepository(AuditEventEntity).find({ order: { seq: 'DESC' }, take: 1 });
    return last[0]?.seq ?? 0;
  }

  /** Events with seq in [from, to], oldest first, read a page at a time. */
  async *eventsFrom(from: number, to?: number): AsyncGenerator<AuditEventView> {
    const repo = this.uow.manager.getRepository(AuditEventEntity);
    let next = from;
    for (;;) {
      const batch = await repo.find({
        where: { seq: to === undefined ? MoreThanOrEqual(next) : Between(next, to) },
        order: { seq: 'ASC' },
        take: EXPORT_PAGE,
      });
      for (const row of batch) yield toView(row);
      if (batch.length < EXPORT_PAGE) return;
      next = batch[batch.length - 1].seq + 1;
    }
  }
}

function toView(row: AuditEventEntity): AuditEventView {
  const { seq, id, at, actor, type, requestId, target, data, prevHash, hash } = row;
  return { seq, id, at, actor, type, requestId, target, data, prevHash, hash };
}
