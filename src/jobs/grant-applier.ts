import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager, In, Not } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { planRbcdChange } from '../delegations/rbcd-change';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type CasResult, type DirectoryObject } from '../directory/directory.types';
import { ACCOUNT_ATTRIBUTES } from '../directory/entry-mapper';
import { binaryEquals } from '../directory/ldap-escape';
import { OrFilter } from 'ldapts';
import { EventPublisher } from '../notifications/event-publisher';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { PolicyService } from '../policy/policy.service';
import { toRequestView } from '../requests/request.view';
import { RequestEntity, type RequestResult, type StoredAccount, type TargetResult } from '../requests/request.entity';
import { decodeSecurityDescriptor, listPrincipals, sidToBytes } from '../security-descriptor';
import { storedSddl } from '../delegations/delegation-reader';
import { GrantEntity } from './grant.entity';

/**
 * Errors worth waiting out; anything else fails the request. An outage or a concurrent change is
 * retried with backoff; refused credentials make the job wait for an operator (JobRunner).
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof DomainError && (error.code === 'DIRECTORY_UNAVAILABLE' || error.code === 'DESCRIPTOR_CHANGED' || error.code === 'DIRECTORY_CREDENTIALS_REFUSED');
}

const TARGET_CONCURRENCY = 8;
const FETCH_BATCH = 100;


function effectiveSids(bytes: Buffer | null): Set<string> {
  if (!bytes) return new Set();
  try {
    return new Set(listPrincipals(decodeSecurityDescriptor(bytes)).principals.filter((p) => p.effective).map((p) => p.sid.toUpperCase()));
  } catch {
    return new Set();
  }
}

/**
 * Puts approved requests in force and ends grants, target by target, through the directory's
 * compare-and-swap write. Each target's write and its bookkeeping (grant rows, audit event) share
 * one database transaction, serialised per target (advisory lock on PostgreSQL), so a re-run after a
 * crash changes nothing that is already in force and never loses the reference count of an ACE.
 */
@Injectable()
export class GrantApplier {
  private readonly logger = new Logger(GrantApplier.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly directory: DirectoryPort,
    private readonly policy: PolicyService,
    private readonly guard: BuiltinGuard,
    private readonly audit: AuditService,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  /** Runs an apply job. Throws a retryable error to be retried; returns when the request is final. */
  async apply(requestId: string, lastAttempt: boolean): Promise<void> {
    const request = await this.uow.manager.getRepository(RequestEntity).findOne({ where: { id: requestId } });
    if (!request || !['approved', 'applying'].includes(request.status)) return;
    if (request.status === 'approved') {
      await this.uow.run(async (m) => {
        await this.setStatus(m, request, { status: 'applying' });
        await this.audit.append(m, { actor: 'system', type: 'request.applying', requestId });
      });
    }
    const results: TargetResult[] = request.targets.map((target) => ({ target, status: 'pending' }));
    try {
      const fresh = request.action === 'grant' ? await this.fetchTargets(request.targets) : new Map<string, DirectoryObject>();
      const tier0Groups = request.action === 'grant' ? await this.recheckBuiltin(request, fresh) : new Map<string, string | undefined>();
      await mapLimit(request.targets, TARGET_CONCURRENCY, async (target) => {
        const index = request.targets.indexOf(target);
        results[index] =
          request.action === 'grant' ? await this.grantOnTarget(request, target, fresh.get(target.sid.toUpperCase()), tier0Groups.get(target.sid.toUpperCase())) : await this.revokeOnTarget(request, target);
      });
    } catch (error) {
      const failed = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'INTERNAL_ERROR', message: 'Unexpected error while applying' };
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
    const request = await this.uow.manager.getRepository(RequestEntity).findOne({ where: { id: requestId } });
    if (!request || request.status !== 'applied') return;
    // Read first, outside any transaction: a DC that is down fails the job here (retried with
    // backoff) instead of holding a database transaction open while LDAP times out.
    const fresh = await this.fetchTargets(request.targets);
    const results = await mapLimit(request.targets, TARGET_CONCURRENCY, (target) => this.removeGrantFromTarget(request, target, actor, fresh.get(target.sid.toUpperCase()) ?? null));
    await this.uow.run(async (m) => {
      const now = this.clock.nowIso();
      await this.setStatus(m, request, { status: reason, closedAt: now, result: { targets: results } });
      await this.audit.append(m, { actor, type: `request.${reason}`, requestId, data: { targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) } });
      await this.publish(m, `request.${reason}`, request);
    });
  }

