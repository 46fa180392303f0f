import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { parseIsoDuration } from '../common/iso-duration';
import { UnitOfWork } from '../database/unit-of-work';
import { TargetExpander, type TargetSearch } from '../delegations/target-expander';
import type { DirectoryObject } from '../directory/directory.types';
import { JobQueue } from '../jobs/job-queue.service';
import { EventPublisher } from '../notifications/event-publisher';
import { PolicyService } from '../policy/policy.service';
import { ApprovalEntity } from './approval.entity';
import { assertTransition } from './request-state';
import { RequestEntity, type RequestAction, type RequestStatus, type StoredAccount } from './request.entity';
import { toRequestView, type RequestView } from './request.view';

export interface CreateRequestInput {
  action: RequestAction;
  targets?: string[];
  targetSearch?: TargetSearch;
  principals: string[];
  justification: string;
  ticket?: { system: string; id: string; url?: string };
  duration?: string;
  expiresAt?: string;
  requestedFor?: string;
}

export interface RequestFilter {
  status?: RequestStatus;
  target?: string;
  principal?: string;
  requester?: string;
  limit?: number;
  cursor?: string;
}

export function toStoredAccount(object: DirectoryObject): StoredAccount {
  return { dn: object.dn, sid: object.sid, samAccountName: object.samAccountName, domain: object.domain, dnsHostName: object.dnsHostName ?? null };
}

