import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { GrantEntity } from '../grants/grant.entity';

const IN_CHUNK = 500;

/** Which (target, principal) pairs an active grant of the service covers: those are managed, not standing. */
@Injectable()
export class GrantCoverage {
  constructor(private readonly uow: UnitOfWork) {}

  /** `<TARGET SID>|<PRINCIPAL SID>` of every active grant on these targets. */
  async activePairs(targetSids: string[]): Promise<Set<string>> {
    const pairs = new Set<string>();
    const sids = [...new Set(targetSids)];
    for (let i = 0; i < sids.length; i += IN_CHUNK) {
      const rows = await this.uow.manager.getRepository(GrantEntity).find({
        select: { targetSid: true, principalSid: true },
        where: { targetSid: In(sids.slice(i, i + IN_CHUNK)), state: 'active' },
      });
      for (const row of rows) pairs.add(`${row.targetSid.toUpperCase()}|${row.principalSid.toUpperCase()}`);
    }
    return pairs;
  }

  /** Every active grant (a review campaign filters them by scope). */
  active(): Promise<Pick<GrantEntity, 'requestId' | 'targetSid' | 'targetDn' | 'targetDomain' | 'principalSid'>[]> {
    return this.uow.manager.getRepository(GrantEntity).find({
      select: { requestId: true, targetSid: true, targetDn: true, targetDomain: true, principalSid: true },
      where: { state: 'active' },
    });
  }
}
