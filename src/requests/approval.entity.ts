import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('approvals')
@Index('IDX_approvals_request_approver', ['requestId', 'approver'], { unique: true })
export class ApprovalEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'request_id', length: 36 }) requestId: string;
  @Column('varchar', { length: 200 }) approver: string;
  @Column('varchar', { name: 'approver_name', length: 200 }) approverName: string;
  @Column('varchar', { length: 8 }) decision: 'approve' | 'reject';
  @Column('text', { nullable: true }) comment: string | null;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
}
