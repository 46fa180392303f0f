import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One change counted against a caller's rate limit (rows older than the window are deleted). */
@Entity('rate_limit_hits')
@Index('IDX_rate_limit_hits_identity_at', ['identity', 'at'])
export class RateLimitHitEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 200 }) identity: string;
  /** ISO 8601 UTC. */
  @Column('varchar', { length: 24 }) at: string;
}
