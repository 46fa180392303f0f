import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import type { AccountRef } from '../directory/directory.types';
import type { Channel, Person } from '../persons/person';
import type { OwnerRequirement } from '../owners/owner.types';

export const REQUEST_STATUSES = [
  'pending',
  'approved',
  'scheduled',
  'applying',
  'applied',
  'failed',
  'rejected',
  'cancelled',
  'expired',
  'revoked',
  'timedOut',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** adopt: bring entries already in force under management (issue 14); nothing is written to AD. */
export const REQUEST_ACTIONS = ['grant', 'revoke', 'adopt'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];
/** What happened on one target: pending until written; removed/kept for the ACEs a revoke or expiry ended. */
export const TARGET_RESULT_STATUSES = [
  'pending',
  'applied',
  'unchanged',
  'failed',
  'removed',
  'kept',
  'adopted',
] as const;
export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;

export const REVIEW_OUTCOMES = ['confirm', 'revoke'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** An approver's verdict on a break-glass request after the fact. */
export interface PostHocReview {
  outcome: ReviewOutcome;
  comment: string;
  reviewer: string;
  reviewerName: string;
  at: string;
}

export interface TargetResult {
  target: AccountRef;
  status: (typeof TARGET_RESULT_STATUSES)[number];
  sddlBefore?: string | null;
  sddlAfter?: string | null;
  error?: { code: string; message: string } | null;
  at?: string;
}

export interface RequestResult {
  targets: TargetResult[];
  error?: { code: string; message: string } | null;
}

@Entity('requests')
@Index('IDX_requests_idempotency', ['requester', 'idempotencyKey'], { unique: true })
@Index('IDX_requests_status', ['status'])
@Index('IDX_requests_extends', ['extendsRequestId'])
export class RequestEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 16 }) status: RequestStatus;
  @Column('varchar', { length: 8 }) action: RequestAction;
  @Column('simple-json') targets: AccountRef[];
  @Column('simple-json') principals: AccountRef[];
  @Column('varchar', { length: 200 }) requester: string;
  @Column('varchar', { name: 'requester_name', length: 200 }) requesterName: string;
  @Column('varchar', { name: 'requested_for', length: 200, nullable: true }) requestedFor: string | null;
  @Column('text') justification: string;
  @Column('simple-json', { nullable: true }) ticket: { system: string; id: string; url?: string } | null;
  @Column('integer', { name: 'duration_seconds', nullable: true }) durationSeconds: number | null;
  @Column('varchar', { name: 'expires_at', length: 24, nullable: true }) expiresAt: string | null;
  @Column('integer', { name: 'required_approvals' }) requiredApprovals: number;
  @Column('simple-json', { nullable: true }) result: RequestResult | null;
  @Column('varchar', { name: 'idempotency_key', length: 200, nullable: true }) idempotencyKey: string | null;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { name: 'updated_at', length: 24 }) updatedAt: string;
  @Column('varchar', { name: 'applied_at', length: 24, nullable: true }) appliedAt: string | null;
  @Column('varchar', { name: 'closed_at', length: 24, nullable: true }) closedAt: string | null;
  @Column('varchar', { name: 'requester_via', length: 16, nullable: true }) requesterVia: Channel | null;
  /** The person who filed it (null: a system key or an unlinked caller, compared by `requester`). */
  @Column('simple-json', { name: 'requester_person', nullable: true }) requesterPerson: Person | null;
  @Column('simple-json', { name: 'requested_for_person', nullable: true }) requestedForPerson: Person | null;
  /** Owner approvals this request needs (null: no owner rule applied). */
  @Column('simple-json', { name: 'owner_approvals', nullable: true }) ownerApprovals: OwnerRequirement | null;
  /** When an approved grant is applied (null: as soon as it is approved); it waits `scheduled` until then. */
  @Column('varchar', { name: 'starts_at', length: 24, nullable: true }) startsAt: string | null;
  /** The grant this request extends (an extension request: same targets and principals). */
  @Column('varchar', { name: 'extends_request_id', length: 36, nullable: true }) extendsRequestId: string | null;
  /** Set when this extension moved the live grant's expiresAt (no grant of its own; it ends with that grant). */
  @Column('varchar', { name: 'merged_into', length: 36, nullable: true }) mergedInto: string | null;
  /** A break-glass request (issue 14): applied without approvals, reviewed afterwards. */
  @Column('boolean', { default: false }) emergency: boolean;
  /** Break-glass: when the post-hoc review is due (the rule's breakGlass.reviewWithin after filing). */
  @Column('varchar', { name: 'review_due_at', length: 24, nullable: true }) reviewDueAt: string | null;
  /** Break-glass: the post-hoc review (null until an approver reviews it). */
  @Column('simple-json', { nullable: true }) review: PostHocReview | null;
  /** Break-glass: when the missing review was escalated. */
  @Column('varchar', { name: 'escalated_at', length: 24, nullable: true }) escalatedAt: string | null;
  /** A standing adoption (no expiry): when it must be reviewed again. */
  @Column('varchar', { name: 'next_review_at', length: 24, nullable: true }) nextReviewAt: string | null;
  @VersionColumn() version: number;
}
