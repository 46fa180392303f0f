import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { hasRole, identityKey, type Principal } from '../auth/roles';
import { assertRecentSignIn } from '../auth/step-up';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DomainError } from '../common/errors/domain-error';
import { parseIsoDuration } from '../common/iso-duration';
import { UnitOfWork } from '../database/unit-of-work';
import { TargetExpander, type TargetSearch } from '../delegations/target-expander';
import { toAccountRef, type DirectoryObject } from '../directory/directory.types';
import { JobQueue } from '../jobs/job-queue.service';
import { OwnersService } from '../owners/owners.service';
import type { OwnerRequirement, TargetOwners } from '../owners/owner.types';
import { quorumStatus } from '../owners/quorum';
import { personLabel, type Person } from '../persons/person';
import { PersonsService } from '../persons/persons.service';
import { BuiltinGuard } from '../policy/builtin-guard.service';
import { neverTargetReason, PolicyService, protectedReason } from '../policy/policy.service';
import type { PolicyDecision } from '../policy/policy.types';
import { strictest, type TimeDecision } from '../policy/time-policy';
import { RequestTimers } from '../timers/request-timers';
import { assertTransition } from './request-state';
import { extensionVerdict, type ExtensionOf } from './time/extension-policy';
import { readStartsAt } from './time/schedule';
import { StandingService } from '../standing/standing.service';
import {
  type PostHocReview,
  RequestEntity,
  type RequestAction,
  type RequestStatus,
  type ReviewOutcome,
} from './request.entity';
import { RequestLifecycle } from './request-lifecycle';
import { RequestRepository } from './request.repository';
import { countedApproval, toRequestView, type RequestView } from './request.view';

export interface CreateRequestInput {
  action: RequestAction;
  targets?: string[];
  targetSearch?: TargetSearch;
  principals: string[];
  justification: string;
  ticket?: { system: string; id: string; url?: string };
  duration?: string;
  expiresAt?: string;
  /** A grant applied later (status `scheduled` once approved); its duration counts from the real apply. */
  startsAt?: string;
  requestedFor?: string;
  /** adopt: no expiry; the entries stay managed until revoked (access reviews look at them again). */
  standing?: boolean;
  /** Break-glass (issue 14): applies at once without approvals; filed through BreakGlassService. */
  emergency?: boolean;
  /** adopt (filed by an access review's keep): when the adopted entries are to be reviewed again. */
  nextReviewAt?: string;
}

export interface RequestFilter {
  status?: RequestStatus;
  target?: string;
  principal?: string;
  requester?: string;
  limit?: number;
  cursor?: string;
}

