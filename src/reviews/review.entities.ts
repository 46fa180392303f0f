import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const REVIEW_DECISIONS = ['keep', 'remove'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const CAMPAIGN_STATUSES = ['open', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
/** managed: an active grant of the service; standing: an entry in force that no grant covers. */
export const REVIEW_ITEM_KINDS = ['managed', 'standing'] as const;
export type ReviewItemKind = (typeof REVIEW_ITEM_KINDS)[number];
/** reviewer: a reviewer decided; default: nobody did by dueAt, the campaign's defaultDecision applied. */
export const DECISION_SOURCES = ['reviewer', 'default'] as const;
export type DecisionSource = (typeof DECISION_SOURCES)[number];

/** An access review campaign (issue 14 §4): a snapshot of RBCD entries in scope, each to keep or remove. */
@Entity('review_campaigns')
@Index('IDX_review_campaigns_status', ['status', 'dueAt'])
export class ReviewCampaignEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  /** Base DNs the snapshot covered. */
  @Column('simple-json') scope: string[];
  /** Who may decide: `role:<role>` or a credential / person id (`apikey:<name>`, `oidc:<sub>`, `slack:<id>`, `sid:<SID>`). */
  @Column('simple-json') reviewers: string[];
  @Column('varchar', { name: 'due_at', length: 24 }) dueAt: string;
  @Column('varchar', { name: 'default_decision', length: 8 }) defaultDecision: ReviewDecision;
  /** A kept standing entry is adopted with nextReviewAt = decision time + this (ISO 8601). */
  @Column('varchar', { name: 'next_review_in', length: 40 }) nextReviewIn: string;
  @Column('varchar', { length: 8 }) status: CampaignStatus;
  @Column('varchar', { name: 'created_by', length: 200 }) createdBy: string;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { name: 'closed_at', length: 24, nullable: true }) closedAt: string | null;
}

/** One entry of a campaign's snapshot and what was decided about it. */
@Entity('review_items')
@Index('IDX_review_items_campaign', ['campaignId'])
export class ReviewItemEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'campaign_id', length: 36 }) campaignId: string;
  @Column('varchar', { length: 8 }) kind: ReviewItemKind;
  @Column('varchar', { name: 'target_sid', length: 184 }) targetSid: string;
  @Column('varchar', { name: 'target_dn', length: 1024 }) targetDn: string;
  @Column('varchar', { name: 'target_name', length: 256 }) targetName: string;
  @Column('varchar', { name: 'target_domain', length: 255 }) targetDomain: string;
  @Column('varchar', { name: 'principal_sid', length: 184 }) principalSid: string;
  @Column('varchar', { name: 'principal_name', length: 256, nullable: true }) principalName: string | null;
  /** managed: the grant request that put it in force. */
  @Column('varchar', { name: 'grant_request_id', length: 36, nullable: true }) grantRequestId: string | null;
  /** standing: preExisting or outOfBand (GET /standing). */
  @Column('varchar', { length: 16, nullable: true }) origin: string | null;
  @Column('varchar', { length: 8, nullable: true }) decision: ReviewDecision | null;
  @Column('text', { nullable: true }) comment: string | null;
  @Column('varchar', { name: 'decided_by', length: 200, nullable: true }) decidedBy: string | null;
  @Column('varchar', { name: 'decided_by_name', length: 200, nullable: true }) decidedByName: string | null;
  @Column('varchar', { name: 'decided_at', length: 24, nullable: true }) decidedAt: string | null;
  @Column('varchar', { name: 'decided_via', length: 8, nullable: true }) decidedVia: DecisionSource | null;
  /** The revoke (remove) or adopt (keep a standing entry) request the decision filed. */
  @Column('varchar', { name: 'follow_up_request_id', length: 36, nullable: true }) followUpRequestId: string | null;
  @Column('varchar', { name: 'next_review_at', length: 24, nullable: true }) nextReviewAt: string | null;
  /** Why the follow-up request could not be filed (its error code and message). */
  @Column('text', { name: 'follow_up_error', nullable: true }) followUpError: string | null;
}
