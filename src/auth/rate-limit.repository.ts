import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, LessThanOrEqual, MoreThan } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { RateLimitHitEntity } from './rate-limit-hit.entity';

/** The only code that reads or writes rate_limit_hits. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * The times (ISO 8601, oldest first, at most `limit`) of `identity`'s hits after `windowStart`.
   * Serialises the identity's checks until the transaction of `m` ends (PostgreSQL: an advisory
   * lock; SQLite has one writer) and deletes its hits at or before `windowStart`.
   */
  async hitsInWindow(m: EntityManager, identity: string, windowStart: string, limit: number): Promise<string[]> {
    await this.uow.lockInTransaction(m, `rate-limit:${identity}`);
    const hits = m.getRepository(RateLimitHitEntity);
    await hits.delete({ identity, at: LessThanOrEqual(windowStart) });
    const recent = await hits.find({
      where: { identity, at: MoreThan(windowStart) },
      order: { at: 'ASC' },
      take: limit,
    });
    return recent.map((hit) => hit.at);
  }

  async insert(m: EntityManager, identity: string, at: string): Promise<void> {
    await m.getRepository(RateLimitHitEntity).insert({ id: randomUUID(), identity, at });
  }
}
