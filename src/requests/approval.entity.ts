import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Channel, Person } from '../persons/person';

@Entity('approvals')
@Index('IDX_approvals_request_approver', ['requestId', 'approver'], { unique: true })
@Index('IDX_approvals_request_person', ['requestId', 'personKey'], { unique: true })
export class ApprovalEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'request_id', length: 36 }) requestId: string;
  @Column('varchar', { length: 200 }) approver: string;
  @Column('varchar', { name: 'approver_name', length: 200 }) approverName: string;
  @Column('varchar', { length: 8 }) decision: 'approve' | 'reject';
  @Column('text', { nullable: true }) comment: string | null;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { length: 16, nullable: true }) via: Channel | null;
  @Column('simple-json', { nullable: true }) person: Person | null;
  /** The person's key, or the credential id when there is no person: one row per person and request. */
  @Column('varchar', { name: 'person_key', length: 200, default: '' }) personKey: string;
  /** SIDs of the request's targets the approver owned when approving. */
  @Column('simple-json', { name: 'owner_of', nullable: true }) ownerOf: string[] | null;
}