/** The request lifecycle: create (with policy), approve with quorum, reject, cancel, revoke. */
@Injectable()
export class RequestsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rows: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly expander: TargetExpander,
    private readonly policy: PolicyService,
    private readonly guard: BuiltinGuard,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
    private readonly owners: OwnersService,
    private readonly timers: RequestTimers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly standing: StandingService,
  ) {}

  /** Files a request; `extension`: an extension of that grant (ExtensionsService.extend files it). */
  async create(
    input: CreateRequestInput,
    caller: Principal,
    idempotencyKey?: string,
    extension?: ExtensionOf,
  ): Promise<RequestView> {
    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(caller, idempotencyKey);
      if (existing) return existing;
    }
    if (input.requestedFor && !caller.mayActOnBehalf && !extension) {
      throw new DomainError(
        'FORBIDDEN',
        'This credential may not file requests on behalf of someone else (requestedFor)',
      );
    }
    if (!input.justification?.trim()) throw new DomainError('VALIDATION_FAILED', 'justification is required');
    assertShape(input, caller);
    // requestedFor names a person: exactly one AD user, or 422 PERSON_NOT_RESOLVED.
    const requestedForPerson = extension
      ? extension.original.requestedForPerson
      : input.requestedFor
        ? await this.persons.resolveUser(input.requestedFor)
        : null;
    const [targets, principals] = await Promise.all([
      // An adoption reads each target's RBCD value: only entries in force can be adopted.
      this.expander.targets(input, { withRbcd: input.action === 'adopt' }),
      this.expander.principals(input.principals),
    ]);
    const now = this.clock.now();
    const facts = await this.builtinFacts(input.action, targets, principals);
    const decision = this.decide(input, targets, facts, now);
    if (input.emergency) applyBreakGlassPolicy(decision, facts.tier0Groups, input);
    if (input.action === 'adopt') await this.assertStanding(targets, principals);
    const extended = extension ? extensionVerdict(extension, decision.durationMs ?? 0, decision.time, now) : null;
    if (extended?.reasons.length) {
      decision.allowed = false;
      decision.reasons.push(...extended.reasons);
    }
    const autoApproved = extended?.autoApprove === true;
    const owners = input.emergency
      ? { requirement: null, reasons: [] }
      : await this.ownerRequirement(decision.decisions, [caller.person, requestedForPerson]);
    if (owners.reasons.length) {
      decision.allowed = false;
      decision.reasons.push(...owners.reasons);
    }
    if (!decision.allowed) {
      await this.audit.record({
        actor: caller.id,
        type: 'request.denied',
        target: targets
          .map((t) => t.dn)
          .join('; ')
          .slice(0, 1024),
        data: {
          action: input.action,
          principals: principals.map((p) => p.sid),
          reasons: decision.reasons,
          ...actorData(caller),
        },
      });
      throw new DomainError('POLICY_DENIED', decision.reasons.join('; '), { reasons: decision.reasons });
    }
    const request: RequestEntity = Object.assign(new RequestEntity(), {
      id: randomUUID(),
      // A break-glass request is born approved: it applies at once, and is reviewed afterwards; so is
      // an extension within autoApproveExtensions.
      status: input.emergency || autoApproved ? ('approved' as const) : ('pending' as const),
      action: input.action,
      targets: targets.map(toAccountRef),
      principals: principals.map(toAccountRef),
      requester: caller.id,
      requesterName: caller.name,
      requestedFor: extension ? extension.original.requestedFor : (input.requestedFor ?? null),
      requesterVia: caller.via,
      requesterPerson: caller.person ?? null,
      requestedForPerson,
      ownerApprovals: owners.requirement,
      justification: input.justification.trim(),
      ticket: input.ticket ?? null,
      durationSeconds: decision.durationMs ? Math.ceil(decision.durationMs / 1000) : null,
      // An extension shows the expiry it would give the grant (moved from the grant's current one).
      expiresAt: extended
        ? extended.expiresAt.toISOString()
        : decision.durationMs
          ? new Date((decision.startsAt ?? now).getTime() + decision.durationMs).toISOString()
          : null,
      startsAt: decision.startsAt?.toISOString() ?? null,
      extendsRequestId: extension?.original.id ?? null,
      mergedInto: null,
      requiredApprovals: autoApproved ? 0 : decision.requiredApprovals,
      result: null,
      idempotencyKey: idempotencyKey ?? null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      appliedAt: null,
      closedAt: null,
      emergency: input.emergency === true,
      reviewDueAt: decision.reviewWithinMs ? new Date(now.getTime() + decision.reviewWithinMs).toISOString() : null,
      review: null,
      escalatedAt: null,
      nextReviewAt: input.action === 'adopt' ? (input.nextReviewAt ?? null) : null,
    });
    try {
      await this.uow.run(async (m) => {
        await this.rows.insert(m, request);
        await this.audit.append(m, {
          actor: caller.id,
          type: 'request.created',
          requestId: request.id,
          target: request.targets
            .map((t) => t.dn)
            .join('; ')
            .slice(0, 1024),
          data: {
            action: request.action,
            principals: request.principals.map((p) => p.sid),
            justification: request.justification,
            ticket: request.ticket,
            expiresAt: request.expiresAt,
            startsAt: request.startsAt,
            extends: request.extendsRequestId,
            requestedFor: request.requestedFor,
            requestedForSid: requestedForPerson?.sid ?? null,
            owners:
              owners.requirement?.targets.map((t) => ({
                target: t.target.dn,
                required: t.required,
                owners: t.owners.map((o) => o.dn),
                noOwner: t.noOwner,
              })) ?? null,
            ...(request.action === 'adopt'
              ? { standing: request.expiresAt === null, removeOnEnd: true, writesToDirectory: false }
              : {}),
            ...actorData(caller),
          },
        });
        if (request.emergency) {
          await this.breakGlassApproved(m, request, caller);
          return;
        }
        // Owners first: their notification is queued before the general one.
        if (owners.requirement?.targets.some((t) => t.required > 0))
          await this.publishOwnersNeeded(m, request, owners.requirement);
        // The policy's reasons travel with the new request: a Teams card shows them to the approvers.
        await this.lifecycle.announce(m, request, 'request.created', {
          policy: { reasons: policyReasons(decision.decisions), requiredApprovals: request.requiredApprovals },
        });
        if (autoApproved) await this.autoApprove(m, request, extension as ExtensionOf, decision.time);
        else await this.timers.pending(m, request, decision.time, decision.timeRule);
      });
    } catch (error) {
      // Two concurrent creates with one idempotency key: the unique index lets one win.
      if (idempotencyKey) {
        const existing = await this.findByIdempotencyKey(caller, idempotencyKey);
        if (existing) return existing;
      }
      throw error;
    }
    return toRequestView(request, []);
  }

  /** An extension within autoApproveExtensions: approved by the policy, applied like any approval. */
  private async autoApprove(
    m: EntityManager,
    request: RequestEntity,
    extension: ExtensionOf,
    time: TimeDecision,
  ): Promise<void> {
    await this.audit.append(m, {
      actor: 'system',
      type: 'request.approved',
      requestId: request.id,
      data: {
        autoApproved: true,
        extends: extension.original.id,
        extension: extension.priorAutoApproved + 1,
        autoApproveExtensions: time.autoApproveExtensions,
      },
    });
    await this.jobs.enqueue(m, { kind: 'apply', requestId: request.id, dedupeKey: `apply:${request.id}` });
    await this.lifecycle.announce(m, request, 'request.approved');
  }

  async get(id: string): Promise<RequestView> {
    const request = await this.load(this.uow.manager, id);
    return toRequestView(request, await this.rows.approvals([id]));
  }

  async list(filter: RequestFilter): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    let after: { createdAt: string; id: string } | undefined;
    if (filter.cursor) {
      const [createdAt, id] = Buffer.from(filter.cursor, 'base64url').toString().split('|');
      if (!createdAt || !id) throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
      after = { createdAt, id };
    }
    const rows = await this.rows.list({
      status: filter.status,
      requester: filter.requester,
      target: filter.target,
      principal: filter.principal,
      after,
      limit,
    });
    const page = rows.slice(0, limit);
    const approvals = await this.rows.approvals(page.map((r) => r.id));
    const last = page[page.length - 1];
    return {
      items: page.map((r) =>
        toRequestView(
          r,
          approvals.filter((a) => a.requestId === r.id),
        ),
      ),
      nextCursor:
        rows.length > limit && last ? Buffer.from(`${last.createdAt}|${last.id}`).toString('base64url') : null,
    };
  }

  async approve(id: string, caller: Principal, comment?: string): Promise<RequestView> {
    assertRecentSignIn(caller, this.config.oidc, this.clock.now().getTime());
    const ownerOf = await this.assertMayDecide(id, caller, 'approve');
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      assertTransition(id, request.status, 'approved', 'approved');
      assertNotOwnRequest(request, caller);
      const key = identityKey(caller);
      const earlier = await this.rows.earlierApproval(m, id, key, caller.id);
      if (earlier) {
        const channel =
          earlier.approver === caller.id
            ? ''
            : ` (through ${earlier.via ?? 'another channel'}: one person is one approver)`;
        throw new DomainError(
          'DUPLICATE_APPROVAL',
          `${callerLabel(caller)} has already approved request ${id}${channel}; another approver is needed`,
        );
      }
      const now = this.clock.nowIso();
      await this.rows.insertApproval(m, {
        id: randomUUID(),
        requestId: id,
        approver: caller.id,
        approverName: caller.name,
        decision: 'approve',
        comment: comment ?? null,
        createdAt: now,
        via: caller.via,
        person: caller.person ?? null,
        personKey: key,
        ownerOf,
      });
      const all = await this.rows.approvalsGiven(m, id);
      const quorum = quorumStatus(request.requiredApprovals, request.ownerApprovals, all.map(countedApproval));
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.approval',
        requestId: id,
        data: {
          comment: comment ?? null,
          approvals: quorum.approvers,
          required: request.requiredApprovals,
          ownerOf,
          missing: quorum.missing,
          ...actorData(caller),
        },
      });
      if (!quorum.met) {
        await this.rows.update(m, request, {});
        return;
      }
      // A start still ahead waits `scheduled`: the apply job is the durable timer, due at startsAt.
      const startsAt = request.startsAt && Date.parse(request.startsAt) > this.clock.now().getTime();
      await this.lifecycle.transition(m, request, startsAt ? 'scheduled' : 'approved', {
        actor: caller.id,
        audit: 'request.approved',
        data: { approvals: quorum.approvers, startsAt: request.startsAt, ...actorData(caller) },
        eventData: { decision: { by: caller.name, comment: comment ?? null } },
      });
      await this.jobs.enqueue(m, {
        kind: 'apply',
        requestId: id,
        dedupeKey: `apply:${id}`,
        ...(startsAt ? { runAt: new Date(request.startsAt as string) } : {}),
      });
      if (startsAt) {
        await this.audit.append(m, {
          actor: 'system',
          type: 'request.scheduled',
          requestId: id,
          data: { startsAt: request.startsAt },
        });
        await this.lifecycle.announce(m, request, 'request.scheduled');
      }
    });
    return this.get(id);
  }

  async reject(id: string, caller: Principal, comment: string): Promise<RequestView> {
    const ownerOf = await this.assertMayDecide(id, caller, 'reject');
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      assertTransition(id, request.status, 'rejected', 'rejected');
      if (isRequester(request, caller))
        throw new DomainError('SELF_APPROVAL', 'Cancel your own request instead of rejecting it');
      const now = this.clock.nowIso();
      await this.rows.insertApproval(m, {
        id: randomUUID(),
        requestId: id,
        approver: caller.id,
        approverName: caller.name,
        decision: 'reject',
        comment,
        createdAt: now,
        via: caller.via,
        person: caller.person ?? null,
        // A rejection closes the request; its key never collides with an approval of the same person.
        personKey: `reject:${identityKey(caller)}`,
        ownerOf,
      });
      await this.lifecycle.transition(
        m,
        request,
        'rejected',
        {
          actor: caller.id,
          audit: 'request.rejected',
          data: { comment, ownerOf, ...actorData(caller) },
          eventData: { decision: { by: caller.name, comment } },
        },
        { closedAt: now },
      );
    });
    return this.get(id);
  }

  async cancel(id: string, caller: Principal): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      const forThem = request.requestedForPerson !== null && request.requestedForPerson.key === identityKey(caller);
      if (!isRequester(request, caller) && !forThem && !caller.roles.includes('admin')) {
        throw new DomainError(
          'FORBIDDEN',
          'Only the requester, the person it was filed for, or an admin may cancel a request',
        );
      }
      assertTransition(id, request.status, 'cancelled', 'cancelled');
      await this.lifecycle.transition(
        m,
        request,
        'cancelled',
        { actor: caller.id, audit: 'request.cancelled', data: actorData(caller) },
        { closedAt: this.clock.nowIso() },
      );
    });
    return this.get(id);
  }

  /**
   * Approvers decide any request; an owner (the caller's person owns a target of the request) decides
   * it too, without the approver role. Returns the SIDs of the targets the caller owns. The look-up
   * runs before the transaction (LDAP is never called with a row lock held).
   */
  private async assertMayDecide(id: string, caller: Principal, what: 'approve' | 'reject'): Promise<string[]> {
    const request = await this.load(this.uow.manager, id);
    const ownerOf = await this.owners.ownedTargets(caller.person, request.ownerApprovals);
    if (!hasRole(caller, ['approver']) && ownerOf.length === 0) {
      throw new DomainError('FORBIDDEN', `Only approvers, or owners of a target of request ${id}, may ${what} it`);
    }
    return ownerOf;
  }

  /**
   * The owner approvals each target needs, from the rules that say `approvers: {owners: N}`. The
   * requester's own person (and the person it is filed for) is never counted as an owner: a target
   * only they own counts as one nobody owns (noOwner decides).
   */
  private async ownerRequirement(
    decisions: { target: DirectoryObject; decision: PolicyDecision }[],
    excluded: (Person | null | undefined)[],
  ): Promise<{ requirement: OwnerRequirement | null; reasons: string[] }> {
    const covered = decisions.filter((d) => (d.decision.approvers?.owners ?? 0) > 0);
    if (covered.length === 0) return { requirement: null, reasons: [] };
    const excludedSids = new Set(excluded.flatMap((p) => (p?.sid ? [p.sid.toUpperCase()] : [])));
    const found = await this.owners.ownersOfAll(covered.map((d) => d.target));
    const reasons: string[] = [];
    const targets = covered.map(({ target, decision }, i): TargetOwners => {
      const owners = found[i].filter((o) => o.isGroup || !excludedSids.has(o.sid));
      const ref = { dn: target.dn, sid: target.sid, samAccountName: target.samAccountName };
      if (owners.length > 0) return { target: ref, required: decision.approvers?.owners ?? 0, owners, noOwner: null };
      const noOwner = decision.noOwner ?? 'deny';
      const why = found[i].length
        ? 'its only owner is the requester'
        : 'nobody owns it (no managedBy, no OU owner group)';
      if (noOwner === 'deny') reasons.push(`${target.samAccountName}: ${why} and the policy rule says noOwner: deny`);
      return { target: ref, required: 0, owners: [], noOwner };
    });
    return { requirement: { targets }, reasons };
  }

  private async publishOwnersNeeded(
    m: EntityManager,
    request: RequestEntity,
    requirement: OwnerRequirement,
  ): Promise<void> {
    const type = 'request.owner_approval_needed';
    const owners = requirement.targets
      .filter((t) => t.required > 0)
      .map((t) => ({
        target: t.target,
        required: t.required,
        owners: t.owners.map((o) => ({ source: o.source, dn: o.dn, name: o.name, isGroup: o.isGroup })),
      }));
    await this.lifecycle.announce(m, request, type, { owners });
  }

  /** Ends an applied grant early: the same durable path as expiry, ending `revoked`. */
  async revoke(id: string, caller: Principal, comment?: string): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      if (request.action === 'revoke')
        throw new DomainError(
          'INVALID_STATE',
          'Only a grant or an adoption can be revoked; file a revoke request to remove other entries',
        );
      if (request.mergedInto)
        throw new DomainError(
          'INVALID_STATE',
          `Request ${id} extended the grant of request ${request.mergedInto}: revoke that one`,
        );
      assertTransition(id, request.status, 'revoked', 'revoked');
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.revoke-requested',
        requestId: id,
        data: { comment: comment ?? null },
      });
      await this.jobs.enqueue(m, {
        kind: 'end-grant',
        requestId: id,
        payload: { reason: 'revoked', actor: caller.id },
        dedupeKey: `end-grant:${id}`,
      });
      await this.rows.update(m, request, {});
    });
    return this.get(id);
  }

  /**
   * An adoption names entries in force now that no active grant covers (standing entries): anything
   * else is ENTRY_NOT_STANDING, naming each missing pair. Read before any transaction.
   */
  private async assertStanding(targets: DirectoryObject[], principals: DirectoryObject[]): Promise<void> {
    const missing: string[] = [];
    for (const target of targets) {
      const found = await this.standing.find(
        target,
        principals.map((p) => p.sid),
      );
      for (const principal of principals) {
        const entry = found.get(principal.sid.toUpperCase());
        if (!entry)
          missing.push(`${principal.samAccountName} -> ${target.samAccountName}: not in force, or already managed`);
        else if (!entry.effective)
          missing.push(
            `${principal.samAccountName} -> ${target.samAccountName}: the entry is not effective (the KDC ignores it)`,
          );
      }
    }
    if (missing.length)
      throw new DomainError('ENTRY_NOT_STANDING', `Only standing entries can be adopted: ${missing.join('; ')}`, {
        entries: missing,
      });
  }

  /** The break-glass request is approved by its own filing: audited loudly, applied at once, announced to every approver. */
  private async breakGlassApproved(m: EntityManager, request: RequestEntity, caller: Principal): Promise<void> {
    await this.audit.append(m, {
      actor: caller.id,
      type: 'request.breakglass',
      requestId: request.id,
      target: request.targets
        .map((t) => t.dn)
        .join('; ')
        .slice(0, 1024),
      data: {
        emergency: true,
        justification: request.justification,
        ticket: request.ticket,
        expiresAt: request.expiresAt,
        reviewDueAt: request.reviewDueAt,
        ...actorData(caller),
      },
    });
    await this.audit.append(m, {
      actor: caller.id,
      type: 'request.approved',
      requestId: request.id,
      data: { approvals: [], breakGlass: true, ...actorData(caller) },
    });
    await this.jobs.enqueue(m, { kind: 'apply', requestId: request.id, dedupeKey: `apply:${request.id}` });
    await this.lifecycle.announce(m, request, 'request.breakglass');
  }

  /**
   * The post-hoc review of a break-glass request: an approver (never its requester) confirms it or
   * revokes it; revoke ends the grant through the same durable path as any revoke (at once when it
   * is applied; right after the apply when that is still running). Reviewed once.
   */
  async review(id: string, caller: Principal, outcome: ReviewOutcome, comment: string): Promise<RequestView> {
    if (!comment?.trim()) throw new DomainError('VALIDATION_FAILED', 'comment is required');
    if (!hasRole(caller, ['approver']))
      throw new DomainError('FORBIDDEN', 'Only approvers review break-glass requests');
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      if (!request.emergency)
        throw new DomainError(
          'INVALID_STATE',
          `Request ${id} is not a break-glass request: there is nothing to review`,
        );
      if (request.review)
        throw new DomainError('INVALID_STATE', `Request ${id} was already reviewed (${request.review.outcome})`, {
          review: request.review,
        });
      if (isRequester(request, caller))
        throw new DomainError('SELF_APPROVAL', 'The break-glass user cannot review their own request');
      const now = this.clock.nowIso();
      const review: PostHocReview = {
        outcome,
        comment: comment.trim(),
        reviewer: caller.id,
        reviewerName: caller.name,
        at: now,
      };
      await this.rows.update(m, request, { review });
      await this.audit.append(m, {
        actor: caller.id,
        type: 'request.reviewed',
        requestId: id,
        data: {
          outcome,
          comment: review.comment,
          overdue: request.reviewDueAt !== null && request.reviewDueAt < now,
          ...actorData(caller),
        },
      });
      if (outcome === 'revoke' && request.status === 'applied') {
        assertTransition(id, request.status, 'revoked', 'revoked');
        await this.audit.append(m, {
          actor: caller.id,
          type: 'request.revoke-requested',
          requestId: id,
          data: { comment: review.comment, by: 'review' },
        });
        await this.jobs.enqueue(m, {
          kind: 'end-grant',
          requestId: id,
          payload: { reason: 'revoked', actor: caller.id },
          dedupeKey: `end-grant:${id}`,
        });
      }
      await this.lifecycle.announce(m, request, 'request.reviewed');
    });
    return this.get(id);
  }

  /** Break-glass requests whose review is overdue and not yet escalated: escalated once each (audit, event). */
  async escalateOverdueReviews(): Promise<number> {
    const now = this.clock.nowIso();
    const due = await this.rows.overdueReviews(now, 200);
    let escalated = 0;
    for (const candidate of due) {
      await this.uow.run(async (m) => {
        const request = await this.load(m, candidate.id, true);
        if (request.review || request.escalatedAt) return;
        await this.rows.update(m, request, { escalatedAt: now });
        await this.audit.append(m, {
          actor: 'system',
          type: 'request.breakglass-escalated',
          requestId: request.id,
          data: { reviewDueAt: request.reviewDueAt, requester: request.requester },
        });
        await this.lifecycle.announce(m, request, 'request.breakglass.escalated');
        escalated++;
      });
    }
    return escalated;
  }

  /** What the built-in policy needs from the directory: principal refusals, targets' Tier 0 groups. */
  private async builtinFacts(action: RequestAction, targets: DirectoryObject[], principals: DirectoryObject[]) {
    if (action === 'revoke') return { refusals: [] as string[], tier0Groups: new Map<string, string | undefined>() };
    const verdict = await this.guard.checkPrincipals(principals);
    const tier0Groups = new Map<string, string | undefined>();
    for (const target of targets) tier0Groups.set(target.sid, await this.guard.tier0Membership(target));
    return { refusals: verdict.refusals, tier0Groups };
  }

  private decide(
    input: CreateRequestInput,
    targets: DirectoryObject[],
    facts: { refusals: string[]; tier0Groups: Map<string, string | undefined> },
    now: Date,
  ) {
    const decisions = targets.map((t) => ({
      target: t,
      decision: this.policy.evaluate(t, { tier0Group: facts.tier0Groups.get(t.sid) }),
    }));
    const reasons: string[] = [];
    let allowed = true;
    // An adoption is judged as a grant of the same entries: adopting must not launder an entry that
    // policy would refuse into a sanctioned one (remove it instead).
    const grantLike = input.action === 'grant' || input.action === 'adopt';
    if (grantLike) {
      if (facts.refusals.length) {
        allowed = false;
        reasons.push(...facts.refusals);
      }
      for (const { target, decision } of decisions) {
        if (!decision.allowed) {
          allowed = false;
          reasons.push(`${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`);
        }
      }
    }
    const requiredApprovals = Math.max(...decisions.map((d) => d.decision.requiredApprovals));
    const time = strictest(decisions.map((d) => d.decision.time));
    const timeRule = decisions.find((d) => d.decision.time.escalates)?.decision.rule ?? null;
    const schedule = readStartsAt(input.startsAt, input.action, now, time.maxLeadTimeMs);
    const startsAt = schedule.startsAt;
    if (schedule.reasons.length) {
      allowed = false;
      reasons.push(...schedule.reasons);
    }
    let durationMs: number | null = null;
    let reviewWithinMs: number | null = null;
    if (input.emergency) {
      const windows = decisions.map((d) => d.decision.breakGlass?.reviewWithinMs ?? 0).filter((ms) => ms > 0);
      reviewWithinMs = windows.length ? Math.min(...windows) : null;
    }
    if (input.action === 'adopt' && input.standing) {
      if (input.duration || input.expiresAt)
        throw new DomainError('VALIDATION_FAILED', 'Give standing: true or a duration (or expiresAt), not both');
    } else if (grantLike) {
      const maxMs = input.emergency
        ? Math.min(...decisions.map((d) => d.decision.breakGlass?.maxDurationMs ?? 0))
        : Math.min(...decisions.map((d) => d.decision.maxDurationMs));
      if (input.duration && input.expiresAt)
        throw new DomainError('VALIDATION_FAILED', 'Give duration or expiresAt, not both');
      if (input.duration) {
        durationMs = parseIsoDuration(input.duration) ?? null;
        if (!durationMs)
          throw new DomainError(
            'VALIDATION_FAILED',
            `duration "${input.duration}" is not an ISO 8601 duration such as PT8H`,
          );
      } else if (input.expiresAt) {
        const at = Date.parse(input.expiresAt);
        if (Number.isNaN(at)) throw new DomainError('VALIDATION_FAILED', 'expiresAt is not an ISO 8601 date-time');
        durationMs = at - (startsAt ?? now).getTime();
        if (durationMs <= 0)
          throw new DomainError(
            'VALIDATION_FAILED',
            startsAt ? 'expiresAt is before startsAt' : 'expiresAt is in the past',
          );
      } else {
        durationMs = input.emergency ? maxMs : Math.min(...decisions.map((d) => d.decision.defaultDurationMs));
      }
      if (durationMs > maxMs && maxMs > 0) {
        allowed = false;
        reasons.push(`the requested duration exceeds the policy maximum of ${Math.round(maxMs / 60_000)} minutes`);
      }
      if (decisions.some((d) => d.decision.requireTicket) && !input.ticket) {
        allowed = false;
        reasons.push('the policy requires a ticket reference for these targets');
      }
    }
    return { allowed, reasons, requiredApprovals, durationMs, reviewWithinMs, decisions, startsAt, time, timeRule };
  }

  private async findByIdempotencyKey(caller: Principal, key: string): Promise<RequestView | undefined> {
    const row = await this.rows.findByIdempotencyKey(caller.id, key);
    return row ? this.get(row.id) : undefined;
  }

  private async load(m: EntityManager, id: string, forUpdate = false): Promise<RequestEntity> {
    const request = forUpdate ? await this.rows.lock(m, id) : await this.rows.find(id, m);
    if (!request) throw new DomainError('REQUEST_NOT_FOUND', `No request ${id}`);
    return request;
  }
}

