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
    for (const row of rows) {
      await this.audit.append(m, {
        actor: row.actor,
        type: 'directory.intent',
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
      });
    }
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
