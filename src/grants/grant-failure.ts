import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../database/unit-of-work';
import { DirectoryIntentRepository } from '../directory-writes/directory-intent.repository';
import { JobQueue } from '../jobs/job-queue.service';
import type { RequestEntity, TargetResult } from '../requests/request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle';
import { RequestRepository } from '../requests/request.repository';
import { GrantRemoval } from './grant-removal';
import { GrantRepository } from './grant.repository';

/**
 * A request whose apply failed: it ends `failed`, and what a grant put in force is taken back by a
 * durable rollback job, retried until the directory answers (audit `rollbackPending`, then
 * `request.rolled-back`).
 */
@Injectable()
export class GrantFailure {
  private readonly logger = new Logger(GrantFailure.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly requests: RequestRepository,
    private readonly lifecycle: RequestLifecycle,
    private readonly grants: GrantRepository,
    private readonly intents: DirectoryIntentRepository,
    private readonly removal: GrantRemoval,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
  ) {}

  /**
   * Marks the request failed and, for a grant, leaves a durable rollback job that takes back what
   * it put in force (retried until the directory answers): the audit says `rollbackPending`, and
   * `request.rolled-back` once done. Nothing to take back: `rolledBack` at once.
   */
  async fail(
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
    const results = await this.removal.removeAll(request, 'system', 'rollback');
    await this.uow.run((m) =>
      this.audit.append(m, {
        actor: 'system',
        type: 'request.rolled-back',
        requestId: request.id,
        data: { rolledBack: true, targets: results.map((r) => ({ dn: r.target.dn, status: r.status })) },
      }),
    );
  }
}
