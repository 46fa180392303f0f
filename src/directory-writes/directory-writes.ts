import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { Transact } from '../database/target-lock';
import { storedSddl } from '../delegations/delegation-reader';
import { DirectoryPort } from '../directory/directory.port';
import type { CasResult, RbcdMutation } from '../directory/directory.types';
import { decodeSecurityDescriptor, listPrincipals } from '../security-descriptor';
import { type CrashPoint, crashPointsFor } from './crash-points';
import type { DirectoryIntentEntity, IntentAction } from './directory-intent.entity';
import { DirectoryIntentRepository, type NewIntent } from './directory-intent.repository';

/** SIDs with an effective ACE in a stored value (upper case; an undecodable value holds none). */
export function effectiveSids(bytes: Buffer | null | undefined): Set<string> {
  if (!bytes) return new Set();
  try {
    return new Set(
      listPrincipals(decodeSecurityDescriptor(bytes))
        .principals.filter((p) => p.effective)
        .map((p) => p.sid.toUpperCase()),
    );
  } catch {
    return new Set();
  }
}

/** One write of a batch (writeMany): its committed intent, the change, the value read before. */
export interface PlannedWrite {
  intent: DirectoryIntentEntity;
  mutate: RbcdMutation;
  /** The stored value as last read (the first compare-and-swap starts from it); undefined: read it. */
  current: Buffer | null | undefined;
}

/** A write of the batch that the directory took, with what it swapped. */
export interface LandedWrite {
  write: PlannedWrite;
  cas: CasResult;
}

/** The caller's part of a landed write's outcome: its result and the fields of its `directory.write` event. */
export interface WriteOutcome<T> {
  result: T;
  data: Record<string, unknown>;
  actor?: string;
}

/** Errors after which the write may have landed (or will be retried as is): the intent stays pending. */
const OUTCOME_UNKNOWN: string[] = ['DIRECTORY_UNAVAILABLE', 'DIRECTORY_CREDENTIALS_REFUSED'];

export const fromBase64 = (value: string | null): Buffer | null => (value ? Buffer.from(value, 'base64') : null);

/**
 * The protocol every directory write of the service follows (grant, revoke, expiry, rollback, drift
 * repair), so that a crash at any point leaves nothing unaccounted for:
 *   1. announce: the intent (and its `directory.intent` audit event) is committed on its own;
 *   2. the LDAP compare-and-swap, with no database transaction open;
 *   3. the outcome: the caller's bookkeeping, the intent closed and the `directory.write` event,
 *      in one transaction.
 * A crash between 1 and 3 leaves a pending intent: the retry resumes it (and takes ownership of an
 * ACE from it, never from what AD shows), or the reconciler closes it with what the directory shows.
 * Callers hold the target's lock (TargetLocks) from before 1 (or 2, for batched intents) until 3.
 */
@Injectable()
export class DirectoryWrites {
  private readonly crash: (action: IntentAction, point: CrashPoint) => void;

  constructor(
    private readonly intents: DirectoryIntentRepository,
    private readonly audit: AuditService,
    private readonly directory: DirectoryPort,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.crash = crashPointsFor(config.testCrashAt);
  }

  /** Step 1 for one or many writes, in the caller's transaction (commit it before writing). */
  async announce(m: EntityManager, intents: NewIntent[]): Promise<DirectoryIntentEntity[]> {
    const rows = await this.intents.insert(m, intents, this.clock.nowIso());
    await this.audit.appendMany(
      m,
      rows.map((row) => ({
        actor: row.actor,
        type: 'directory.intent' as const,
        requestId: row.requestId,
        target: row.targetDn,
        data: {
          intentId: row.id,
          action: row.action,
          operation: row.operation,
          principals: row.principals,
          inForceBefore: row.inForceBefore,
          sddlBefore: storedSddl(fromBase64(row.valueBefore)),
        },
      })),
    );
    return rows;
  }

  /**
   * Steps 2 and 3. `outcome` runs in the transaction that closes the intent and appends its
   * `directory.write` event (it adds its own fields to that event). A write the directory refused
   * closes the intent as failed (`directory.write-failed`); a lost connection (or refused
   * credentials, which the job waits out) leaves it pending, since the write may have landed.
   */
  async write<T>(
    tx: Transact,
    intent: DirectoryIntentEntity,
    mutate: RbcdMutation,
    current: Buffer | null | undefined,
    outcome: (
      m: EntityManager,
      cas: CasResult,
    ) => Promise<{ result: T; data: Record<string, unknown>; actor?: string }>,
  ): Promise<T> {
    this.crash(intent.action, 'after-intent');
    const target = { dn: intent.targetDn, domain: intent.targetDomain };
    let cas: CasResult;
    try {
      cas = await this.directory.updateRbcd(target, mutate, current !== undefined ? { current } : {});
    } catch (error) {
      if (!(error instanceof DomainError) || !OUTCOME_UNKNOWN.includes(error.code))
        await this.closeFailed(tx, intent, error);
      throw error;
    }
    this.crash(intent.action, 'after-write');
    const result = await tx(async (m) => {
      const { result, data, actor } = await outcome(m, cas);
      const at = this.clock.nowIso();
      await this.intents.close(m, intent.id, 'done', cas.after, at);
      await this.audit.append(m, {
        actor: actor ?? intent.actor,
        type: 'directory.write',
        requestId: intent.requestId,
        target: intent.targetDn,
        data: { intentId: intent.id, ...data },
      });
      this.crash(intent.action, 'before-commit');
      return result;
    });
    this.crash(intent.action, 'after-commit');
    return result;
  }

