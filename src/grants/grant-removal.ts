import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { TargetLocks } from '../database/target-lock';
import { storedSddl } from '../delegations/delegation-reader';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { byTarget, DirectoryIntentRepository } from '../directory-writes/directory-intent.repository';
import { DirectoryWrites, effectiveSids, fromBase64 } from '../directory-writes/directory-writes';
import { planRbcdChange } from '../delegations/rbcd-change';
import { mapLimit } from '../delegations/target-expander';
import type { AccountRef, DirectoryObject } from '../directory/directory.types';
import type { RequestEntity, TargetResult } from '../requests/request.entity';
import type { GrantEntity } from './grant.entity';
import { GrantRepository } from './grant.repository';
import { TargetChecks } from './target-checks';
import { planRemoval, sameValue } from './write-outcome';

const TARGET_CONCURRENCY = 8;

/**
 * Takes a request's grants out of force (expiry, revoke, or the rollback of a failed request):
 * target by target, under the target's lock, each ACE the service owns that no other active grant
 * needs is removed.
 */
@Injectable()
export class GrantRemoval {
  constructor(
    private readonly locks: TargetLocks,
    private readonly writes: DirectoryWrites,
    private readonly intents: DirectoryIntentRepository,
    private readonly checks: TargetChecks,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly grants: GrantRepository,
  ) {}

  /**
   * Ends the request's grants on every target. Reads first, outside any transaction: a DC that is
   * down fails the job here (retried with backoff) instead of holding a database transaction open
   * while LDAP times out.
   */
  async removeAll(request: RequestEntity, actor: string, action: 'end-grant' | 'rollback'): Promise<TargetResult[]> {
    const fresh = await this.checks.fetchTargets(request.targets);
    const pending = byTarget(await this.intents.pendingForRequest(request.id));
    return mapLimit(request.targets, TARGET_CONCURRENCY, (target) =>
      this.removeFromTarget(
        request,
        target,
        actor,
        fresh.get(target.sid.toUpperCase()) ?? null,
        action,
        pending.get(target.sid.toUpperCase()) ?? [],
      ),
    );
  }

  /**
   * Ends this request's grants on one target (expiry, revoke, or the rollback of a failed request):
   * removes each ACE the service added that no other active grant needs. A rollback also takes
   * back what an interrupted grant write of the request may have added (a pending grant intent),
   * and closes that intent as `unknown` with what the directory showed.
   * `fresh`: the target as just read; null when it no longer exists (its grants simply end).
   */
  private async removeFromTarget(
    request: RequestEntity,
    target: AccountRef,
    actor: string,
    fresh: DirectoryObject | null,
    action: 'end-grant' | 'rollback',
    pending: DirectoryIntentEntity[],
  ): Promise<TargetResult> {
    return this.locks.withTarget(target.sid, async (tx) => {
      const mine = await this.grants.activeOfRequestOnTarget(request.id, target.sid);
      const earlier = pending.find((i) => i.action === action);
      const interrupted = action === 'rollback' ? pending.filter((i) => i.action === 'grant') : [];
      if (mine.length === 0 && !earlier && interrupted.length === 0)
        return { target, status: 'unchanged', at: this.clock.nowIso() };
      const toRemove: string[] = [];
      const handOver: string[] = [];
      const othersActive = await this.grants.activeOfOthersOnTarget(target.sid, request.id);
      // An adopted grant owns its ACE at expiry and revoke (the adoption said so); a rollback takes
      // back only what the service wrote, and an adoption wrote nothing.
      const owns = (g: GrantEntity) => g.aceAddedByService || (g.adopted && action === 'end-grant');
      for (const grant of mine) {
        const other = othersActive.find((g) => g.principalSid === grant.principalSid);
        if (other) {
          // Another active grant still needs this ACE: keep it, and hand over its ownership.
          if (owns(grant) && !other.aceAddedByService) handOver.push(other.id);
        } else if (owns(grant)) {
          toRemove.push(grant.principalSid);
        }
      }
      for (const intent of interrupted) {
        for (const sid of intent.principals) {
          if (
            intent.inForceBefore.includes(sid) ||
            othersActive.some((g) => g.principalSid === sid) ||
            toRemove.includes(sid)
          )
            continue;
          toRemove.push(sid);
        }
      }
      const bookkeeping = async (m: EntityManager, observed: Buffer | null) => {
        const now = this.clock.nowIso();
        await this.grants.handOver(m, handOver);
        await this.grants.end(
          m,
          mine.map((g) => g.id),
          now,
        );
        for (const intent of interrupted)
          await this.writes.closeUnknown(m, intent, observed, actor, { closedBy: 'rollback' });
        return now;
      };
      const kept = mine.map((g) => g.principalSid).filter((sid) => !toRemove.includes(sid));
      if (toRemove.length === 0 || fresh === null) {
        // Nothing to write: the bookkeeping alone (and an earlier intent closed with it).
        return tx(async (m) => {
          const now = await bookkeeping(m, fresh?.rbcd ?? null);
          if (earlier) await this.writes.closeUnknown(m, earlier, fresh?.rbcd ?? null, actor);
          await this.audit.append(m, {
            actor,
            type: 'directory.write',
            requestId: request.id,
            target: target.dn,
            data: {
              action,
              changed: false,
              removed: [],
              kept,
              sddlBefore: storedSddl(fresh?.rbcd),
              sddlAfter: storedSddl(fresh?.rbcd),
              ...(fresh === null ? { targetGone: true } : {}),
            },
          });
          return {
            target,
            status: 'kept' as const,
            sddlBefore: storedSddl(fresh?.rbcd),
            sddlAfter: storedSddl(fresh?.rbcd),
            at: now,
          };
        });
      }
      const plan = await planRemoval(this.writes, tx, earlier, {
        requestId: request.id,
        action,
        operation: 'remove',
        target,
        principals: toRemove,
        inForceBefore: [...effectiveSids(fresh.rbcd)],
        valueBefore: fresh.rbcd ?? null,
        actor,
      });
      const removing = plan.intent.principals;
      return this.writes.write(
        tx,
        plan.intent,
        (current) => planRbcdChange('end-grant', current, removing).next,
        fresh.rbcd ?? null,
        async (m, cas) => {
          const now = await bookkeeping(m, cas.before);
          const before = plan.resumed ? fromBase64(plan.intent.valueBefore) : cas.before;
          const changed = plan.resumed ? !sameValue(before, cas.after) : cas.changed;
          const result: TargetResult = {
            target,
            status: 'removed',
            sddlBefore: storedSddl(before),
            sddlAfter: storedSddl(cas.after),
            at: now,
          };
          return {
            result,
            actor,
            data: {
              action,
              changed,
              removed: removing,
              kept,
              sddlBefore: result.sddlBefore,
              sddlAfter: result.sddlAfter,
              ...(plan.resumed ? { resumed: true } : {}),
            },
          };
        },
      );
    });
  }
}
