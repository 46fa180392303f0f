import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Which of the service's directory writes an intent announces. */
export const INTENT_ACTIONS = ['grant', 'revoke', 'end-grant', 'rollback', 'repair'] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];

/**
 * pending: committed before the write, no outcome yet (the write may or may not have happened);
 * done: the outcome is committed with the bookkeeping; failed: the directory refused the write;
 * unknown: closed without knowing whose write the directory shows (what it showed is kept).
 */
export const INTENT_STATES = ['pending', 'done', 'failed', 'unknown'] as const;
export type IntentState = (typeof INTENT_STATES)[number];

/**
 * One directory write of the service, recorded before it is made (issue 19): which request,
 * target and principals, whether ACEs are added or removed, and what was in force before (read
 * just before). Committed on its own before the LDAP compare-and-swap; its outcome is committed
 * afterwards with the grant rows. A pending intent after a crash tells the retry (and the
 * reconciler) that an ACE found in AD is the service's own unfinished write.
 */
@Entity('directory_intents')
@Index('IDX_directory_intents_state', ['state'])
@Index('IDX_directory_intents_request', ['requestId'])
@Index('IDX_directory_intents_target', ['targetSid', 'state'])
export class DirectoryIntentEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'request_id', length: 36, nullable: true }) requestId: string | null;
  @Column('varchar', { length: 16 }) action: IntentAction;
  @Column('varchar', { length: 8 }) operation: 'add' | 'remove';
  @Column('varchar', { name: 'target_sid', length: 184 }) targetSid: string;
  @Column('varchar', { name: 'target_dn', length: 1024 }) targetDn: string;
  @Column('varchar', { name: 'target_domain', length: 255 }) targetDomain: string;
  /** The SIDs whose ACEs the write adds or removes (upper case). */
  @Column('simple-json') principals: string[];
  /** SIDs with an effective ACE before the write, as read just before it. */
  @Column('simple-json', { name: 'in_force_before' }) inForceBefore: string[];
  /** The stored value before, base64 (null: absent). */
  @Column('text', { name: 'value_before', nullable: true }) valueBefore: string | null;
  @Column('varchar', { length: 8 }) state: IntentState;
  /** The stored value after the write, or what the directory showed when the intent was closed. */
  @Column('text', { name: 'value_after', nullable: true }) valueAfter: string | null;
  @Column('varchar', { length: 200 }) actor: string;
  @Column('varchar', { name: 'created_at', length: 24 }) createdAt: string;
  @Column('varchar', { name: 'finished_at', length: 24, nullable: true }) finishedAt: string | null;
}
