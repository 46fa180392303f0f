import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../database/unit-of-work';
import type { RequestEntity } from '../requests/request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle';
import { RequestRepository } from '../requests/request.repository';
import { GrantRemoval } from './grant-removal';

/** The end-grant job: a grant ends (expiry or revoke), and the extensions merged into it with it. */
@Injectable()
export class GrantEnding {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly requests: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly removal: GrantRemoval,
    private readonly clock: Clock,
  ) {}

  /** Ends a grant (expiry or revoke): removes each ACE no other active grant needs. */
  async endGrant(requestId: string, reason: 'expired' | 'revoked', actor: string): Promise<void> {
    const request = await this.requests.find(requestId);
    // A merged extension has no grant of its own: it ends with the grant it extended.
    if (!request || request.status !== 'applied' || request.mergedInto) return;
    const results = await this.removal.removeAll(request, actor, 'end-grant');
    await this.uow.run(async (m) => {
      const now = this.clock.nowIso();
      await this.lifecycle.transition(
        m,
        request,
        reason,
        {
          actor,
          audit: `request.${reason}`,
          data: { targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) },
        },
        { closedAt: now, result: { targets: results } },
      );
      await this.closeMergedExtensions(m, request, reason, now);
    });
  }

  /** The extensions merged into a grant end with it (same status, audited; the grant's event announces them). */
  private async closeMergedExtensions(
    m: EntityManager,
    grant: RequestEntity,
    reason: 'expired' | 'revoked',
    now: string,
  ): Promise<void> {
    const merged = await this.requests.appliedExtensionsOf(m, grant.id);
    for (const extension of merged) {
      await this.lifecycle.transition(
        m,
        extension,
        reason,
        { actor: 'system', audit: `request.${reason}`, data: { with: grant.id }, event: null },
        { closedAt: now },
      );
    }
  }
}
