import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { TargetExpander } from '../delegations/target-expander';
import { toAccountRef } from '../directory/directory.types';
import { JobQueue } from '../jobs/job-queue.service';
import type { OwnerRequirement } from '../owners/owner.types';
import { PersonsService } from '../persons/persons.service';
import type { TimeDecision } from '../policy/time-policy';
import { RequestTimers } from '../timers/request-timers';
import {
  applyBreakGlassPolicy,
  assertShape,
  type CreateRequestInput,
  FilingPolicy,
  policyReasons,
} from './filing-policy';
import { PostHocReviews } from './post-hoc-reviews';
import { actorData } from './request-actors';
import { RequestClosing } from './request-closing';
import { RequestDecisions } from './request-decisions';
import { RequestLifecycle } from './request-lifecycle';
import { RequestEntity, type RequestStatus, type ReviewOutcome } from './request.entity';
import { RequestRepository } from './request.repository';
import { requestTag, tagMatches } from './request-tag';
import { toRequestView, type RequestView } from './request.view';
import { extensionVerdict, type ExtensionOf } from './time/extension-policy';

export type { CreateRequestInput } from './filing-policy';

export interface RequestFilter {
  status?: RequestStatus;
  target?: string;
  principal?: string;
  requester?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Requests as the transports see them: filing (with policy), reading, and the decisions and
 * endings, each done by its own class (RequestDecisions, RequestClosing, PostHocReviews) and
 * answered with the request as it is now.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rows: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly expander: TargetExpander,
    private readonly filing: FilingPolicy,
    private readonly decisions: RequestDecisions,
    private readonly closing: RequestClosing,
    private readonly reviews: PostHocReviews,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
    private readonly timers: RequestTimers,
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
    const facts = await this.filing.builtinFacts(input.action, targets, principals);
    const decision = this.filing.decide(input, targets, facts, now);
    if (input.emergency) applyBreakGlassPolicy(decision, facts.tier0Groups, input);
    if (input.action === 'adopt') await this.filing.assertStanding(targets, principals);
    const extended = extension ? extensionVerdict(extension, decision.durationMs ?? 0, decision.time, now) : null;
    if (extended?.reasons.length) {
      decision.allowed = false;
      decision.reasons.push(...extended.reasons);
    }
    const autoApproved = extended?.autoApprove === true;
    const owners = input.emergency
      ? { requirement: null, reasons: [] }
      : await this.filing.ownerRequirement(decision.decisions, [caller.person, requestedForPerson]);
    if (owners.reasons.length) {
      decision.allowed = false;
      decision.reasons.push(...owners.reasons);
    }
    if (!decision.allowed) {
      await this.audit.record({
        actor: caller.id,
        type: 'request.denied',
        target: auditTargets(targets),
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
          target: auditTargets(request.targets),
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

  /** The break-glass request is approved by its own filing: audited loudly, applied at once, announced to every approver. */
  private async breakGlassApproved(m: EntityManager, request: RequestEntity, caller: Principal): Promise<void> {
    await this.audit.append(m, {
      actor: caller.id,
      type: 'request.breakglass',
      requestId: request.id,
      target: auditTargets(request.targets),
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

  async get(id: string): Promise<RequestView> {
    return (await this.getIfChanged(id)).view as RequestView;
  }

  /**
   * The request's view and its entity tag (which changes whenever the view does: a write of its
   * row, an approval). When `knownTags` (an If-None-Match value) holds the current tag, the view is
   * neither loaded nor built: a client polling a large request pays for two small reads.
   */
  async getIfChanged(id: string, knownTags?: string): Promise<{ tag: string; view?: RequestView }> {
    if (knownTags) {
      const stamp = await this.rows.stamp(id);
      if (!stamp) throw new DomainError('REQUEST_NOT_FOUND', `No request ${id}`);
      const tag = requestTag(stamp.version, stamp.approvals);
      if (tagMatches(knownTags, tag)) return { tag };
    }
    const request = await this.rows.load(this.uow.manager, id);
    const approvals = await this.rows.approvals([id]);
    return { tag: requestTag(request.version, approvals.length), view: toRequestView(request, approvals) };
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
    await this.decisions.approve(id, caller, comment);
    return this.get(id);
  }

  async reject(id: string, caller: Principal, comment: string): Promise<RequestView> {
    await this.decisions.reject(id, caller, comment);
    return this.get(id);
  }

  async cancel(id: string, caller: Principal): Promise<RequestView> {
    await this.closing.cancel(id, caller);
    return this.get(id);
  }

  /** Ends an applied grant early: the same durable path as expiry, ending `revoked`. */
  async revoke(id: string, caller: Principal, comment?: string): Promise<RequestView> {
    await this.closing.revoke(id, caller, comment);
    return this.get(id);
  }

  /** The post-hoc review of a break-glass request (confirm, or revoke). */
  async review(id: string, caller: Principal, outcome: ReviewOutcome, comment: string): Promise<RequestView> {
    await this.reviews.review(id, caller, outcome, comment);
    return this.get(id);
  }

  /** Break-glass requests whose review is overdue and not yet escalated: escalated once each (audit, event). */
  escalateOverdueReviews(): Promise<number> {
    return this.reviews.escalateOverdueReviews();
  }

  private async findByIdempotencyKey(caller: Principal, key: string): Promise<RequestView | undefined> {
    const row = await this.rows.findByIdempotencyKey(caller.id, key);
    return row ? this.get(row.id) : undefined;
  }
}

/** The audit event's target column: the targets' DNs, within the column's 1,024 characters. */
function auditTargets(targets: readonly { dn: string }[]): string {
  return targets
    .map((t) => t.dn)
    .join('; ')
    .slice(0, 1024);
}