  private async grantOnTarget(request: RequestEntity, target: StoredAccount, fresh: DirectoryObject | undefined, tier0Group: string | undefined): Promise<TargetResult> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    return this.uow.run(async (m) => {
      await this.lockTarget(m, target.sid);
      const grants = m.getRepository(GrantEntity);
      const mine = await grants.find({ where: { requestId: request.id, targetSid: target.sid } });
      if (mine.length === principalSids.length && mine.every((g) => g.state === 'active')) {
        return { target, status: 'applied', at: this.clock.nowIso() }; // done in an earlier run
      }
      this.recheckPolicy(target, fresh, tier0Group);
      const others = await grants.find({ where: { targetSid: target.sid, principalSid: In(principalSids), state: 'active', requestId: Not(request.id) } });
      let inForceBefore = new Set<string>();
      const cas = await this.directory.updateRbcd(
        target,
        (current) => {
          inForceBefore = effectiveSids(current);
          return planRbcdChange('grant', current, principalSids).next;
        },
        { current: fresh?.rbcd ?? null },
      );
      const now = this.clock.nowIso();
      for (const sid of principalSids) {
        if (mine.some((g) => g.principalSid === sid)) continue;
        const owned = !inForceBefore.has(sid) && !others.some((g) => g.principalSid === sid);
        await grants.insert({
          id: randomUUID(),
          requestId: request.id,
          targetSid: target.sid,
          targetDn: target.dn,
          targetDomain: target.domain,
          principalSid: sid,
          state: 'active',
          aceAddedByService: owned,
          createdAt: now,
          expiresAt: request.expiresAt,
          endedAt: null,
        });
      }
      return this.recordWrite(m, request, target, 'grant', principalSids, cas, now);
    });
  }

  /** A revoke-action request: removes the principals' ACEs (an explicit revoke) and ends their grants. */
  private async revokeOnTarget(request: RequestEntity, target: StoredAccount): Promise<TargetResult> {
    const principalSids = request.principals.map((p) => p.sid.toUpperCase());
    return this.uow.run(async (m) => {
      await this.lockTarget(m, target.sid);
      const cas = await this.directory.updateRbcd(target, (current) => planRbcdChange('revoke', current, principalSids).next);
      const now = this.clock.nowIso();
      await m.getRepository(GrantEntity).update({ targetSid: target.sid, principalSid: In(principalSids), state: 'active' }, { state: 'ended', endedAt: now });
      return this.recordWrite(m, request, target, 'revoke', principalSids, cas, now);
    });
  }

  /** The target's result and its `directory.write` audit event (SDDL before and after). */
  private async recordWrite(m: EntityManager, request: RequestEntity, target: StoredAccount, action: 'grant' | 'revoke', principals: string[], cas: CasResult, at: string): Promise<TargetResult> {
    const done = action === 'grant' ? 'applied' : 'removed';
    const result: TargetResult = { target, status: cas.changed ? done : 'unchanged', sddlBefore: storedSddl(cas.before), sddlAfter: storedSddl(cas.after), at };
    await this.audit.append(m, {
      actor: 'system',
      type: 'directory.write',
      requestId: request.id,
      target: target.dn,
      data: { action, changed: cas.changed, principals, sddlBefore: result.sddlBefore, sddlAfter: result.sddlAfter, attempts: cas.attempts },
    });
    return result;
  }

  /** `fresh`: the target as just read; null when it no longer exists (its grants simply end). */
  private async removeGrantFromTarget(request: RequestEntity, target: StoredAccount, actor: string, fresh?: DirectoryObject | null): Promise<TargetResult> {
    return this.uow.run(async (m) => {
      await this.lockTarget(m, target.sid);
      const grants = m.getRepository(GrantEntity);
      const mine = await grants.find({ where: { requestId: request.id, targetSid: target.sid, state: 'active' } });
      if (mine.length === 0) return { target, status: 'unchanged', at: this.clock.nowIso() };
      const toRemove: string[] = [];
      for (const grant of mine) {
        const other = await grants.findOne({ where: { targetSid: target.sid, principalSid: grant.principalSid, state: 'active', requestId: Not(request.id) } });
        if (other) {
          // Another active grant still needs this ACE: keep it, and hand over its ownership.
          if (grant.aceAddedByService && !other.aceAddedByService) await grants.update({ id: other.id }, { aceAddedByService: true });
        } else if (grant.aceAddedByService) {
          toRemove.push(grant.principalSid);
        }
      }
      const cas = toRemove.length && fresh !== null
        ? await this.directory.updateRbcd(target, (current) => planRbcdChange('end-grant', current, toRemove).next, fresh ? { current: fresh.rbcd ?? null } : {})
        : { before: null, after: null, changed: false, attempts: 0 };
      const now = this.clock.nowIso();
      await grants.update({ id: In(mine.map((g) => g.id)) }, { state: 'ended', endedAt: now });
      const kept = mine.map((g) => g.principalSid).filter((sid) => !toRemove.includes(sid));
      await this.audit.append(m, {
        actor,
        type: 'directory.write',
        requestId: request.id,
        target: target.dn,
        data: { action: 'end-grant', changed: cas.changed, removed: toRemove, kept, sddlBefore: storedSddl(cas.before), sddlAfter: storedSddl(cas.after), ...(fresh === null ? { targetGone: true } : {}) },
      });
      return { target, status: toRemove.length ? 'removed' : 'kept', sddlBefore: storedSddl(cas.before), sddlAfter: storedSddl(cas.after), at: now };
    });
  }

  /**
   * Fresh copies of the targets (the attributes policy needs, and the stored value the first
   * compare-and-swap attempt starts from), in a few batched searches instead of one per target.
   */
  private async fetchTargets(targets: StoredAccount[]): Promise<Map<string, DirectoryObject>> {
    const found = new Map<string, DirectoryObject>();
    const byDomain = new Map<string, StoredAccount[]>();
    for (const t of targets) byDomain.set(t.domain, [...(byDomain.get(t.domain) ?? []), t]);
    for (const [domain, list] of byDomain) {
      for (let i = 0; i < list.length; i += FETCH_BATCH) {
        const filter = new OrFilter({ filters: list.slice(i, i + FETCH_BATCH).map((t) => binaryEquals('objectSid', sidToBytes(t.sid))) });
        for await (const object of this.directory.search(domain, undefined, { filter, attributes: [...ACCOUNT_ATTRIBUTES, RBCD_ATTRIBUTE] })) {
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
  private async recheckBuiltin(request: RequestEntity, fresh: Map<string, DirectoryObject>): Promise<Map<string, string | undefined>> {
    const principals = await Promise.all(request.principals.map((p) => this.directory.resolve(p.sid, { kind: 'principal', domain: p.domain })));
    const verdict = await this.guard.checkPrincipals(principals);
    if (verdict.refusals.length) throw new DomainError('POLICY_DENIED', verdict.refusals.join('; '), { reasons: verdict.refusals });
    const tier0Groups = new Map<string, string | undefined>();
    for (const [sid, target] of fresh) tier0Groups.set(sid, await this.guard.tier0Membership(target));
    return tier0Groups;
  }

  /** Policy is checked again right before the write, against the target as it is now. */
  private recheckPolicy(target: StoredAccount, fresh: DirectoryObject | undefined, tier0Group?: string): void {
    if (!fresh) throw new DomainError('TARGET_NOT_FOUND', `${target.samAccountName} (${target.sid}) no longer exists in ${target.domain}`);
    const decision = this.policy.evaluate(fresh, { tier0Group });
    if (!decision.allowed) throw new DomainError('POLICY_DENIED', `${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`, { reasons: decision.reasons });
  }

  private async failRequest(request: RequestEntity, results: TargetResult[], failed: { code: string; message: string }, error: unknown): Promise<void> {
    if (!(error instanceof DomainError)) this.logger.error({ err: error }, `apply of ${request.id} failed unexpectedly`);
    // Nothing half-written: take back what this request already put in force on other targets.
    if (request.action === 'grant') {
      for (const target of request.targets) {
        await this.removeGrantFromTarget(request, target, 'system').catch((e) => this.logger.error({ err: e }, `rollback on ${target.dn} failed`));
      }
    }
    const marked = results.map((r) => (r.status === 'applied' || r.status === 'unchanged' ? { ...r, status: 'pending' as const } : r));
    await this.uow.run(async (m) => {
      if (failed.code === 'POLICY_DENIED') {
        // Refused by the check just before the write: the same event as a refusal at request time.
        await this.audit.append(m, { actor: 'system', type: 'request.denied', requestId: request.id, data: { reasons: (error as DomainError).details?.reasons ?? [failed.message], at: 'write' } });
      }
      await this.setStatus(m, request, { status: 'failed', closedAt: this.clock.nowIso(), result: { targets: marked, error: failed } });
      await this.audit.append(m, { actor: 'system', type: 'request.failed', requestId: request.id, data: { error: failed, rolledBack: request.action === 'grant' } });
      await this.publish(m, 'request.failed', request);
    });
  }

  private async finishApplied(request: RequestEntity, results: TargetResult[]): Promise<void> {
    await this.uow.run(async (m) => {
      const now = this.clock.now();
      const expiresAt = request.durationSeconds ? new Date(now.getTime() + request.durationSeconds * 1000).toISOString() : request.expiresAt;
      if (expiresAt !== request.expiresAt) await m.getRepository(GrantEntity).update({ requestId: request.id }, { expiresAt });
      await this.setStatus(m, request, { status: 'applied', appliedAt: now.toISOString(), expiresAt, result: { targets: results } });
      await this.audit.append(m, { actor: 'system', type: 'request.applied', requestId: request.id, data: { expiresAt, targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) } });
      if (request.action === 'revoke') await this.closeEndedGrants(m, request);
      await this.publish(m, 'request.applied', request);
    });
  }

  /** Grant requests whose every grant this revoke-action request ended are now `revoked`. */
  private async closeEndedGrants(m: EntityManager, revoke: RequestEntity): Promise<void> {
    const grants = m.getRepository(GrantEntity);
    const touched = await grants.find({
      select: { requestId: true },
      where: { state: 'ended', targetSid: In(revoke.targets.map((t) => t.sid)), principalSid: In(revoke.principals.map((p) => p.sid.toUpperCase())) },
    });
    const ids = [...new Set(touched.map((g) => g.requestId))];
    if (ids.length === 0) return;
    const candidates = await m.getRepository(RequestEntity).find({ where: { id: In(ids), status: 'applied', action: 'grant' } });
    for (const request of candidates) {
      if ((await grants.count({ where: { requestId: request.id, state: 'active' } })) > 0) continue;
      await this.setStatus(m, request, { status: 'revoked', closedAt: this.clock.nowIso() });
      await this.audit.append(m, { actor: 'system', type: 'request.revoked', requestId: request.id, data: { by: 'revoke request' } });
    }
  }

  private async saveResult(request: RequestEntity, result: RequestResult): Promise<void> {
    await this.uow.run((m) => this.setStatus(m, request, { result }));
  }

  private async setStatus(m: EntityManager, request: RequestEntity, changes: Partial<RequestEntity>): Promise<void> {
    Object.assign(request, changes, { updatedAt: this.clock.nowIso() });
    const { version: _version, ...rest } = request;
    await m.getRepository(RequestEntity).update({ id: request.id }, rest);
  }

  private async lockTarget(m: EntityManager, sid: string): Promise<void> {
    if (this.uow.isPostgres) await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [sid.toUpperCase()]);
  }

  private publish(m: EntityManager, type: string, request: RequestEntity): Promise<void> {
    return this.events.publish(m, { type, id: `${type}:${request.id}`, at: this.clock.nowIso(), data: { requestId: request.id, request: toRequestView(request, []) } });
  }
}