/** The request lifecycle: create (with policy), approve with quorum, reject, cancel, revoke. */
@Injectable()
export class RequestsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly expander: TargetExpander,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateRequestInput, caller: Principal, idempotencyKey?: string): Promise<RequestView> {
    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(caller, idempotencyKey);
      if (existing) return existing;
    }
    if (input.requestedFor && !caller.mayActOnBehalf) {
      throw new DomainError('FORBIDDEN', 'This credential may not file requests on behalf of someone else (requestedFor)');
    }
    if (!input.justification?.trim()) throw new DomainError('VALIDATION_FAILED', 'justification is required');
    const [targets, principals] = await Promise.all([this.expander.targets(input), this.expander.principals(input.principals)]);
    const now = this.clock.now();
    const decision = this.decide(input, targets, principals, now);
    if (!decision.allowed) {
      await this.audit.record({
        actor: caller.id,
        type: 'request.denied',
        target: targets.map((t) => t.dn).join('; ').slice(0, 1024),
        data: { action: input.action, principals: principals.map((p) => p.sid), reasons: decision.reasons },
      });
      throw new DomainError('POLICY_DENIED', decision.reasons.join('; '), { reasons: decision.reasons });
    }
    const request: RequestEntity = Object.assign(new RequestEntity(), {
      id: randomUUID(),
      status: 'pending' as const,
      action: input.action,
      targets: targets.map(toStoredAccount),
      principals: principals.map(toStoredAccount),
      requester: caller.id,
      requesterName: caller.name,
      requestedFor: input.requestedFor ?? null,
      justification: input.justification.trim(),
      ticket: input.ticket ?? null,
      durationSeconds: decision.durationMs ? Math.ceil(decision.durationMs / 1000) : null,
      expiresAt: decision.durationMs ? new Date(now.getTime() + decision.durationMs).toISOString() : null,
      requiredApprovals: decision.requiredApprovals,
      result: null,
      idempotencyKey: idempotencyKey ?? null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      appliedAt: null,
      closedAt: null,
    });
    try {
      await this.uow.run(async (m) => {
        await m.getRepository(RequestEntity).insert(request);
        await this.audit.append(m, {
          actor: caller.id,
          type: 'request.created',
          requestId: request.id,
          target: request.targets.map((t) => t.dn).join('; ').slice(0, 1024),
          data: { action: request.action, principals: request.principals.map((p) => p.sid), justification: request.justification, ticket: request.ticket, expiresAt: request.expiresAt, requestedFor: request.requestedFor },
        });
        await this.publish(m, 'request.created', request);
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

  async get(id: string): Promise<RequestView> {
    const request = await this.load(this.uow.manager, id);
    const approvals = await this.uow.manager.getRepository(ApprovalEntity).find({ where: { requestId: id } });
    return toRequestView(request, approvals);
  }

  async list(filter: RequestFilter): Promise<{ items: RequestView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const query = this.uow.manager.getRepository(RequestEntity).createQueryBuilder('r').orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').take(limit + 1);
    if (filter.status) query.andWhere('r.status = :status', { status: filter.status });
    if (filter.requester) query.andWhere('(r.requester = :requester OR r.requester_name = :requester)', { requester: filter.requester });
    if (filter.target) query.andWhere("LOWER(r.targets) LIKE :target ESCAPE '\\'", { target: likeValue(filter.target) });
    if (filter.principal) query.andWhere("LOWER(r.principals) LIKE :principal ESCAPE '\\'", { principal: likeValue(filter.principal) });
    if (filter.cursor) {
      const [createdAt, id] = Buffer.from(filter.cursor, 'base64url').toString().split('|');
      if (!createdAt || !id) throw new DomainError('VALIDATION_FAILED', 'cursor is not valid');
      query.andWhere('(r.created_at < :createdAt OR (r.created_at = :createdAt AND r.id < :id))', { createdAt, id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const approvals = page.length ? await this.uow.manager.getRepository(ApprovalEntity).find({ where: { requestId: In(page.map((r) => r.id)) } }) : [];
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toRequestView(r, approvals.filter((a) => a.requestId === r.id))),
      nextCursor: rows.length > limit && last ? Buffer.from(`${last.createdAt}|${last.id}`).toString('base64url') : null,
    };
  }

  async approve(id: string, caller: Principal, comment?: string): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      assertTransition(id, request.status, 'approved', 'approved');
      if (request.requester === caller.id || (request.requestedFor && [caller.id, caller.name].includes(request.requestedFor))) {
        throw new DomainError('SELF_APPROVAL', 'Nobody approves their own request (nor one filed on their behalf)');
      }
      const approvals = m.getRepository(ApprovalEntity);
      if (await approvals.findOne({ where: { requestId: id, approver: caller.id } })) {
        throw new DomainError('DUPLICATE_APPROVAL', `${caller.name} has already approved request ${id}; another approver is needed`);
      }
      const now = this.clock.nowIso();
      await approvals.insert({ id: randomUUID(), requestId: id, approver: caller.id, approverName: caller.name, decision: 'approve', comment: comment ?? null, createdAt: now });
      const count = await approvals.count({ where: { requestId: id, decision: 'approve' } });
      await this.audit.append(m, { actor: caller.id, type: 'request.approval', requestId: id, data: { comment: comment ?? null, approvals: count, required: request.requiredApprovals } });
      if (count < request.requiredApprovals) {
        await this.touch(m, request, {});
        return;
      }
      await this.touch(m, request, { status: 'approved' });
      await this.audit.append(m, { actor: caller.id, type: 'request.approved', requestId: id, data: { approvals: count } });
      await this.jobs.enqueue(m, { kind: 'apply', requestId: id, dedupeKey: `apply:${id}` });
      await this.publish(m, 'request.approved', request);
    });
    return this.get(id);
  }

  async reject(id: string, caller: Principal, comment: string): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      assertTransition(id, request.status, 'rejected', 'rejected');
      if (request.requester === caller.id) throw new DomainError('SELF_APPROVAL', 'Cancel your own request instead of rejecting it');
      const now = this.clock.nowIso();
      await m.getRepository(ApprovalEntity).insert({ id: randomUUID(), requestId: id, approver: caller.id, approverName: caller.name, decision: 'reject', comment, createdAt: now });
      await this.touch(m, request, { status: 'rejected', closedAt: now });
      await this.audit.append(m, { actor: caller.id, type: 'request.rejected', requestId: id, data: { comment } });
      await this.publish(m, 'request.rejected', request);
    });
    return this.get(id);
  }

  async cancel(id: string, caller: Principal): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      if (request.requester !== caller.id && !caller.roles.includes('admin')) {
        throw new DomainError('FORBIDDEN', 'Only the requester (or an admin) may cancel a request');
      }
      assertTransition(id, request.status, 'cancelled', 'cancelled');
      await this.touch(m, request, { status: 'cancelled', closedAt: this.clock.nowIso() });
      await this.audit.append(m, { actor: caller.id, type: 'request.cancelled', requestId: id });
      await this.publish(m, 'request.cancelled', request);
    });
    return this.get(id);
  }

  /** Ends an applied grant early: the same durable path as expiry, ending `revoked`. */
  async revoke(id: string, caller: Principal, comment?: string): Promise<RequestView> {
    await this.uow.run(async (m) => {
      const request = await this.load(m, id, true);
      if (request.action !== 'grant') throw new DomainError('INVALID_STATE', 'Only a grant can be revoked; file a revoke request to remove other entries');
      assertTransition(id, request.status, 'revoked', 'revoked');
      await this.audit.append(m, { actor: caller.id, type: 'request.revoke-requested', requestId: id, data: { comment: comment ?? null } });
      await this.jobs.enqueue(m, { kind: 'end-grant', requestId: id, payload: { reason: 'revoked', actor: caller.id }, dedupeKey: `end-grant:${id}` });
      await this.touch(m, request, {});
    });
    return this.get(id);
  }

  private decide(input: CreateRequestInput, targets: DirectoryObject[], principals: DirectoryObject[], now: Date) {
    const decisions = targets.map((t) => ({ target: t, decision: this.policy.evaluate(t) }));
    const reasons: string[] = [];
    let allowed = true;
    if (input.action === 'grant') {
      for (const principal of principals) {
        const refusal = this.policy.principalRefusal(principal);
        if (refusal) {
          allowed = false;
          reasons.push(refusal);
        }
      }
      for (const { target, decision } of decisions) {
        if (!decision.allowed) {
          allowed = false;
          reasons.push(`${target.samAccountName}: ${decision.reasons.slice(1).join('; ')}`);
        }
      }
    }
    const requiredApprovals = Math.max(...decisions.map((d) => d.decision.requiredApprovals));
    let durationMs: number | null = null;
    if (input.action === 'grant') {
      const maxMs = Math.min(...decisions.map((d) => d.decision.maxDurationMs));
      if (input.duration && input.expiresAt) throw new DomainError('VALIDATION_FAILED', 'Give duration or expiresAt, not both');
      if (input.duration) {
        durationMs = parseIsoDuration(input.duration) ?? null;
        if (!durationMs) throw new DomainError('VALIDATION_FAILED', `duration "${input.duration}" is not an ISO 8601 duration such as PT8H`);
      } else if (input.expiresAt) {
        const at = Date.parse(input.expiresAt);
        if (Number.isNaN(at)) throw new DomainError('VALIDATION_FAILED', 'expiresAt is not an ISO 8601 date-time');
        durationMs = at - now.getTime();
        if (durationMs <= 0) throw new DomainError('VALIDATION_FAILED', 'expiresAt is in the past');
      } else {
        durationMs = Math.min(...decisions.map((d) => d.decision.defaultDurationMs));
      }
      if (durationMs > maxMs) {
        allowed = false;
        reasons.push(`the requested duration exceeds the policy maximum of ${Math.round(maxMs / 60_000)} minutes`);
      }
      if (decisions.some((d) => d.decision.requireTicket) && !input.ticket) {
        allowed = false;
        reasons.push('the policy requires a ticket reference for these targets');
      }
    }
    return { allowed, reasons, requiredApprovals, durationMs };
  }

  private async findByIdempotencyKey(caller: Principal, key: string): Promise<RequestView | undefined> {
    const row = await this.uow.manager.getRepository(RequestEntity).findOne({ where: { requester: caller.id, idempotencyKey: key } });
    return row ? this.get(row.id) : undefined;
  }

  private async load(m: EntityManager, id: string, forUpdate = false): Promise<RequestEntity> {
    const repo = m.getRepository(RequestEntity);
    const request = forUpdate && this.uow.isPostgres ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : await repo.findOne({ where: { id } });
    if (!request) throw new DomainError('REQUEST_NOT_FOUND', `No request ${id}`);
    return request;
  }

  private async touch(m: EntityManager, request: RequestEntity, changes: Partial<RequestEntity>): Promise<void> {
    Object.assign(request, changes, { updatedAt: this.clock.nowIso() });
    await m.getRepository(RequestEntity).save(request);
  }

  private publish(m: EntityManager, type: string, request: RequestEntity): Promise<void> {
    return this.events.publish(m, { type, id: `${type}:${request.id}`, at: this.clock.nowIso(), data: { requestId: request.id, request: toRequestView(request, []) } });
  }
}

function likeValue(text: string): string {
  return `%${text.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}
