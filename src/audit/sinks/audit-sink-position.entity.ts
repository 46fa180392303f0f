import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One audit sink's place in the chain (owned by AuditSinkPositionRepository). */
@Entity('audit_sink_positions')
export class AuditSinkPositionEntity {
  @PrimaryColumn('varchar', { length: 100 }) sink: string;
  /** The last event the sink acknowledged: everything up to it was delivered, in order. */
  @Column('integer', { name: 'delivered_seq', default: 0 }) deliveredSeq: number;
  /** Bumped by a replay, so a delivery that started before it cannot move the position forward again. */
  @Column('integer', { default: 0 }) generation: number;
  @Column('integer', { name: 'consecutive_failures', default: 0 }) consecutiveFailures: number;
  @Column('integer', { name: 'total_failures', default: 0 }) totalFailures: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('varchar', { name: 'last_attempt_at', length: 24, nullable: true }) lastAttemptAt: string | null;
  @Column('varchar', { name: 'last_delivered_at', length: 24, nullable: true }) lastDeliveredAt: string | null;
  /** While a sink is down: no delivery is tried before this (backoff shared by all its jobs). */
  @Column('varchar', { name: 'next_attempt_at', length: 24, nullable: true }) nextAttemptAt: string | null;
  @Column('varchar', { name: 'lease_owner', length: 100, nullable: true }) leaseOwner: string | null;
  @Column('varchar', { name: 'lease_until', length: 24, nullable: true }) leaseUntil: string | null;
  @Column('varchar', { name: 'updated_at', length: 24 }) updatedAt: string;
}
