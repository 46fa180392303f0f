import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Append-only, hash-chained: hash = SHA-256(prevHash + canonical JSON of the event). */
@Entity('audit_events')
@Index('IDX_audit_request', ['requestId'])
@Index('IDX_audit_at', ['at'])
export class AuditEventEntity {
  /** Position in the chain (1, 2, 3 ...): assigned under the chain lock, never reused. */
  @PrimaryColumn('integer') seq: number;
  @Column('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 24 }) at: string;
  @Column('varchar', { length: 200 }) actor: string;
  @Column('varchar', { length: 64 }) type: string;
  @Column('varchar', { name: 'request_id', length: 36, nullable: true }) requestId: string | null;
  @Column('varchar', { length: 1024, nullable: true }) target: string | null;
  @Column('simple-json') data: Record<string, unknown>;
  @Column('varchar', { name: 'prev_hash', length: 64 }) prevHash: string;
  @Column('varchar', { length: 64 }) hash: string;
}