  /**
   * Steps 2 and 3 for a batch of writes, whose intents are all committed (and whose targets the
   * caller holds): the compare-and-swap writes, up to `concurrency` at once (no new one starts
   * after a failure), then ONE transaction with the outcome of every write that landed (`outcome`
   * gives each its result and event fields, in order), their intents closed, their
   * `directory.write` events, and the refused writes closed as failed. A write whose outcome is
   * unknown keeps its intent pending, as in write(). Returns the results in the order of `writes`
   * (undefined where no write landed) and the first error, for the caller to throw once the
   * outcomes are committed. One commit for the batch instead of one per target; exactly once holds
   * because every intent was committed before the first write and every outcome after the last.
   * `alsoCommit` runs last in that transaction, after the events (a caller announcing its next
   * batch's intents there commits them with these outcomes).
   */
  async writeMany<T>(
    tx: Transact,
    writes: PlannedWrite[],
    concurrency: number,
    outcome: (m: EntityManager, landed: LandedWrite[]) => Promise<WriteOutcome<T>[]>,
    alsoCommit?: (m: EntityManager, landed: LandedWrite[]) => Promise<void>,
  ): Promise<{ results: (T | undefined)[]; error?: unknown }> {
    const cas: (CasResult | undefined)[] = new Array(writes.length);
    const refused: number[] = [];
    let failure: { error: unknown } | undefined;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(Math.max(1, concurrency), writes.length) }, async () => {
        while (next < writes.length && !failure) {
          const index = next++;
          const { intent, mutate, current } = writes[index];
          this.crash(intent.action, 'after-intent');
          try {
            cas[index] = await this.directory.updateRbcd(
              { dn: intent.targetDn, domain: intent.targetDomain },
              mutate,
              current !== undefined ? { current } : {},
            );
          } catch (error) {
            failure ??= { error };
            if (!(error instanceof DomainError) || !OUTCOME_UNKNOWN.includes(error.code)) refused.push(index);
            continue;
          }
          this.crash(intent.action, 'after-write');
        }
      }),
    );
    const landed = writes.flatMap((write, index) => (cas[index] ? [{ write, cas: cas[index], index }] : []));
    const results: (T | undefined)[] = new Array(writes.length);
    if (landed.length > 0 || refused.length > 0) {
      await tx(async (m) => {
        const outcomes = landed.length ? await outcome(m, landed) : [];
        const at = this.clock.nowIso();
        const closed = await this.intents.closeMany(
          m,
          [
            ...landed.map((l) => ({ id: l.write.intent.id, state: 'done' as const, valueAfter: l.cas.after })),
            ...refused.map((i) => ({
              id: writes[i].intent.id,
              state: 'failed' as const,
              valueAfter: fromBase64(writes[i].intent.valueBefore),
            })),
          ],
          at,
        );
        const code = failure?.error instanceof DomainError ? failure.error.code : 'INTERNAL_ERROR';
        await this.audit.appendMany(m, [
          ...landed.map((l, k) => ({
            actor: outcomes[k].actor ?? l.write.intent.actor,
            type: 'directory.write' as const,
            requestId: l.write.intent.requestId,
            target: l.write.intent.targetDn,
            data: { intentId: l.write.intent.id, ...outcomes[k].data },
          })),
          ...refused
            .filter((i) => closed.has(writes[i].intent.id))
            .map((i) => ({
              actor: writes[i].intent.actor,
              type: 'directory.write-failed' as const,
              requestId: writes[i].intent.requestId,
              target: writes[i].intent.targetDn,
              data: {
                intentId: writes[i].intent.id,
                action: writes[i].intent.action,
                principals: writes[i].intent.principals,
                code,
                message: (failure?.error as Error).message,
              },
            })),
        ]);
        if (alsoCommit) await alsoCommit(m, landed);
        for (const l of landed) this.crash(l.write.intent.action, 'before-commit');
        landed.forEach((l, k) => (results[l.index] = outcomes[k].result));
      });
      for (const l of landed) this.crash(l.write.intent.action, 'after-commit');
    }
    return failure ? { results, error: failure.error } : { results };
  }

  /**
   * Closes an intent whose outcome nobody will commit (its request moved on): `unknown`, with what
   * the directory showed and whether the intended change is in force there.
   */
  async closeUnknown(
    m: EntityManager,
    intent: DirectoryIntentEntity,
    observed: Buffer | null,
    actor: string,
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    if (!(await this.intents.close(m, intent.id, 'unknown', observed, this.clock.nowIso()))) return false;
    const present = effectiveSids(observed);
    const inForce =
      intent.operation === 'add'
        ? intent.principals.every((s) => present.has(s))
        : intent.principals.every((s) => !present.has(s));
    await this.audit.append(m, {
      actor,
      type: 'directory.write',
      requestId: intent.requestId,
      target: intent.targetDn,
      data: {
        intentId: intent.id,
        action: intent.action,
        outcome: 'unknown',
        principals: intent.principals,
        sddlBefore: storedSddl(fromBase64(intent.valueBefore)),
        observed: storedSddl(observed),
        intendedChangeInForce: inForce,
        ...extra,
      },
    });
    return true;
  }

  private async closeFailed(tx: Transact, intent: DirectoryIntentEntity, error: unknown): Promise<void> {
    const code = error instanceof DomainError ? error.code : 'INTERNAL_ERROR';
    await tx(async (m) => {
      if (!(await this.intents.close(m, intent.id, 'failed', fromBase64(intent.valueBefore), this.clock.nowIso())))
        return;
      await this.audit.append(m, {
        actor: intent.actor,
        type: 'directory.write-failed',
        requestId: intent.requestId,
        target: intent.targetDn,
        data: {
          intentId: intent.id,
          action: intent.action,
          principals: intent.principals,
          code,
          message: (error as Error).message,
        },
      });
    }).catch(() => undefined);
  }
}
