import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A chat request signature already accepted: the same signed request is refused as a replay until forgetAfter. */
@Entity('seen_signatures')
export class SeenSignatureEntity {
  @PrimaryColumn('varchar', { length: 128 }) signature: string;
  /** ISO 8601 UTC. */
  @Index('IDX_seen_signatures_forget_after')
  @Column('varchar', { name: 'forget_after', length: 24 })
  forgetAfter: string;
}
