import type { NoOwnerSetting } from '../config/config.types';

/** Where an owner of a target comes from: its managedBy, or the owner group configured for its OU. */
export const OWNER_SOURCES = ['managedBy', 'ouGroup'] as const;
export type OwnerSourceKind = (typeof OWNER_SOURCES)[number];

/** One owner of a target: a user, or a group whose members (transitively) own it. */
export interface OwnerSource {
  source: OwnerSourceKind;
  dn: string;
  sid: string;
  name: string;
  isGroup: boolean;
  /** ouGroup: the OU the policy names. */
  ou?: string;
}

/** What one target of a request needs from its owners. */
export interface TargetOwners {
  target: { dn: string; sid: string; samAccountName: string };
  /** Owner approvals this target needs (0: no owner rule, or nobody owns it and noOwner is `approvers`). */
  required: number;
  owners: OwnerSource[];
  /** Set when nobody owns the target: what the rule said to do. */
  noOwner: NoOwnerSetting | null;
}

/** The owner part of a request: one entry per target that an owner rule covers. */
export interface OwnerRequirement {
  targets: TargetOwners[];
}
