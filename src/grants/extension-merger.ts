import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { deterministicId } from '../common/deterministic-id';
import { UnitOfWork } from '../database/unit-of-work';
import { EventPublisher } from '../notifications/event-publisher';
import { requestEvent } from '../requests/request-events';
import { RequestEntity } from '../requests/request.entity';
import { RequestTimers } from '../timers/request-timers';
import { GrantEntity } from './grant.entity';
import { JobEntity } from '../jobs/job.entity';

/**
 * An approved extension moves the live grant's expiresAt (requests and grants rows, one
 * transaction; no directory write: the ACE is already there). Only while that grant is applied
 * and not yet due to end: once its end-grant job exists (expired, revoked), the extension is
 * applied as a grant of its own instead (returns false).
 */
@Injectable()
export class ExtensionMerger {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly events: EventPublisher,
    private readonly timers: RequestTimers,
    private readonly clock: Clock,
  ) {}

  async tryMerge(extension: RequestEntity): Promise<boolean> {
    if (!extension.extendsRequestId) return false;
    return this.uow.run(async (m) => {
      const now = this.clock.now();
      const original = await this.lock(m, extension.extendsRequestId as string);
      const self = await this.lock(m, extension.id);
      if (!original || !self || self.status !== 'approved') return false;
      if (original.status !== 'applied' || !original.expiresAt || Date.parse(original.expiresAt) <= now.getTime())
        return false;
      const ending = await m
        .getRepository(JobEntity)
        .count({ where: { id: deterministicId(`end-grant:${original.id}`) } });
      if (ending > 0) return false;
      const previous = original.expiresAt;
      const expiresAt = new Date(Date.parse(previous) + (self.durationSeconds ?? 0) * 1000).toISOString();
      const at = now.toISOString();
      await this.save(m, original, { expiresAt, updatedAt: at });
      await m.getRepository(GrantEntity).update({ requestId: original.id, state: 'active' }, { expiresAt });
      await this.save(m, self, {
        status: 'applied',
        appliedAt: at,
        expiresAt,
        mergedInto: original.id,
        updatedAt: at,
        result: { targets: self.targets.map((target) => ({ target, status: 'unchanged' as const, at })) },
      });
      Object.assign(extension, self);
      await this.audit.append(m, {
        actor: 'system',
        type: 'request.extended',
        requestId: original.id,
        data: { extension: self.id, from: previous, to: expiresAt },
      });
      await this.audit.append(m, {
        actor: 'system',
        type: 'request.applied',
        requestId: self.id,
        data: { expiresAt, mergedInto: original.id, directoryWrite: false },
      });
      await this.events.publish(
        m,
        requestEvent(
          'request.extended',
          original,
          at,
          { extensionId: self.id, previousExpiresAt: previous, expiresAt },
          self.id,
        ),
      );
      await this.events.publish(m, requestEvent('request.applied', self, at));
      await this.timers.expiring(m, original, now);
      return true;
    });
  }

  private lock(m: EntityManager, id: string): Promise<RequestEntity | null> {
    const repo = m.getRepository(RequestEntity);
    return this.uow.isPostgres
      ? repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
      : repo.findOne({ where: { id } });
  }

  private async save(m: EntityManager, request: RequestEntity, changes: Partial<RequestEntity>): Promise<void> {
    Object.assign(request, changes);
    const { version: _version, ...rest } = request;
    await m.getRepository(RequestEntity).update({ id: request.id }, rest);
  }
}
