import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TargetLocks } from '../database/target-lock';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { byTarget, DirectoryIntentRepository } from '../directory-writes/directory-intent.repository';
import { DirectoryWrites, effectiveSids } from '../directory-writes/directory-writes';
import { planRbcdChange } from '../delegations/rbcd-change';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import type { AccountRef } from '../directory/directory.types';
import type { RequestEntity, TargetResult } from '../requests/request.entity';
import { GrantRepository } from './grant.repository';
import { planRemoval, writeOutcome } from './write-outcome';

const TARGET_CONCURRENCY = 8;

/** A revoke-action request's writes: the principals' ACEs removed target by target (an explicit revoke). */
@Injectable()
export class RevokeWriter {
  constructor(
    private readonly locks: TargetLocks,
    private readonly writes: DirectoryWrites,
    private readonly intents: DirectoryIntentRepository,
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly grants: GrantRepository,
  ) {}

  /** Removes the entries on every target; `results` gets each target's outcome. */
  async revoke(request: RequestEntity, results: TargetResult[]): Promise<void> {
    const pending = byTarget(await this.intents.pendingForRequest(request.id, 'revoke'));
    await mapLimit(request.targets, TARGET_CONCURRENCY, async (target) => {
      results[request.targets.indexOf(target)] = await this.revokeOnTarget(
        request,
        target,
        pending.get(target.sid.toUpperCase())?.[0],
      );
    });
  }

  /** A revoke-action request: removes the principals' ACEs (an explicit revoke) and ends their grants. */
  private async revokeOnTarget(
    request: RequestEntity,
    target: AccountRef,
    earlier: DirectoryIntentEntity | undefined,
  ): Promise<TargetResult> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    return this.locks.withTarget(target.sid, async (tx) => {
      const before = await this.directory.readRbcd(target);
      const plan = await planRemoval(this.writes, tx, earlier, {
        requestId: request.id,
        action: 'revoke',
        operation: 'remove',
        target,
        principals: principalSids,
        inForceBefore: [...effectiveSids(before)],
        valueBefore: before,
        actor: 'system',
      });
      return this.writes.write(
        tx,
        plan.intent,
        (current) => planRbcdChange('revoke', current, principalSids).next,
        before,
        async (m, cas) => {
          const now = this.clock.nowIso();
          await this.grants.endOnTarget(m, target.sid, principalSids, now);
          return writeOutcome(target, 'revoke', principalSids, cas, now, plan);
        },
      );
    });
  }
}
