import type { DirectoryQuery } from './directory-query';

/**
 * An account as resolved once and then referred to: what the read API returns and what a request
 * stores for its targets and principals (the descriptor itself holds only the SID).
 */
export interface AccountRef {
  dn: string;
  sid: string;
  samAccountName: string;
  domain: string;
  dnsHostName?: string | null;
}

export function toAccountRef(object: DirectoryObject): AccountRef {
  return {
    dn: object.dn,
    sid: object.sid,
    samAccountName: object.samAccountName,
    dnsHostName: object.dnsHostName ?? null,
    domain: object.domain,
  };
}

/** An account (computer, user, gMSA, group) as the service sees it, from any configured domain. */
export interface DirectoryObject {
  dn: string;
  /** DNS name of the domain the object lives in. */
  domain: string;
  sid: string;
  guid: string;
  samAccountName: string;
  dnsHostName?: string;
  userPrincipalName?: string;
  /** mail (users): one way an OIDC email claim names a person. */
  mail?: string;
  /** managedBy: the DN of the user or group that owns the object (resource-owner approvals). */
  managedBy?: string;
  objectClass: string[];
  userAccountControl: number;
  primaryGroupId?: number;
  adminCount?: number;
  /** groupType of a group (0x2 global, 0x4 domain local, 0x8 universal, 0x1 BUILTIN; 0x80000000 security). */
  groupType?: number;
  servicePrincipalNames: string[];
  /** Classic constrained delegation targets (msDS-AllowedToDelegateTo). */
  allowedToDelegateTo: string[];
  /** The raw msDS-AllowedToActOnBehalfOfOtherIdentity value, when it was asked for. */
  rbcd?: Buffer | null;
  /** ms-DS-CreatorSID: the user who created this computer through ms-DS-MachineAccountQuota. */
  creatorSid?: string;
  /** The raw nTSecurityDescriptor (owner, group, DACL), when it was asked for. */
  securityDescriptor?: Buffer | null;
  /** whenChanged (ISO 8601), when it was asked for: the last change of any attribute. */
  whenChanged?: string;
  /** The raw replPropertyMetaData, when it was asked for: when each attribute last changed. */
  replPropertyMetaData?: Buffer;
}

/**
 * The direct members of a group that can widen it (DirectoryPort.nestedMembers): groups and foreign
 * security principals in the group's own domain, groups of other configured domains the group
 * names by DN (a multi-domain forest), and members whose domain no configured domain holds.
 */
export interface NestedMembers {
  members: DirectoryObject[];
  /** Members in a naming context the broker has no connection to: what can be known of them. */
  outOfReach: { dn: string; sid: string | null }[];
}

export interface DomainInfo {
  name: string;
  netbios?: string;
  baseDn: string;
  domainSid?: string;
  domainFunctionality?: number;
  domainControllerFunctionality?: number;
  /** configurationNamingContext of the forest the domain belongs to. */
  configurationDn?: string;
}

/** The forest's SPN aliases (sPNMappings): alias service class → target class, lower case. */
export interface SpnMappings {
  forest: string;
  /** `directory`: read from the forest; `default`: Windows' default list, because the read failed. */
  source: 'directory' | 'default';
  aliases: Map<string, string>;
  error?: string;
}

/** One DC of a domain (its nTDSDSA object) and its msDS-Behavior-Version. */
export interface DcFunctionalLevel {
  dc: string;
  level: number;
}

/** Lockout, expiry and Kerberos encryption types of an account (undefined: not readable). */
export interface AccountState {
  lockedOut?: boolean;
  passwordExpired?: boolean;
  expired?: boolean;
  accountExpires?: string;
  supportedEncryptionTypes?: number;
}

export interface DcStatus {
  domain: string;
  url: string;
  ok: boolean;
  error?: string;
  latencyMs?: number;
}

/** The result of a compare-and-swap write of the RBCD attribute. */
export interface CasResult {
  before: Buffer | null;
  after: Buffer | null;
  changed: boolean;
  attempts: number;
}

/**
 * Decides the new attribute value from the value stored now. Return the new bytes, null to clear,
 * or `undefined` to leave the attribute as it is (nothing to do). Called again after a conflict.
 */
export type RbcdMutation = (current: Buffer | null) => Buffer | null | undefined;

/** How resolve() looks an identifier up, and what it reads besides the account. */
export interface ResolveOptions {
  /** Names the error code when nothing matches. */
  kind?: 'target' | 'principal' | 'user';
  /** Look in this domain only. */
  domain?: string;
  /** Read the RBCD value too (`rbcd`, null when absent). */
  withRbcd?: boolean;
  /** Read nTSecurityDescriptor too (`securityDescriptor`, null when absent or not readable), in the same search. */
  withSecurityDescriptor?: boolean;
  /**
   * Read only what names the account (DN, SID, GUID, sAMAccountName, dNSHostName, objectClass),
   * besides the value and descriptor asked for: the other fields stay empty (UAC 0, no SPNs...).
   * For views that show the account, never for a decision about it.
   */
  identityOnly?: boolean;
}

export interface SearchOptions {
  /** LDAP filter: a string with every value escaped (ldap-escape.ts), or a DirectoryQuery. */
  filter: string | DirectoryQuery;
  scope?: 'base' | 'one' | 'sub';
  attributes?: string[];
  sizeLimit?: number;
  pageSize?: number;
  /** Also read nTSecurityDescriptor (owner, group and DACL: the SD_FLAGS control, no SACL). */
  withSecurityDescriptor?: boolean;
}

export const UAC = {
  ACCOUNTDISABLE: 0x2,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
  PARTIAL_SECRETS_ACCOUNT: 0x4000000,
} as const;

export const RBCD_ATTRIBUTE = 'msDS-AllowedToActOnBehalfOfOtherIdentity';

/**
 * What a scan over many accounts reads to name each one and classify it (computer or user, DC,
 * Tier 0 through adminCount and the primary group): the inventory, standing entries and target
 * searches add what they report on top of it.
 */
export const SCAN_ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'dNSHostName',
  'objectClass',
  'userAccountControl',
  'primaryGroupID',
  'adminCount',
] as const;
export const SECURITY_DESCRIPTOR_ATTRIBUTE = 'nTSecurityDescriptor';
export const CREATOR_SID_ATTRIBUTE = 'mS-DS-CreatorSID';
export const REPL_METADATA_ATTRIBUTE = 'replPropertyMetaData';