/** What the policy said of each target (the rule that matched and its terms), for the approvers. */
function policyReasons(decisions: { target: DirectoryObject; decision: { reasons: string[] } }[]): string[] {
  return [...new Set(decisions.map((d) => `${d.target.samAccountName}: ${d.decision.reasons.join('; ')}`))];
}

/** Who acted, for the audit: the person (UPN, SID) and the channel, next to the credential id in `actor`. */
function actorData(caller: Principal): { person: string | null; personSid: string | null; via: string } {
  return {
    person: caller.person ? personLabel(caller.person) : null,
    personSid: caller.person?.sid ?? null,
    via: caller.via,
  };
}

function callerLabel(caller: Principal): string {
  return caller.person ? personLabel(caller.person) : caller.name;
}

/** The request was filed by this person (through any channel), or by this very credential. */
export function isRequester(request: RequestEntity, caller: Principal): boolean {
  return request.requester === caller.id || (request.requesterPerson?.key ?? request.requester) === identityKey(caller);
}

/** Nobody approves their own request, through any channel, nor one filed on their behalf. */
function assertNotOwnRequest(request: RequestEntity, caller: Principal): void {
  const forThem = request.requestedForPerson
    ? request.requestedForPerson.key === identityKey(caller)
    : request.requestedFor !== null && [caller.id, caller.name].includes(request.requestedFor);
  if (isRequester(request, caller) || forThem) {
    throw new DomainError(
      'SELF_APPROVAL',
      'Nobody approves their own request (nor one filed on their behalf), whatever channel they use',
    );
  }
}

