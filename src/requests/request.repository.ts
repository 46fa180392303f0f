import { Injectable } from '@nestjs/common';
import { type EntityManager, In, IsNull, LessThan, MoreThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { ApprovalEntity } from './approval.entity';
import { RequestEntity, type RequestStatus } from './request.entity';

export interface RequestQuery {
  status?: RequestStatus;
  target?: string;
  principal?: string;
  requester?: string;
  /** After this row in the list's order (newest first). */
  after?: { createdAt: string; id: string };
  limit: number;
}

/** The fields of a request other code may change; its status changes through RequestLifecycle. */
export type RequestChanges = Partial<Omit<RequestEntity, 'id' | 'status' | 'version' | 'updatedAt'>>;

/**
 * The only code that reads or writes the requests and approvals tables. Every write of a request
 * sets its updatedAt here.
 */
@Injectable()
export class RequestRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  find(id: string, m: EntityManager = this.uow.manager): Promise<RequestEntity | null> {
    return m.getRepository(RequestEntity).findOne({ where: { id } });
  }

  /** The request row locked until the transaction of `m` ends (PostgreSQL; SQLite serialises writers). */
  lock(m: EntityManager, id: string): Promise<RequestEntity | null> {
    const repo = m.getRepository(RequestEntity);
    return this.uow.isPostgres
      ? repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
      : repo.findOne({ where: { id } });
  }

  /** The request (locked until the transaction of `m` ends, with `forUpdate`), or REQUEST_NOT_FOUND. */
  async load(m: EntityManager, id: string, forUpdate = false): Promise<RequestEntity> {
    const request = forUpdate ? await this.lock(m, id) : await this.find(id, m);
    if (!request) throw new DomainError('REQUEST_NOT_FOUND', `No request ${id}`);
    return request;
  }

  findByIdempotencyKey(requester: string, idempotencyKey: string): Promise<RequestEntity | null> {
    return this.uow.manager.getRepository(RequestEntity).findOne({ where: { requester, idempotencyKey } });
  }

  async insert(m: EntityManager, request: RequestEntity): Promise<void> {
    await m.getRepository(RequestEntity).insert(request);
  }

  /** Writes these fields of the request (and its updatedAt), in memory and in its row. */
  async update(m: EntityManager, request: RequestEntity, changes: RequestChanges): Promise<void> {
    const written = { ...changes, updatedAt: this.clock.nowIso() };
    Object.assign(request, written);
    await m.getRepository(RequestEntity).update({ id: request.id }, written);
  }

  /**
   * Moves the request from `from` to `to` with these fields (and its updatedAt); false when its row
   * is no longer `from` (nothing written). Only RequestLifecycle calls this.
   */
  async updateStatus(
    m: EntityManager,
    request: RequestEntity,
    from: RequestStatus,
    to: RequestStatus,
    changes: RequestChanges,
  ): Promise<boolean> {
    const written = { ...changes, status: to, updatedAt: this.clock.nowIso() };
    const result = await m.getRepository(RequestEntity).update({ id: request.id, status: from }, written);
    if ((result.affected ?? 0) === 0) return false;
    Object.assign(request, written);
    return true;
  }

  /** A page of requests, newest first (one more than `limit` when there are more). */
  list(q: RequestQuery): Promise<RequestEntity[]> {
    const query = this.uow.manager
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .take(q.limit + 1);
    if (q.status) query.andWhere('r.status = :status', { status: q.status });
    if (q.requester)
      query.andWhere('(r.requester = :requester OR r.requester_name = :requester)', { requester: q.requester });
    if (q.target) query.andWhere("LOWER(r.targets) LIKE :target ESCAPE '\\'", { target: likeValue(q.target) });
    if (q.principal)
      query.andWhere("LOWER(r.principals) LIKE :principal ESCAPE '\\'", { principal: likeValue(q.principal) });
    if (q.after) query.andWhere('(r.created_at < :createdAt OR (r.created_at = :createdAt AND r.id < :id))', q.after);
    return query.getMany();
  }

  /** Extensions of a grant that were approved by the policy alone (requiredApprovals 0). */
  countAutoApprovedExtensions(originalId: string): Promise<number> {
    return this.uow.manager
      .getRepository(RequestEntity)
      .count({ where: { extendsRequestId: originalId, requiredApprovals: 0 } });
  }

  /** Applied grants and adoptions past their expiry, oldest first (merged extensions end with their grant). */
  dueToExpire(now: string, limit: number): Promise<RequestEntity[]> {
    return this.uow.manager.getRepository(RequestEntity).find({
      where: { status: 'applied', action: In(['grant', 'adopt']), mergedInto: IsNull(), expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** Break-glass requests whose review is overdue and not yet escalated. */
  overdueReviews(now: string, limit: number): Promise<RequestEntity[]> {
    return this.uow.manager.getRepository(RequestEntity).find({
      where: { emergency: true, review: IsNull(), escalatedAt: IsNull(), reviewDueAt: LessThan(now) },
      take: limit,
    });
  }

  /** The applied extensions merged into a grant. */
  appliedExtensionsOf(m: EntityManager, grantId: string): Promise<RequestEntity[]> {
    return m.getRepository(RequestEntity).find({ where: { mergedInto: grantId, status: 'applied' } });
  }

  /** Of these requests, the applied grants and adoptions. */
  appliedGrants(m: EntityManager, ids: string[]): Promise<RequestEntity[]> {
    return m
      .getRepository(RequestEntity)
      .find({ where: { id: In(ids), status: 'applied', action: In(['grant', 'adopt']) } });
  }

  /** How many requests are in each status. */
  async countByStatus(): Promise<{ status: string; count: number }[]> {
    const rows = await this.uow.manager
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .select('r.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('r.status')
      .getRawMany<{ status: string; count: string | number }>();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }

  /** Break-glass requests not yet reviewed: still within their review window, and overdue. */
  async countUnreviewedBreakGlass(now: string): Promise<{ pending: number; overdue: number }> {
    const repo = this.uow.manager.getRepository(RequestEntity);
    const [pending, overdue] = await Promise.all([
      repo.count({ where: { emergency: true, review: IsNull(), reviewDueAt: MoreThanOrEqual(now) } }),
      repo.count({ where: { emergency: true, review: IsNull(), reviewDueAt: LessThan(now) } }),
    ]);
    return { pending, overdue };
  }

  approvals(requestIds: string[], m: EntityManager = this.uow.manager): Promise<ApprovalEntity[]> {
    if (requestIds.length === 0) return Promise.resolve([]);
    return m.getRepository(ApprovalEntity).find({ where: { requestId: In(requestIds) } });
  }

  /**
   * What a request's view is built from, in two numbers: its row's version (every write of the row
   * raises it) and its approvals (rows only ever added); null when there is no such request. Reads
   * neither the targets nor the result.
   */
  async stamp(id: string): Promise<{ version: number; approvals: number } | null> {
    // One statement: the version and the approvals count from the same snapshot, and one round
    // trip for a client that polls a request with If-None-Match.
    const rows = (await this.uow.manager.query(
      `SELECT r.version AS version, (SELECT COUNT(1) FROM approvals a WHERE a.request_id = r.id) AS approvals
         FROM requests r WHERE r.id = ${this.uow.isPostgres ? '$1' : '?'}`,
      [id],
    )) as { version: number | string; approvals: number | string }[];
    if (rows.length === 0) return null;
    return { version: Number(rows[0].version), approvals: Number(rows[0].approvals) };
  }

  /** The approval this person (or this credential) already gave the request, if any. */
  earlierApproval(
    m: EntityManager,
    requestId: string,
    personKey: string,
    approver: string,
  ): Promise<ApprovalEntity | null> {
    return m.getRepository(ApprovalEntity).findOne({
      where: [
        { requestId, personKey },
        { requestId, approver },
      ],
    });
  }

  async insertApproval(m: EntityManager, approval: ApprovalEntity): Promise<void> {
    await m.getRepository(ApprovalEntity).insert(approval);
  }

  /** The request's approvals (not its rejections). */
  approvalsGiven(m: EntityManager, requestId: string): Promise<ApprovalEntity[]> {
    return m.getRepository(ApprovalEntity).find({ where: { requestId, decision: 'approve' } });
  }
}

function likeValue(text: string): string {
  return `%${text.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}
