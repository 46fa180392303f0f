import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One writer outside Tier 0 as recorded: the trustee, how it writes, and with which rights. */
export interface RecordedWriter {
  sid: string;
  via: string;
  rights: string[];
}

/**
 * The writers outside Tier 0 of a target's RBCD attribute as they were when a grant was applied on
 * it, or when the reconciler last read them: WRITER_ADDED fires for a writer that is not in it.
 */
@Entity('writer_baselines')
export class WriterBaselineEntity {
  @PrimaryColumn('varchar', { name: 'target_sid', length: 184 }) targetSid: string;
  @Column('simple-json') writers: RecordedWriter[];
  /** 'apply' or 'reconcile': who recorded it. */
  @Column('varchar', { name: 'recorded_by', length: 16 }) recordedBy: 'apply' | 'reconcile';
  @Column('varchar', { name: 'recorded_at', length: 24 }) recordedAt: string;
}
