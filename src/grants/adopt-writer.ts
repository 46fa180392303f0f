import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { TargetLocks } from '../database/target-lock';
import { storedSddl } from '../delegations/delegation-reader';
import { effectiveSids } from '../directory-writes/directory-writes';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import type { AccountRef, DirectoryObject } from '../directory/directory.types';
import type { RequestEntity, TargetResult } from '../requests/request.entity';
import { activeGrantRow, GrantRepository } from './grant.repository';
import { TargetChecks } from './target-checks';

const TARGET_CONCURRENCY = 8;

/** An adopt request: entries already in force become grants the service owns; nothing is written to AD. */
@Injectable()
export class AdoptWriter {
  constructor(
    private readonly locks: TargetLocks,
    private readonly directory: DirectoryPort,
    private readonly checks: TargetChecks,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly grants: GrantRepository,
  ) {}

  /** Adopts the entries on every target; `results` gets each target's outcome. */
  async adopt(request: RequestEntity, results: TargetResult[]): Promise<void> {
    const fresh = await this.checks.fetchTargets(request.targets);
    const tier0Groups = await this.checks.recheckBuiltin(request, fresh);
    await mapLimit(request.targets, TARGET_CONCURRENCY, async (target) => {
      const key = target.sid.toUpperCase();
      this.checks.recheckPolicy(target, fresh.get(key), tier0Groups.get(key), request.durationSeconds);
      results[request.targets.indexOf(target)] = await this.adoptOnTarget(request, target, fresh.get(key));
    });
  }

  /**
   * An adoption on one target: nothing is written. Under the target's lock, each principal's entry
   * must still be in force (an effective allow ACE) and unmanaged; it becomes an active grant that the
   * service owns (`adopted`): expiry and revoke remove it like an ACE the service added.
   */
  private async adoptOnTarget(
    request: RequestEntity,
    target: AccountRef,
    fresh: DirectoryObject | undefined,
  ): Promise<TargetResult> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    return this.locks.withTarget(target.sid, (tx) =>
      tx(async (m) => {
        const mine = await this.grants.ofRequestOnTargets(m, request.id, [target.sid]);
        const todo = principalSids.filter((sid) => !mine.some((g) => g.principalSid === sid));
        if (todo.length === 0) return { target, status: 'adopted' as const, at: this.clock.nowIso() }; // earlier run
        const current = await this.directory.readRbcd(target);
        const inForce = effectiveSids(current);
        const managed = await this.grants.activeOnTarget(target.sid, todo, m);
        const gone = todo.filter((sid) => !inForce.has(sid) || managed.some((g) => g.principalSid === sid));
        if (gone.length || !fresh)
          throw new DomainError(
            'ENTRY_NOT_STANDING',
            `${target.samAccountName}: ${gone.join(', ') || 'the target'} is no longer a standing entry (removed or managed since the request)`,
            { target: target.dn, principals: gone },
          );
        const now = this.clock.nowIso();
        await this.grants.insert(
          m,
          todo.map((sid) => activeGrantRow(request, target, sid, { aceAddedByService: false, adopted: true }, now)),
        );
        const sddl = storedSddl(current);
        await this.audit.append(m, {
          actor: 'system',
          type: 'directory.adopt',
          requestId: request.id,
          target: target.dn,
          data: {
            principals: todo,
            sddl,
            written: false,
            // Deliberate: the service did not add these ACEs, but the approved adoption makes it their
            // owner; expiry and revoke remove them (a rollback never does).
            removeOnEnd: true,
          },
        });
        return { target, status: 'adopted' as const, sddlBefore: sddl, sddlAfter: sddl, at: now };
      }),
    );
  }
}
