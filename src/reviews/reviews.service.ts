import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { identityKey, type Principal } from '../auth/roles';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { parseIsoDuration } from '../common/iso-duration';
import { UnitOfWork } from '../database/unit-of-work';
import { isDnUnder } from '../directory/dn';
import { DirectoryPort } from '../directory/directory.port';
import { RequestsService } from '../requests/requests.service';
import { GrantRepository } from '../grants/grant.repository';
import { StandingService } from '../standing/standing.service';
import {
  type ReviewCampaignEntity,
  type ReviewDecision,
  REVIEW_DECISIONS,
  type ReviewItemEntity,
  type DecisionSource,
} from './review.entities';
import { ReviewRepository } from './review.repository';
import { type CampaignView, toCampaignView, toItemView, type ReviewItemView } from './review.view';

export interface OpenReviewInput {
  scope: string[];
  reviewers: string[];
  dueAt: string;
  defaultDecision: ReviewDecision;
  /** How long a kept standing entry stays adopted before its next review (ISO 8601, default P90D). */
  nextReviewIn?: string;
}

/** Who files the follow-up requests of default decisions at dueAt. */
const SYSTEM_REVIEWER: Principal = {
  id: 'system:access-review',
  name: 'access review',
  roles: ['requester'],
  via: 'system',
  person: null,
};