/** Shapes the transports cannot express: what an adoption and a break-glass request may carry. */
function assertShape(input: CreateRequestInput, caller: Principal): void {
  if (input.standing && input.action !== 'adopt')
    throw new DomainError('VALIDATION_FAILED', 'standing: true is for adopt requests only');
  if (!input.emergency) return;
  if (!caller.roles.includes('breakglass') && !caller.roles.includes('admin'))
    throw new DomainError('FORBIDDEN', 'Break-glass needs the breakglass role');
  if (input.action !== 'grant') throw new DomainError('VALIDATION_FAILED', 'Break-glass files grants only');
  if (!input.ticket?.id?.trim())
    throw new DomainError('VALIDATION_FAILED', 'Break-glass needs a ticket (the incident it is for)');
  if (input.requestedFor)
    throw new DomainError('VALIDATION_FAILED', 'Break-glass is filed by the person who needs it (no requestedFor)');
}

/**
 * Break-glass on top of the ordinary decision: every target needs a rule that says breakGlass.allowed,
 * and Tier 0 (DCs, krbtgt, adminCount=1, Tier 0 groups) is refused even where a rule names the object.
 */
function applyBreakGlassPolicy(
  decision: { allowed: boolean; reasons: string[]; decisions: { target: DirectoryObject; decision: PolicyDecision }[] },
  tier0Groups: Map<string, string | undefined>,
  input: CreateRequestInput,
): void {
  for (const { target, decision: d } of decision.decisions) {
    const tier0 = neverTargetReason(target) ?? protectedReason(target, tier0Groups.get(target.sid));
    if (tier0) {
      decision.allowed = false;
      decision.reasons.push(`${target.samAccountName}: ${tier0}: break-glass never applies to Tier 0`);
    } else if (!d.breakGlass?.allowed) {
      decision.allowed = false;
      decision.reasons.push(`${target.samAccountName}: no policy rule allows break-glass here`);
    }
  }
  if (!input.ticket) decision.allowed = false;
}
