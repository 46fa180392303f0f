import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { deterministicId } from '../common/deterministic-id';
import { UnitOfWork } from '../database/unit-of-work';
import { JobQueue } from '../jobs/job-queue.service';
import type { RequestEntity } from '../requests/request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle';
import { RequestRepository } from '../requests/request.repository';
import { RequestTimers } from '../timers/request-timers';
import { GrantRepository } from './grant.repository';

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
    private readonly requests: RequestRepository,
    private readonly grants: GrantRepository,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly lifecycle: RequestLifecycle,
    private readonly timers: RequestTimers,
    private readonly clock: Clock,
  ) {}

  async tryMerge(extension: RequestEntity): Promise<boolean> {
    if (!extension.extendsRequestId) return false;
    return this.uow.run(async (m) => {
      const now = this.clock.now();
      const original = await this.requests.lock(m, extension.extendsRequestId as string);
      const self = await this.requests.lock(m, extension.id);
      if (!original || !self || self.status !== 'approved') return false;
      if (original.status !== 'applied' || !original.expiresAt || Date.parse(original.expiresAt) <= now.getTime())
        return false;
      if (await this.jobs.find('end-grant', deterministicId(`end-grant:${original.id}`), m)) return false;
      const previous = original.expiresAt;
      const expiresAt = new Date(Date.parse(previous) + (self.durationSeconds ?? 0) * 1000).toISOString();
      const at = now.toISOString();
      await this.requests.update(m, original, { expiresAt });
      await this.grants.setExpiry(m, original.id, expiresAt, { activeOnly: true });
      await this.audit.append(m, {
        actor: 'system',
        type: 'request.extended',
        requestId: original.id,
        data: { extension: self.id, from: previous, to: expiresAt },
      });
      await this.lifecycle.announce(
        m,
        original,
        'request.extended',
        { extensionId: self.id, previousExpiresAt: previous, expiresAt },
        self.id,
      );
      await this.lifecycle.transition(
        m,
        self,
        'applied',
        {
          actor: 'system',
          audit: 'request.applied',
          data: { expiresAt, mergedInto: original.id, directoryWrite: false },
        },
        {
          appliedAt: at,
          expiresAt,
          mergedInto: original.id,
          result: { targets: self.targets.map((target) => ({ target, status: 'unchanged' as const, at })) },
        },
      );
      Object.assign(extension, self);
      await this.timers.expiring(m, original, now);
      return true;
    });
  }
}
