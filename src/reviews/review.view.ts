import type { ReviewCampaignEntity, ReviewItemEntity } from './review.entities';

export interface ReviewItemView {
  id: string;
  kind: string;
  target: { dn: string; sid: string; samAccountName: string; domain: string };
  principal: { sid: string; samAccountName: string | null };
  grantRequestId: string | null;
  origin: string | null;
  decision: string | null;
  comment: string | null;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decidedVia: string | null;
  followUpRequestId: string | null;
  followUpError: string | null;
  nextReviewAt: string | null;
}

export interface CampaignView {
  id: string;
  scope: string[];
  reviewers: string[];
  dueAt: string;
  defaultDecision: string;
  nextReviewIn: string;
  status: string;
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
  counts: { total: number; managed: number; standing: number; keep: number; remove: number; undecided: number };
  /** Left out of lists; every entry with its decision in a single campaign and the report. */
  items?: ReviewItemView[];
}

export function toItemView(item: ReviewItemEntity): ReviewItemView {
  return {
    id: item.id,
    kind: item.kind,
    target: { dn: item.targetDn, sid: item.targetSid, samAccountName: item.targetName, domain: item.targetDomain },
    principal: { sid: item.principalSid, samAccountName: item.principalName },
    grantRequestId: item.grantRequestId,
    origin: item.origin,
    decision: item.decision,
    comment: item.comment,
    decidedBy: item.decidedBy,
    decidedByName: item.decidedByName,
    decidedAt: item.decidedAt,
    decidedVia: item.decidedVia,
    followUpRequestId: item.followUpRequestId,
    followUpError: item.followUpError,
    nextReviewAt: item.nextReviewAt,
  };
}

export function toCampaignView(
  campaign: ReviewCampaignEntity,
  items: ReviewItemEntity[],
  withItems = true,
): CampaignView {
  const count = (f: (i: ReviewItemEntity) => boolean) => items.filter(f).length;
  return {
    id: campaign.id,
    scope: campaign.scope,
    reviewers: campaign.reviewers,
    dueAt: campaign.dueAt,
    defaultDecision: campaign.defaultDecision,
    nextReviewIn: campaign.nextReviewIn,
    status: campaign.status,
    createdBy: campaign.createdBy,
    createdAt: campaign.createdAt,
    closedAt: campaign.closedAt,
    counts: {
      total: items.length,
      managed: count((i) => i.kind === 'managed'),
      standing: count((i) => i.kind === 'standing'),
      keep: count((i) => i.decision === 'keep'),
      remove: count((i) => i.decision === 'remove'),
      undecided: count((i) => i.decision === null),
    },
    ...(withItems ? { items: items.map(toItemView) } : {}),
  };
}
