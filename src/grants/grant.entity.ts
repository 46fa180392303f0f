import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One (target, principal) pair a grant request put in force. The reference count of an ACE:
 * it is removed at revoke/expiry only when no other active grant needs the same pair, and only
 * when the service added it (ACEs that were there before the service stay).
 */
@Entity('grants')
@Index('IDX_grants_pair', ['targetSid', 'principalSid', 'state'])
@Index('IDX_grants_request', ['requestId'])
export class GrantEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'request_id', length: 36 }) requestId: string;
  @Column('varchar', { name: 'target_sid', length: 184 }) targetSid: string;
  @Column('varchar', { name: 'target_dn', length: 1024 }) targetDn: string;
  @Column('varchar', { name: 'target_domain', length: 255 }) targetDomain: string;
  @Column('varchar', { name: 'principal_sid', length: 184 }) principalSid: string;
  @Column('varchar', { length: 8 }) state: 'active' | 'ended';
  /** True when this grant's apply added the ACE (false: it was already in force). */
  @Column('boolean', { name: 'ace_added_by_service' }) aceAddedByService: boolean;
  /**
   * Adopted (issue 14): the ACE was in force before and the service did not write it, but an approved
   * adopt request made the service its owner, so expiry and revoke remove it like one the service added
   * (a rollback never does: nothing was written).
   */
  @Column('boolean', { default: false }) adopted: boolean;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { name: 'expires_at', length: 24, nullable: true }) expiresAt: string | null;
  @Column('varchar', { name: 'ended_at', length: 24, nullable: true }) endedAt: string | null;
}
