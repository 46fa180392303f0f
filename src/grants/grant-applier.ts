import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { TargetLocks, type Transact } from '../database/target-lock';
import { UnitOfWork } from '../database/unit-of-work';
import type { DirectoryIntentEntity } from '../directory-writes/directory-intent.entity';
import { byTarget, DirectoryIntentRepository, type NewIntent } from '../directory-writes/directory-intent.repository';
import { DirectoryWrites, effectiveSids, fromBase64 } from '../directory-writes/directory-writes';
import { planRbcdChange } from '../delegations/rbcd-change';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type AccountRef, type CasResult, type DirectoryObject } from '../directory/directory.types';
import { ACCOUNT_ATTRIBUTES } from '../directory/entry-mapper';
import { query } from '../directory/directory-query';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { neverTargetReason, PolicyService, protectedReason } from '../policy/policy.service';
import { RequestTimers } from '../timers/request-timers';
import { WriterBaselineRepository } from '../policy/writer-baseline.repository';
import { type Writer, type WriterMemo, WritersService } from '../policy/writers.service';
import type { RequestEntity, RequestResult, TargetResult } from '../requests/request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle';
import { RequestRepository } from '../requests/request.repository';
import { ExtensionMerger } from './extension-merger';
import { sidToBytes } from '../security-descriptor';
import { storedSddl } from '../delegations/delegation-reader';
import type { GrantEntity } from './grant.entity';
import { GrantRepository, pairKey } from './grant.repository';
import { isRetryable, JobHandlers } from '../jobs/job-handlers';
import { JobQueue } from '../jobs/job-queue.service';

