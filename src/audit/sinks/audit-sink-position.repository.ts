import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditSinkPositionEntity } from './audit-sink-position.entity';

/** The only code that reads or writes audit_sink_positions: where each sink stands, its lease, its failures. */
@Injectable()
export class AuditSinkPositionRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async get(sink: string): Promise<AuditSinkPositionEntity> {
    const repo = this.uow.manager.getRepository(AuditSinkPositionEntity);
    const found = await repo.findOne({ where: { sink } });
    if (found) return found;
    await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .insert()
        .into(AuditSinkPositionEntity)
        .values({
          sink,
          deliveredSeq: 0,
          generation: 0,
          consecutiveFailures: 0,
          totalFailures: 0,
          updatedAt: this.clock.nowIso(),
        })
        .orIgnore()
        .execute(),
    );
    return repo.findOneOrFail({ where: { sink } });
  }

  async all(): Promise<AuditSinkPositionEntity[]> {
    return this.uow.manager.getRepository(AuditSinkPositionEntity).find();
  }

  /** Takes (or renews) the sink for `owner` until `untilMs` from now; false when another holds it. */
  async lease(sink: string, owner: string, forMs: number): Promise<boolean> {
    const now = this.clock.nowIso();
    const until = new Date(this.clock.now().getTime() + forMs).toISOString();
    const result = await this.uow.run((m) =>
      m
        .createQueryBuilder()
        .update(AuditSinkPositionEntity)
        .set({ leaseOwner: owner, leaseUntil: until, updatedAt: now })
        .where('sink = :sink AND (lease_owner IS NULL OR lease_owner = :owner OR lease_until < :now)', {
          sink,
          owner,
          now,
        })
        .execute(),
    );
    return (result.affected ?? 0) > 0;
  }

  async release(sink: string, owner: string): Promise<void> {
    await this.uow.run((m) =>
      m.update(
        AuditSinkPositionEntity,
        { sink, leaseOwner: owner },
        { leaseOwner: null, leaseUntil: null, updatedAt: this.clock.nowIso() },
      ),
    );
  }

  /** Moves the position forward after an acknowledged batch; false when a replay changed the generation meanwhile. */
  async advance(sink: string, generation: number, deliveredSeq: number): Promise<boolean> {
    const now = this.clock.nowIso();
    const result = await this.uow.run((m) =>
      m.update(
        AuditSinkPositionEntity,
        { sink, generation },
        {
          deliveredSeq,
          consecutiveFailures: 0,
          lastError: null,
          nextAttemptAt: null,
          lastAttemptAt: now,
          lastDeliveredAt: now,
          updatedAt: now,
        },
      ),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Records a failed batch; returns when the next attempt is due. */
  async failed(sink: string, error: string, backoffMs: (consecutive: number) => number): Promise<Date> {
    return this.uow.run(async (m) => {
      const row = await m.getRepository(AuditSinkPositionEntity).findOneOrFail({ where: { sink } });
      const consecutive = row.consecutiveFailures + 1;
      const next = new Date(this.clock.now().getTime() + backoffMs(consecutive));
      const now = this.clock.nowIso();
      await m.update(
        AuditSinkPositionEntity,
        { sink },
        {
          consecutiveFailures: consecutive,
          totalFailures: row.totalFailures + 1,
          lastError: error.slice(0, 1000),
          lastAttemptAt: now,
          nextAttemptAt: next.toISOString(),
          updatedAt: now,
        },
      );
      return next;
    });
  }

  /** Sends again from `fromSeq`: the position goes back, the generation moves on, any backoff is lifted. */
  async rewind(sink: string, fromSeq: number): Promise<void> {
    await this.get(sink);
    await this.uow.run((m) =>
      m.update(AuditSinkPositionEntity, { sink }, {
        deliveredSeq: fromSeq - 1,
        generation: () => 'generation + 1',
        nextAttemptAt: null,
        updatedAt: this.clock.nowIso(),
      } as never),
    );
  }
}
