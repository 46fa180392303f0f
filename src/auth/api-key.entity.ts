import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Person } from '../persons/person';

/** An API key issued by the service. Only the SHA-256 of the key is stored; `prefix` finds the row. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 100 })
  name: string;

  @Column('simple-json')
  roles: string[];

  @Index('IDX_api_keys_prefix', { unique: true })
  @Column('varchar', { length: 16 })
  prefix: string;

  @Column('varchar', { name: 'key_hash', length: 64 })
  keyHash: string;

  @Column('boolean', { name: 'may_act_on_behalf', default: false })
  mayActOnBehalf: boolean;

  @Column('varchar', { name: 'created_by', length: 200 })
  createdBy: string;

  @Column('varchar', { name: 'created_at', length: 24 })
  createdAt: string;

  @Column('varchar', { name: 'last_used_at', length: 24, nullable: true })
  lastUsedAt: string | null;

  @Column('varchar', { name: 'revoked_at', length: 24, nullable: true })
  revokedAt: string | null;

  /** A person's key: the owner as given when issued. Null: a system key. */
  @Column('varchar', { length: 200, nullable: true })
  owner: string | null;

  /** The owner resolved when the key was issued (the AD user's SID, UPN, name). */
  @Column('simple-json', { name: 'owner_person', nullable: true })
  ownerPerson: Person | null;
}
