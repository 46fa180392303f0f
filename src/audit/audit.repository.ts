import { Injectable } from '@nestjs/common';
import { Between, type EntityManager, type FindOptionsWhere, LessThan, MoreThanOrEqual } from 'typeorm';
import { insertRows } from '../database/insert-rows';
import { UnitOfWork } from '../database/unit-of-work';
import { AuditEventEntity } from './audit-event.entity';
import type { AuditEventView } from './audit.types';

/** Any constant: the advisory lock that serialises appends to the chain on PostgreSQL. */
const CHAIN_LOCK_KEY = 72_63_2182;

/** Which events a page of the log holds (every field optional; all given ones must match). */
export interface AuditFilter {
  requestId?: string;
  /** Part of the target, case-insensitive. */
  target?: string;
  actor?: string;
  type?: string;
  /** Events written at or after this moment (ISO 8601). */
  since?: string;
  /** Events before this position in the chain (the cursor of the page before). */
  beforeSeq?: number;
}

/** The only code that reads or writes audit_events. */
@Injectable()
export class AuditRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Serialises appends to the chain until the transaction of `m` ends (PostgreSQL: an advisory
   * lock; SQLite serialises its transactions already).
   */
  lockChain(m: EntityManager): Promise<void> {
    return this.uow.lockInTransaction(m, CHAIN_LOCK_KEY);
  }

  /** The last event of the chain, or null when the log is empty. */
  async last(m: EntityManager = this.uow.manager): Promise<AuditEventView | null> {
    const [row] = await m.getRepository(AuditEventEntity).find({ order: { seq: 'DESC' }, take: 1 });
    return row ? toView(row) : null;
  }

  /** The first event of the chain, or null when the log is empty. */
  async first(): Promise<AuditEventView | null> {
    const [row] = await this.uow.manager.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' }, take: 1 });
    return row ? toView(row) : null;
  }

  /** The first event written at or after `at` (ISO 8601), or null. */
  async firstAtOrAfter(at: string): Promise<AuditEventView | null> {
    const row = await this.uow.manager
      .getRepository(AuditEventEntity)
      .findOne({ where: { at: MoreThanOrEqual(at) }, order: { seq: 'ASC' } });
    return row ? toView(row) : null;
  }

  async insert(m: EntityManager, events: AuditEventView[]): Promise<void> {
    await insertRows(m, AuditEventEntity, events as AuditEventEntity[]);
  }

  /** Up to `limit` events matching `filter`, newest first. */
  async newestFirst(filter: AuditFilter, limit: number): Promise<AuditEventView[]> {
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (filter.beforeSeq !== undefined) where.seq = LessThan(filter.beforeSeq);
    if (filter.requestId) where.requestId = filter.requestId;
    if (filter.actor) where.actor = filter.actor;
    if (filter.type) where.type = filter.type;
    if (filter.since) where.at = MoreThanOrEqual(filter.since);
    const builder = this.uow.manager
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where(where)
      .orderBy('e.seq', 'DESC')
      .take(limit);
    if (filter.target)
      builder.andWhere("LOWER(e.target) LIKE :target ESCAPE '\\'", {
        target: `%${filter.target.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`,
      });
    return (await builder.getMany()).map(toView);
  }

  /** Up to `limit` events from position `from` (to `to`, when given), oldest first. */
  async range(from: number, to: number | undefined, limit: number): Promise<AuditEventView[]> {
    const rows = await this.uow.manager.getRepository(AuditEventEntity).find({
      where: { seq: to === undefined ? MoreThanOrEqual(from) : Between(from, to) },
      order: { seq: 'ASC' },
      take: limit,
    });
    return rows.map(toView);
  }
}

function toView(row: AuditEventEntity): AuditEventView {
  const { seq, id, at, actor, type, requestId, target, data, prevHash, hash } = row;
  return { seq, id, at, actor, type, requestId, target, data, prevHash, hash };
}