/**
 * Access review campaigns (issue 14 §4): a snapshot of every RBCD entry in scope, managed and
 * standing; reviewers mark each keep or remove with a comment. remove files a revoke request; keep
 * of a standing entry files an adopt request (standing, with nextReviewAt). Both go through approval
 * under policy like any request: a review never writes to the directory by itself. At dueAt the
 * entries nobody decided follow defaultDecision. Every decision is audited.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: ReviewRepository,
    private readonly standing: StandingService,
    private readonly grants: GrantRepository,
    private readonly directory: DirectoryPort,
    private readonly requests: RequestsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async open(input: OpenReviewInput, caller: Principal): Promise<CampaignView> {
    const now = this.clock.now();
    const dueAt = Date.parse(input.dueAt);
    if (Number.isNaN(dueAt)) throw new DomainError('VALIDATION_FAILED', 'dueAt is not an ISO 8601 date-time');
    if (dueAt <= now.getTime()) throw new DomainError('VALIDATION_FAILED', 'dueAt is in the past');
    if (!REVIEW_DECISIONS.includes(input.defaultDecision))
      throw new DomainError('VALIDATION_FAILED', `defaultDecision must be one of ${REVIEW_DECISIONS.join(', ')}`);
    const nextReviewIn = input.nextReviewIn ?? 'P90D';
    if (!parseIsoDuration(nextReviewIn))
      throw new DomainError('VALIDATION_FAILED', `nextReviewIn "${nextReviewIn}" is not an ISO 8601 duration`);
    const scope = [...new Set(input.scope.map((s) => s.trim()).filter(Boolean))];
    const reviewers = [...new Set(input.reviewers.map((r) => r.trim()).filter(Boolean))];
    if (scope.length === 0 || reviewers.length === 0)
      throw new DomainError('VALIDATION_FAILED', 'scope and reviewers must each name at least one entry');

    const campaign: ReviewCampaignEntity = {
      id: randomUUID(),
      scope,
      reviewers,
      dueAt: new Date(dueAt).toISOString(),
      defaultDecision: input.defaultDecision,
      nextReviewIn,
      status: 'open',
      createdBy: caller.id,
      createdAt: now.toISOString(),
      closedAt: null,
    };
    const items = await this.snapshot(campaign.id, scope);
    await this.uow.run(async (m) => {
      await this.repo.insert(m, campaign, items);
      await this.audit.append(m, {
        actor: caller.id,
        type: 'review.opened',
        data: {
          campaignId: campaign.id,
          scope,
          reviewers,
          dueAt: campaign.dueAt,
          defaultDecision: campaign.defaultDecision,
          items: items.length,
          managed: items.filter((i) => i.kind === 'managed').length,
          standing: items.filter((i) => i.kind === 'standing').length,
        },
      });
    });
    return toCampaignView(campaign, items);
  }

  async get(id: string): Promise<CampaignView> {
    const campaign = await this.load(id);
    return toCampaignView(campaign, await this.repo.items(id));
  }

  async list(limit = 50): Promise<CampaignView[]> {
    const campaigns = await this.repo.campaigns(Math.min(Math.max(limit, 1), 200));
    return Promise.all(campaigns.map(async (c) => toCampaignView(c, await this.repo.items(c.id), false)));
  }

  /** A reviewer's keep or remove, with a comment; once per entry, while the campaign is open. */
  async decide(
    campaignId: string,
    itemId: string,
    caller: Principal,
    decision: ReviewDecision,
    comment: string,
  ): Promise<ReviewItemView> {
    if (!REVIEW_DECISIONS.includes(decision))
      throw new DomainError('VALIDATION_FAILED', `decision must be one of ${REVIEW_DECISIONS.join(', ')}`);
    if (!comment?.trim()) throw new DomainError('VALIDATION_FAILED', 'comment is required');
    const campaign = await this.load(campaignId);
    if (!isReviewer(campaign, caller))
      throw new DomainError('FORBIDDEN', `${caller.name} is not a reviewer of campaign ${campaignId}`);
    const item = await this.uow.run(async (m) => {
      const locked = await this.repo.lockCampaign(m, campaignId);
      if (locked?.status !== 'open')
        throw new DomainError('INVALID_STATE', `Campaign ${campaignId} is closed: decisions are final`);
      const row = await this.repo.item(m, campaignId, itemId);
      if (!row) throw new DomainError('NOT_FOUND', `No entry ${itemId} in campaign ${campaignId}`);
      if (row.decision)
        throw new DomainError('INVALID_STATE', `Entry ${itemId} was already decided (${row.decision})`, {
          decidedBy: row.decidedBy,
        });
      this.record(row, decision, comment.trim(), caller, 'reviewer', campaign);
      await this.repo.saveItem(m, row);
      return row;
    });
    await this.followUp(campaign, item, caller);
    return toItemView(item);
  }

  /** Campaigns past dueAt: every undecided entry follows defaultDecision; then the campaign closes. */
  async closeDue(): Promise<number> {
    const due = await this.repo.due(this.clock.nowIso());
    for (const campaign of due) await this.close(campaign);
    return due.length;
  }

  /** The report: who decided what and when, as JSON, or CSV rows. */
  async report(id: string): Promise<CampaignView> {
    return this.get(id);
  }

  async reportCsv(id: string): Promise<string> {
    const view = await this.get(id);
    const header = [
      'campaignId',
      'itemId',
      'kind',
      'target',
      'targetSid',
      'targetDn',
      'principal',
      'principalSid',
      'origin',
      'decision',
      'decidedVia',
      'decidedBy',
      'decidedByName',
      'decidedAt',
      'comment',
      'followUpRequestId',
      'followUpError',
      'nextReviewAt',
    ];
    const rows = (view.items ?? []).map((i) =>
      [
        view.id,
        i.id,
        i.kind,
        i.target.samAccountName,
        i.target.sid,
        i.target.dn,
        i.principal.samAccountName ?? '',
        i.principal.sid,
        i.origin ?? '',
        i.decision ?? '',
        i.decidedVia ?? '',
        i.decidedBy ?? '',
        i.decidedByName ?? '',
        i.decidedAt ?? '',
        i.comment ?? '',
        i.followUpRequestId ?? '',
        i.followUpError ?? '',
        i.nextReviewAt ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
    return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
  }

  private async close(campaign: ReviewCampaignEntity): Promise<void> {
    const decided = await this.uow.run(async (m) => {
      const locked = await this.repo.lockCampaign(m, campaign.id);
      if (locked?.status !== 'open') return [];
      const undecided = await this.repo.undecided(m, campaign.id);
      for (const item of undecided) {
        this.record(
          item,
          campaign.defaultDecision,
          `No reviewer decided by ${campaign.dueAt}: the campaign's default decision (${campaign.defaultDecision})`,
          SYSTEM_REVIEWER,
          'default',
          campaign,
        );
        await this.repo.saveItem(m, item);
      }
      await this.repo.close(m, campaign.id, this.clock.nowIso());
      return undecided;
    });
    for (const item of decided) await this.followUp(campaign, item, SYSTEM_REVIEWER);
    if (decided.length || campaign.status === 'open')
      await this.audit.record({
        actor: 'system',
        type: 'review.closed',
        data: { campaignId: campaign.id, byDefault: decided.length, defaultDecision: campaign.defaultDecision },
      });
  }

  private record(
    item: ReviewItemEntity,
    decision: ReviewDecision,
    comment: string,
    caller: Principal,
    via: DecisionSource,
    campaign: ReviewCampaignEntity,
  ): void {
    const now = this.clock.now();
    Object.assign(item, {
      decision,
      comment,
      decidedBy: caller.id,
      decidedByName: caller.name,
      decidedAt: now.toISOString(),
      decidedVia: via,
      nextReviewAt:
        decision === 'keep'
          ? new Date(now.getTime() + (parseIsoDuration(campaign.nextReviewIn) as number)).toISOString()
          : null,
    });
  }

  /**
   * What a decision files: remove → a revoke request; keep of a standing entry → a standing adopt
   * request with nextReviewAt; keep of a managed grant → nothing. Filed after the decision committed;
   * a refusal (the entry is gone, policy) is kept on the entry and in the audit, never lost.
   */
  private async followUp(campaign: ReviewCampaignEntity, item: ReviewItemEntity, caller: Principal): Promise<void> {
    const justification = `Access review ${campaign.id}: ${item.decision} — ${item.comment ?? ''}`.slice(0, 2000);
    let error: { code: string; message: string } | null = null;
    if (item.decision === 'remove' || item.kind === 'standing') {
      try {
        const filed = await this.requests.create(
          item.decision === 'remove'
            ? { action: 'revoke', targets: [item.targetSid], principals: [item.principalSid], justification }
            : {
                action: 'adopt',
                standing: true,
                nextReviewAt: item.nextReviewAt ?? undefined,
                targets: [item.targetSid],
                principals: [item.principalSid],
                justification,
              },
          caller,
        );
        item.followUpRequestId = filed.id;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        error = { code: e.code, message: e.message };
        item.followUpError = `${e.code}: ${e.message}`.slice(0, 2000);
      }
      await this.uow.run((m) => this.repo.saveItem(m, item));
    }
    await this.audit.record({
      actor: caller.id,
      type: 'review.decision',
      target: item.targetDn,
      data: {
        campaignId: campaign.id,
        itemId: item.id,
        kind: item.kind,
        targetSid: item.targetSid,
        principalSid: item.principalSid,
        decision: item.decision,
        comment: item.comment,
        decidedVia: item.decidedVia,
        nextReviewAt: item.nextReviewAt,
        followUpRequestId: item.followUpRequestId,
        followUpError: error,
      },
    });
  }

  /** Every entry in scope now: active grants (managed) and standing entries, one row per (target, principal). */
  private async snapshot(campaignId: string, scope: string[]): Promise<ReviewItemEntity[]> {
    const items = new Map<string, ReviewItemEntity>();
    const standing = [];
    for (const base of scope) standing.push(...(await this.standing.all(base)));
    const grants = (await this.grants.active()).filter((g) => scope.some((base) => isDnUnder(g.targetDn, base)));
    const names = await this.directory.resolveSids([
      ...new Set([...grants.map((g) => g.principalSid), ...grants.map((g) => g.targetSid)]),
    ]);
    for (const g of grants) {
      const key = `${g.targetSid.toUpperCase()}|${g.principalSid.toUpperCase()}`;
      if (items.has(key)) continue;
      items.set(key, {
        ...blankItem(campaignId),
        kind: 'managed',
        targetSid: g.targetSid,
        targetDn: g.targetDn,
        targetName: names.get(g.targetSid.toUpperCase())?.samAccountName ?? g.targetSid,
        targetDomain: g.targetDomain,
        principalSid: g.principalSid,
        principalName: names.get(g.principalSid.toUpperCase())?.samAccountName ?? null,
        grantRequestId: g.requestId,
      });
    }
    for (const e of standing) {
      if (items.has(e.id)) continue;
      items.set(e.id, {
        ...blankItem(campaignId),
        kind: 'standing',
        targetSid: e.target.sid,
        targetDn: e.target.dn,
        targetName: e.target.samAccountName,
        targetDomain: e.target.domain,
        principalSid: e.principal.sid,
        principalName: e.principal.samAccountName,
        origin: e.origin,
      });
    }
    return [...items.values()].sort(
      (a, b) => a.targetDn.localeCompare(b.targetDn) || a.principalSid.localeCompare(b.principalSid),
    );
  }

  private async load(id: string): Promise<ReviewCampaignEntity> {
    const campaign = await this.repo.campaign(id);
    if (!campaign) throw new DomainError('NOT_FOUND', `No review campaign ${id}`);
    return campaign;
  }
}

function blankItem(campaignId: string): ReviewItemEntity {
  return {
    id: randomUUID(),
    campaignId,
    kind: 'standing',
    targetSid: '',
    targetDn: '',
    targetName: '',
    targetDomain: '',
    principalSid: '',
    principalName: null,
    grantRequestId: null,
    origin: null,
    decision: null,
    comment: null,
    decidedBy: null,
    decidedByName: null,
    decidedAt: null,
    decidedVia: null,
    followUpRequestId: null,
    nextReviewAt: null,
    followUpError: null,
  };
}

/** A reviewer: named by credential id or person key, or holding a named role (`role:approver`); admin always. */
function isReviewer(campaign: ReviewCampaignEntity, caller: Principal): boolean {
  if (caller.roles.includes('admin')) return true;
  const ids = new Set([caller.id, identityKey(caller), ...(caller.person?.upn ? [caller.person.upn] : [])]);
  return campaign.reviewers.some((r) =>
    r.startsWith('role:') ? caller.roles.includes(r.slice(5) as never) : ids.has(r),
  );
}

/** One CSV cell (RFC 4180), defused against formula injection when opened in a spreadsheet. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
