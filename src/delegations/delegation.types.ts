import type { AccountRef } from '../directory/directory.types';
import { RBCD_WARNING_CODES } from '../security-descriptor';
import type { WriterClass } from '../policy/policy.types';
import type { WriterVia } from '../security-descriptor/writers';

export interface DelegationPrincipal {
  sid: string;
  samAccountName: string | null;
  dn: string | null;
  domain: string | null;
  resolved: boolean;
  accessMask: number;
  /** `allow`, `deny`, or the raw ACE type number for any other ACE. */
  aceType: string;
  effective: boolean;
}

/**
 * Every code of a warning (delegation reads, plans) or a risk (inventory): the descriptor's own
 * (codec), then what resolving and judging it found. One vocabulary: the enum of Warning.code.
 */
export const WARNING_CODES = [
  ...RBCD_WARNING_CODES,
  'INVALID_SECURITY_DESCRIPTOR',
  'UNRESOLVED_SID',
  'RBCD_ACE_GROUP_SCOPE',
  'UNCONSTRAINED_ON_NON_DC',
  'PROTOCOL_TRANSITION',
  'RBCD_ON_PROTECTED_TARGET',
  'ORPHANED_SID',
  'RBCD_OPEN_TO_ANY_ACCOUNT',
  'RBCD_WRITABLE_BY_NON_TIER0',
  'RBCD_SELF_WRITABLE',
  'WRITERS_UNKNOWN',
  'PRINCIPAL_IS_USER_ACCOUNT',
  'MACHINE_ACCOUNT_QUOTA',
  'STANDING_OUT_OF_BAND',
  'PRINCIPAL_CREATED_BY_USER',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface Warning {
  code: WarningCode;
  message: string;
  sid?: string;
}

/** Someone who can write the target's RBCD list outside the broker (see src/policy/writers.service.ts). */
export interface DelegationWriter {
  sid: string;
  samAccountName: string | null;
  dn: string | null;
  domain: string | null;
  resolved: boolean;
  rights: string[];
  via: WriterVia;
  class: WriterClass;
}

export interface DelegationView {
  target: AccountRef;
  principals: DelegationPrincipal[];
  /** Who else can write the list, from the target's nTSecurityDescriptor (live reads only; not in plans). */
  writers?: DelegationWriter[];
  sddl: string | null;
  /** The stored bytes, base64, exactly as read; null when the attribute is absent. */
  raw: string | null;
  warnings: Warning[];
}
