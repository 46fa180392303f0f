import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What a job does; the runner calls the handler registered for its kind. `timer`: a moment to act
 * on a request (reminder, escalation, time-out, expiry notice), run_at when it fires.
 */
export const JOB_KINDS = ['apply', 'end-grant', 'rollback', 'webhook', 'audit-sink', 'timer'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A durable unit of work (the outbox): leased by one worker at a time, retried with backoff. */
@Entity('jobs')
@Index('IDX_jobs_due', ['status', 'runAt'])
@Index('IDX_jobs_request', ['requestId'])
export class JobEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 16 }) kind: JobKind;
  @Column('varchar', { name: 'request_id', length: 36, nullable: true }) requestId: string | null;
  @Column('simple-json') payload: Record<string, unknown>;
  @Column('varchar', { length: 8 }) status: JobStatus;
  @Column('integer') attempts: number;
  @Column('varchar', { name: 'run_at', length: 24 }) runAt: string;
  @Column('varchar', { name: 'lease_owner', length: 100, nullable: true }) leaseOwner: string | null;
  @Column('varchar', { name: 'lease_until', length: 24, nullable: true }) leaseUntil: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { name: 'updated_at', length: 24 }) updatedAt: string;
}
