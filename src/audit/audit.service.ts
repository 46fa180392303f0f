import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { AuditEventEntity } from './audit-event.entity';
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

export interface AuditVerification {
  ok: boolean;
  events: number;
  firstBadSeq?: number;
  reason?: string;
}

/** The append-only, hash-chained audit log. Appends happen in the caller's transaction. */
@Injectable()
export class AuditService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Appends inside the given transaction, so the event and the change it records commit together. */
  async append(manager: EntityManager, event: NewAuditEvent): Promise<AuditEventView> {
    if (this.uow.isPostgres) await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
    const last = await manager.getRepository(AuditEventEntity).find({ order: { seq: 'DESC' }, take: 1 });
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const fields = {
      seq: (last[0]?.seq ?? 0) + 1,
      id: randomUUID(),
      at: this.clock.nowIso(),
      actor: event.actor,
      type: event.type,
      requestId: event.requestId ?? null,
      target: event.target ?? null,
      data: event.data ?? {},
    };
    const row = { ...fields, prevHash, hash: eventHash(prevHash, fields) };
    await manager.getRepository(AuditEventEntity).insert(row as never);
    return row;
  }

  /** Appends in a transaction of its own. */
  record(event: NewAuditEvent): Promise<AuditEventView> {
    return this.uow.run((manager) => this.append(manager, event));
  }

  async query(query: AuditQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const builder = this.uow.manager.getRepository(AuditEventEntity).createQueryBuilder('e').orderBy('e.seq', 'DESC').take(limit + 1);
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
    if (query.target) builder.andWhere("LOWER(e.target) LIKE :target ESCAPE '\\'", { target: `%${query.target.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%` });
    const rows = await builder.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? Buffer.from(String(items[items.length - 1].seq)).toString('base64url') : null };
  }

  /** Recomputes the chain from the first event; any altered, removed or reordered event breaks it. */
  async verify(): Promise<AuditVerification> {
    const repo = this.uow.manager.getRepository(AuditEventEntity);
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    for (;;) {
      const batch = await repo.find({ where: { seq: MoreThanOrEqual(expectedSeq) }, order: { seq: 'ASC' }, take: 1000 });
      if (batch.length === 0) break;
      for (const row of batch) {
        if (row.seq !== expectedSeq) return { ok: false, events: count, firstBadSeq: expectedSeq, reason: `event ${expectedSeq} is missing` };
        if (row.prevHash !== prevHash) return { ok: false, events: count, firstBadSeq: row.seq, reason: `event ${row.seq} does not link to the event before it` };
        if (eventHash(prevHash, row) !== row.hash) return { ok: false, events: count, firstBadSeq: row.seq, reason: `event ${row.seq} was altered after it was written` };
        prevHash = row.hash;
        expectedSeq++;
        count++;
      }
    }
    return { ok: true, events: count };
  }
}