function sameValue(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * Errors worth waiting out; anything else fails the request. An outage or a concurrent change is
 * retried with backoff; refused credentials make the job wait for an operator (JobRunner).
 */
const TARGET_CONCURRENCY = 8;
const FETCH_BATCH = 100;
/** Targets of a grant whose outcomes commit in one transaction; batches written at once. */
const WRITE_BATCH = 50;
const BATCHES_IN_FLIGHT = 2;

/** A grant's write on one target: its intent, and whether an earlier (crashed) attempt made it. */
interface GrantPlan {
  intent: DirectoryIntentEntity;
  resumed: boolean;
}

/**
 * Puts approved requests in force, ends grants and takes back failed ones, target by target,
 * through the directory's compare-and-swap write. Every write follows DirectoryWrites: an intent
 * committed before it, the outcome (grant rows, audit event) committed after it, the target locked
 * in between (TargetLocks). A re-run after a crash resumes pending intents, changes nothing that is
 * already in force, and takes the ownership of an ACE from the intent, never from what AD shows.
 */
@Injectable()
export class GrantApplier implements OnModuleInit {
  private readonly logger = new Logger(GrantApplier.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly locks: TargetLocks,
    private readonly writes: DirectoryWrites,
    private readonly intents: DirectoryIntentRepository,
    private readonly directory: DirectoryPort,
    private readonly policy: PolicyService,
    private readonly guard: BuiltinGuard,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly timers: RequestTimers,
    private readonly writers: WritersService,
    private readonly baselines: WriterBaselineRepository,
    private readonly handlers: JobHandlers,
    private readonly extensions: ExtensionMerger,
    private readonly requests: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly grants: GrantRepository,
  ) {}

  /** The grant jobs: apply an approved request, end a grant (expiry, revoke), take back a failed one. */
  onModuleInit(): void {
    this.handlers.register('apply', (job, { lastAttempt }) => this.apply(job.requestId as string, lastAttempt));
    this.handlers.register(
      'end-grant',
      (job) =>
        this.endGrant(
          job.requestId as string,
          job.payload.reason === 'revoked' ? 'revoked' : 'expired',
          String(job.payload.actor ?? 'system'),
        ),
      { retryForever: true },
    );
    this.handlers.register('rollback', (job) => this.rollback(job.requestId as string), { retryForever: true });
  }

  /** Runs an apply job. Throws a retryable error to be retried; returns when the request is final. */
  async apply(requestId: string, lastAttempt: boolean): Promise<void> {
    const request = await this.requests.find(requestId);
    // `scheduled`: this job was due at startsAt; the policy is checked again below, as for every apply.
    if (!request || !['approved', 'scheduled', 'applying'].includes(request.status)) return;
    // An extension of a live grant moves its expiry (no write); of an ended one, it is a grant of its own.
    if (request.status === 'approved' && (await this.extensions.tryMerge(request))) return;
    if (request.status === 'approved' || request.status === 'scheduled') {
      await this.uow.run((m) =>
        this.lifecycle.transition(m, request, 'applying', { actor: 'system', audit: 'request.applying', event: null }),
      );
    }
    const results: TargetResult[] = request.targets.map((target) => ({ target, status: 'pending' }));
    try {
      if (request.action === 'adopt') {
        const fresh = await this.fetchTargets(request.targets);
        const tier0Groups = await this.recheckBuiltin(request, fresh);
        await mapLimit(request.targets, TARGET_CONCURRENCY, async (target) => {
          const key = target.sid.toUpperCase();
          this.recheckPolicy(target, fresh.get(key), tier0Groups.get(key), request.durationSeconds);
          results[request.targets.indexOf(target)] = await this.adoptOnTarget(request, target, fresh.get(key));
        });
      } else if (request.action === 'grant') {
        const fresh = await this.fetchTargets(request.targets, { withSecurityDescriptor: true });
        const tier0Groups = await this.recheckBuiltin(request, fresh);
        const plans = await this.planGrant(request, fresh, tier0Groups);
        const memo: WriterMemo = new Map();
        const index = new Map(request.targets.map((t, i) => [t.sid.toUpperCase(), i]));
        const batches: AccountRef[][] = [];
        for (const target of request.targets) {
          const key = target.sid.toUpperCase();
          if (!plans.has(key)) {
            results[index.get(key) as number] = { target, status: 'applied', at: this.clock.nowIso() }; // done in an earlier run
            continue;
          }
          if (batches.length === 0 || batches[batches.length - 1].length >= WRITE_BATCH) batches.push([]);
          batches[batches.length - 1].push(target);
        }
        await mapLimit(batches, BATCHES_IN_FLIGHT, async (batch) => {
          const done = await this.grantOnTargets(request, batch, fresh, plans, memo);
          batch.forEach((target, k) => {
            const result = done.results[k];
            if (result) results[index.get(target.sid.toUpperCase()) as number] = result;
          });
          if (done.error !== undefined) throw done.error;
        });
      } else {
        const pending = byTarget(await this.intents.pendingForRequest(request.id, 'revoke'));
        await mapLimit(request.targets, TARGET_CONCURRENCY, async (target) => {
          results[request.targets.indexOf(target)] = await this.revokeOnTarget(
            request,
            target,
            pending.get(target.sid.toUpperCase())?.[0],
          );
        });
      }
    } catch (error) {
      const failed =
        error instanceof DomainError
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL_ERROR', message: 'Unexpected error while applying' };
      if (isRetryable(error) && !lastAttempt) {
        await this.saveResult(request, { targets: results, error: failed });
        throw error;
      }
      await this.failRequest(request, results, failed, error);
      return;
    }
    await this.finishApplied(request, results);
  }

  /** Ends a grant (expiry or revoke): removes each ACE no other active grant needs. */
  async endGrant(requestId: string, reason: 'expired' | 'revoked', actor: string): Promise<void> {
    const request = await this.requests.find(requestId);
    // A merged extension has no grant of its own: it ends with the grant it extended.
    if (!request || request.status !== 'applied' || request.mergedInto) return;
    // Read first, outside any transaction: a DC that is down fails the job here (retried with
    // backoff) instead of holding a database transaction open while LDAP times out.
    const fresh = await this.fetchTargets(request.targets);
    const pending = byTarget(await this.intents.pendingForRequest(request.id));
    const results = await mapLimit(request.targets, TARGET_CONCURRENCY, (target) =>
      this.removeGrantFromTarget(
        request,
        target,
        actor,
        fresh.get(target.sid.toUpperCase()) ?? null,
        'end-grant',
        pending.get(target.sid.toUpperCase()) ?? [],
      ),
    );
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

  /**
   * Policy again for every target still to write (against the target as it is now), before any
   * write; then what each write needs: a pending intent of an earlier run is resumed, the others get
   * an intent announced (committed by each batch before its writes, see grantOnTargets). Targets
   * done in an earlier run are left out.
   */
  private async planGrant(
    request: RequestEntity,
    fresh: Map<string, DirectoryObject>,
    tier0Groups: Map<string, string | undefined>,
  ): Promise<Map<string, GrantPlan | { announce: NewIntent }>> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    const rows = await this.grants.statesOfRequest(request.id);
    const written = new Map<string, number>();
    for (const row of rows)
      if (row.state === 'active')
        written.set(row.targetSid.toUpperCase(), (written.get(row.targetSid.toUpperCase()) ?? 0) + 1);
    const pending = byTarget(await this.intents.pendingForRequest(request.id, 'grant'));
    const plans = new Map<string, GrantPlan | { announce: NewIntent }>();
    for (const target of request.targets) {
      const key = target.sid.toUpperCase();
      if ((written.get(key) ?? 0) >= principalSids.length) continue; // done in an earlier run
      const current = fresh.get(key);
      this.recheckPolicy(target, current, tier0Groups.get(key), request.durationSeconds, request.emergency);
      const earlier = pending.get(key)?.[0];
      if (earlier) plans.set(key, { intent: earlier, resumed: true });
      else {
        const before = current?.rbcd ?? null;
        plans.set(key, {
          announce: {
            requestId: request.id,
            action: 'grant',
            operation: 'add',
            target,
            principals: principalSids,
            inForceBefore: [...effectiveSids(before)],
            valueBefore: before,
            actor: 'system',
          },
        });
      }
    }
    return plans;
  }

  /**
   * A batch of a grant's targets: the intents it announces committed in one transaction, then the
   * targets' locks held together, the compare-and-swap writes a few at a time, and one transaction
   * for all their outcomes (grant rows, writer baselines, intents closed, audit events). While one
   * batch writes, the next commits its intents. Returns each target's result (undefined where no
   * write landed) and the first error.
   */
  private async grantOnTargets(
    request: RequestEntity,
    targets: AccountRef[],
    fresh: Map<string, DirectoryObject>,
    steps: Map<string, GrantPlan | { announce: NewIntent }>,
    memo: WriterMemo,
  ): Promise<{ results: (TargetResult | undefined)[]; error?: unknown }> {
    const plans = new Map<string, GrantPlan>();
    const announce: NewIntent[] = [];
    for (const target of targets) {
      const step = steps.get(target.sid.toUpperCase());
      if (step && 'announce' in step) announce.push(step.announce);
      else if (step) plans.set(target.sid.toUpperCase(), step);
    }
    if (announce.length) {
      const intents = await this.uow.run((m) => this.writes.announce(m, announce));
      for (const intent of intents) plans.set(intent.targetSid, { intent, resumed: false });
    }
    const planOf = (target: AccountRef) => plans.get(target.sid.toUpperCase()) as GrantPlan;
    const byIntent = new Map(targets.map((t) => [planOf(t).intent.id, t]));
    // Who else can write each target now: the baseline WRITER_ADDED is later compared with. Read
    // before the locks (names come from the directory); from the fetch's descriptor when it came.
    // A failed read never fails the grant: the reconciler then records the baseline on its first run.
    const writers = new Map<string, Writer[] | null>();
    for (const target of targets) {
      const object = fresh.get(target.sid.toUpperCase());
      writers.set(
        target.sid.toUpperCase(),
        object
          ? await this.writers
              .rbcdWriters(object, memo)
              .then((r) => r.writers)
              .catch((error: unknown) => {
                this.logger.warn(`writers of ${target.dn} not read at apply: ${(error as Error).message}`);
                return null;
              })
          : null,
      );
    }
    return this.locks.withTargets(
      targets.map((t) => t.sid),
      (tx) =>
        this.writes.writeMany<TargetResult>(
          tx,
          targets.map((target) => {
            const { intent } = planOf(target);
            return {
              intent,
              mutate: (current) => planRbcdChange('grant', current, intent.principals).next,
              current: fresh.get(target.sid.toUpperCase())?.rbcd ?? null,
            };
          }),
          TARGET_CONCURRENCY,
          async (m, landed) => {
            const sids = landed.map((l) => (byIntent.get(l.write.intent.id) as AccountRef).sid);
            const mine = new Set((await this.grants.ofRequestOnTargets(m, request.id, sids)).map(pairKey));
            // Other requests' active grants on these targets: who else holds an ACE there, and
            // whether a grant period is already under way (the writer baseline is then kept).
            const othersActive = await this.grants.activePairsOfOthers(m, sids, request.id);
            const others = new Set(othersActive.map(pairKey));
            const busy = new Set(othersActive.map((g) => g.targetSid.toUpperCase()));
            const now = this.clock.nowIso();
            await this.baselines.recordManyAtApply(
              m,
              landed.flatMap((l) => {
                const key = l.write.intent.targetSid;
                const known = writers.get(key);
                return known ? [{ targetSid: key, writers: known, otherGrantsActive: busy.has(key) }] : [];
              }),
              now,
            );
            const rows: GrantEntity[] = [];
            const outcomes = landed.map(({ write, cas }) => {
              const target = byIntent.get(write.intent.id) as AccountRef;
              const plan = planOf(target);
              // Ownership: a resumed write may have landed before the crash, so what AD shows now
              // says nothing; the intent holds what was in force before it.
              const inForceBefore = plan.resumed ? new Set(plan.intent.inForceBefore) : effectiveSids(cas.before);
              for (const sid of plan.intent.principals) {
                const key = pairKey({ targetSid: target.sid, principalSid: sid });
                if (mine.has(key)) continue;
                rows.push({
                  id: randomUUID(),
                  requestId: request.id,
                  targetSid: target.sid,
                  targetDn: target.dn,
                  targetDomain: target.domain,
                  principalSid: sid,
                  state: 'active',
                  aceAddedByService: !inForceBefore.has(sid) && !others.has(key),
                  adopted: false,
                  createdAt: now,
                  expiresAt: request.expiresAt,
                  endedAt: null,
                });
              }
              return this.writeOutcome(target, 'grant', plan.intent.principals, cas, now, plan);
            });
            await this.grants.insert(m, rows);
            return outcomes;
          },
        ),
    );
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
      const plan = await this.planRemoval(tx, earlier, {
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
          return this.writeOutcome(target, 'revoke', principalSids, cas, now, plan);
        },
      );
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
          todo.map((sid) => ({
            id: randomUUID(),
            requestId: request.id,
            targetSid: target.sid,
            targetDn: target.dn,
            targetDomain: target.domain,
            principalSid: sid,
            state: 'active',
            aceAddedByService: false,
            adopted: true,
            createdAt: now,
            expiresAt: request.expiresAt,
            endedAt: null,
          })),
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

  /** The target's result and the fields of its `directory.write` event (SDDL before and after). */
  private writeOutcome(
    target: AccountRef,
    action: 'grant' | 'revoke',
    principals: string[],
    cas: CasResult,
    at: string,
    plan: GrantPlan,
  ): { result: TargetResult; data: Record<string, unknown> } {
    const done = action === 'grant' ? 'applied' : 'removed';
    // A resumed write compares with the value before its first attempt (that attempt may have written).
    const before = plan.resumed ? fromBase64(plan.intent.valueBefore) : cas.before;
    const changed = plan.resumed ? !sameValue(before, cas.after) : cas.changed;
    const result: TargetResult = {
      target,
      status: changed ? done : 'unchanged',
      sddlBefore: storedSddl(before),
      sddlAfter: storedSddl(cas.after),
      at,
    };
    return {
      result,
      data: {
        action,
        changed,
        principals,
        sddlBefore: result.sddlBefore,
        sddlAfter: result.sddlAfter,
        attempts: cas.attempts,
        ...(plan.resumed ? { resumed: true } : {}),
      },
    };
  }

  /**
   * Ends this request's grants on one target (expiry, revoke, or the rollback of a failed request):
   * removes each ACE the service added that no other active grant needs. A rollback also takes
   * back what an interrupted grant write of the request may have added (a pending grant intent),
   * and closes that intent as `unknown` with what the directory showed.
   * `fresh`: the target as just read; null when it no longer exists (its grants simply end).
   */
  private async removeGrantFromTarget(
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
      const plan = await this.planRemoval(tx, earlier, {
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

  /**
   * Fresh copies of the targets (the attributes policy needs, and the stored value the first
   * compare-and-swap attempt starts from), in a few batched searches instead of one per target.
   */
  private async fetchTargets(
    targets: AccountRef[],
    options: { withSecurityDescriptor?: boolean } = {},
  ): Promise<Map<string, DirectoryObject>> {
    const found = new Map<string, DirectoryObject>();
    const byDomain = new Map<string, AccountRef[]>();
    for (const t of targets) byDomain.set(t.domain, [...(byDomain.get(t.domain) ?? []), t]);
    for (const [domain, list] of byDomain) {
      for (let i = 0; i < list.length; i += FETCH_BATCH) {
        const filter = query.or(
          ...list.slice(i, i + FETCH_BATCH).map((t) => query.equals('objectSid', sidToBytes(t.sid))),
        );
        for await (const object of this.directory.search(domain, undefined, {
          filter,
          attributes: [...ACCOUNT_ATTRIBUTES, RBCD_ATTRIBUTE],
          withSecurityDescriptor: options.withSecurityDescriptor,
        })) {
          found.set(object.sid.toUpperCase(), object);
        }
      }
    }
    return found;
  }

  /**
   * The built-in policy, again just before the write, against the principals as they are now (a
   * group may have gained Domain Computers since the request); returns each target's Tier 0 group.
   */
  private async recheckBuiltin(
    request: RequestEntity,
    fresh: Map<string, DirectoryObject>,
  ): Promise<Map<string, string | undefined>> {
    const principals = await Promise.all(
      request.principals.map((p) => this.directory.resolve(p.sid, { kind: 'principal', domain: p.domain })),
    );
    const verdict = await this.guard.checkPrincipals(principals);
    if (verdict.refusals.length)
      throw new DomainError('POLICY_DENIED', verdict.refusals.join('; '), { reasons: verdict.refusals });
    const tier0Groups = new Map<string, string | undefined>();
    for (const [sid, target] of fresh) tier0Groups.set(sid, await this.guard.tier0Membership(target));
    return tier0Groups;
  }

  /** Policy is checked again right before the write, against the target as it is now. */
  private recheckPolicy(
    target: AccountRef,
    fresh: DirectoryObject | undefined,
    tier0Group: string | undefined,
    durationSeconds: number | null,
    emergency = false,
  ): void {
    if (!fresh)
      throw new DomainError(
        'TARGET_NOT_FOUND',
        `${target.samAccountName} (${target.sid}) no longer exists in ${target.domain}`,
      );
    const decision = this.policy.evaluate(fresh, { tier0Group });
    // Break-glass again at the write: the rule must still allow it, and the target must not have become Tier 0.
    const tier0 = emergency ? (neverTargetReason(fresh) ?? protectedReason(fresh, tier0Group)) : undefined;
    if (tier0 || (emergency && !decision.breakGlass?.allowed)) {
      decision.allowed = false;
      decision.reasons.push(
        tier0 ? `${tier0}: break-glass never applies to Tier 0` : 'no rule allows break-glass here now',
      );
    }
    // A scheduled grant is applied long after its approval: a policy that shrank meanwhile still holds.
    const maxMs = emergency ? (decision.breakGlass?.maxDurationMs ?? 0) : decision.maxDurationMs;
    if (decision.allowed && durationSeconds && durationSeconds * 1000 > maxMs) {
      decision.allowed = false;
      decision.reasons.push(`the grant's duration exceeds the policy maximum of ${Math.round(maxMs / 60_000)} minutes`);
    }
    if (!decision.allowed)
      throw new DomainError('POLICY_DENIED', `${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`, {
        reasons: decision.reasons,
      });
  }

  /**
   * Marks the request failed and, for a grant, leaves a durable rollback job that takes back what
   * it put in force (retried until the directory answers): the audit says `rollbackPending`, and
   * `request.rolled-back` once done. Nothing to take back: `rolledBack` at once.
   */
  private async failRequest(
    request: RequestEntity,
    results: TargetResult[],
    failed: { code: string; message: string },
    error: unknown,
  ): Promise<void> {
    if (!(error instanceof DomainError))
      this.logger.error({ err: error }, `apply of ${request.id} failed unexpectedly`);
    if (request.action === 'adopt') await this.endAdoptedGrants(request);
    const toTakeBack =
      request.action === 'grant' &&
      ((await this.grants.countActiveOfRequest(request.id)) > 0 ||
        (await this.intents.pendingForRequest(request.id)).length > 0);
    const marked = results.map((r) =>
      r.status === 'applied' || r.status === 'unchanged' ? { ...r, status: 'pending' as const } : r,
    );
    await this.uow.run(async (m) => {
      if (failed.code === 'POLICY_DENIED') {
        // Refused by the check just before the write: the same event as a refusal at request time.
        await this.audit.append(m, {
          actor: 'system',
          type: 'request.denied',
          requestId: request.id,
          data: { reasons: (error as DomainError).details?.reasons ?? [failed.message], at: 'write' },
        });
      }
      const rollback = request.action !== 'grant' ? {} : toTakeBack ? { rollbackPending: true } : { rolledBack: true };
      await this.lifecycle.transition(
        m,
        request,
        'failed',
        { actor: 'system', audit: 'request.failed', data: { error: failed, ...rollback } },
        { closedAt: this.clock.nowIso(), result: { targets: marked, error: failed } },
      );
      if (toTakeBack)
        await this.jobs.enqueue(m, { kind: 'rollback', requestId: request.id, dedupeKey: `rollback:${request.id}` });
    });
  }

  /** A failed adoption wrote nothing: the grants it made on other targets simply end (no directory write). */
  private async endAdoptedGrants(request: RequestEntity): Promise<void> {
    await this.uow.run((m) => this.grants.endActiveOfRequest(m, request.id, this.clock.nowIso()));
  }

  /** The rollback job of a failed grant request: ends its grants and removes the ACEs it added. */
  async rollback(requestId: string): Promise<void> {
    const request = await this.requests.find(requestId);
    if (!request || request.status !== 'failed' || request.action !== 'grant') return;
    const fresh = await this.fetchTargets(request.targets);
    const pending = byTarget(await this.intents.pendingForRequest(request.id));
    const results = await mapLimit(request.targets, TARGET_CONCURRENCY, (target) =>
      this.removeGrantFromTarget(
        request,
        target,
        'system',
        fresh.get(target.sid.toUpperCase()) ?? null,
        'rollback',
        pending.get(target.sid.toUpperCase()) ?? [],
      ),
    );
    await this.uow.run((m) =>
      this.audit.append(m, {
        actor: 'system',
        type: 'request.rolled-back',
        requestId: request.id,
        data: { rolledBack: true, targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) },
      }),
    );
  }

  private async finishApplied(request: RequestEntity, results: TargetResult[]): Promise<void> {
    await this.uow.run(async (m) => {
      const now = this.clock.now();
      const expiresAt = request.durationSeconds
        ? new Date(now.getTime() + request.durationSeconds * 1000).toISOString()
        : request.expiresAt;
      if (expiresAt !== request.expiresAt) await this.grants.setExpiry(m, request.id, expiresAt);
      await this.lifecycle.transition(
        m,
        request,
        'applied',
        {
          actor: 'system',
          audit: 'request.applied',
          data: { expiresAt, targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) },
        },
        { appliedAt: now.toISOString(), expiresAt, result: { targets: results } },
      );
      if (request.action === 'revoke') await this.closeEndedGrants(m, request);
      if (request.action === 'grant') await this.timers.expiring(m, request, now);
      // A break-glass request reviewed `revoke` while it was still being applied ends now.
      if (request.review?.outcome === 'revoke')
        await this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: request.id,
          payload: { reason: 'revoked', actor: request.review.reviewer },
          dedupeKey: `end-grant:${request.id}`,
        });
    });
  }

  /** Grant requests whose every grant this revoke-action request ended are now `revoked`. */
  private async closeEndedGrants(m: EntityManager, revoke: RequestEntity): Promise<void> {
    const ids = await this.grants.requestsWithEnded(
      m,
      revoke.targets.map((t) => t.sid),
      revoke.principals.map((p) => p.sid.toUpperCase()),
    );
    if (ids.length === 0) return;
    for (const request of await this.requests.appliedGrants(m, ids)) {
      if ((await this.grants.countActiveOfRequest(request.id, m)) > 0) continue;
      await this.lifecycle.transition(
        m,
        request,
        'revoked',
        { actor: 'system', audit: 'request.revoked', data: { by: 'revoke request' }, event: null },
        { closedAt: this.clock.nowIso() },
      );
    }
  }

  private async saveResult(request: RequestEntity, result: RequestResult): Promise<void> {
    await this.uow.run((m) => this.requests.update(m, request, { result }));
  }

  /**
   * The intent a removal on one target works under: the one an interrupted run left (its ACEs are
   * ours to finish), or a new one committed before the write.
   */
  private async planRemoval(
    tx: Transact,
    earlier: DirectoryIntentEntity | undefined,
    intent: NewIntent,
  ): Promise<GrantPlan> {
    if (earlier) return { intent: earlier, resumed: true };
    const [announced] = await tx((m) => this.writes.announce(m, [intent]));
    return { intent: announced, resumed: false };
  }
}
