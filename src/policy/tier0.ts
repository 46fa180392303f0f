// Who counts as Tier 0 (control of the domain), from SIDs and account facts alone. Pure.
import { UAC, type DirectoryObject } from '../directory/directory.types';
import { domainSidOf, ridOf } from '../directory/well-known-sids';

/** SIDs outside any domain that are Tier 0: SYSTEM, Enterprise Domain Controllers, BUILTIN admin-like groups. */
export const TIER0_WELL_KNOWN_SIDS: Record<string, string> = {
  'S-1-5-18': 'SYSTEM',
  'S-1-5-9': 'Enterprise Domain Controllers',
  'S-1-5-32-544': 'BUILTIN\\Administrators',
  'S-1-5-32-548': 'BUILTIN\\Account Operators',
  'S-1-5-32-549': 'BUILTIN\\Server Operators',
  'S-1-5-32-550': 'BUILTIN\\Print Operators',
  'S-1-5-32-551': 'BUILTIN\\Backup Operators',
};

/** Tier 0 accounts and groups of every domain, by RID. */
export const TIER0_DOMAIN_RIDS: Record<number, string> = {
  498: 'Enterprise Read-only Domain Controllers',
  502: 'krbtgt',
  512: 'Domain Admins',
  516: 'Domain Controllers',
  518: 'Schema Admins',
  519: 'Enterprise Admins',
  521: 'Read-only Domain Controllers',
};

const DC_PRIMARY_GROUPS = new Set([516, 521]);

/** The Tier 0 name of a SID (well-known or by domain RID), or undefined. */
export function tier0SidName(sid: string): string | undefined {
  const upper = sid.toUpperCase();
  if (TIER0_WELL_KNOWN_SIDS[upper]) return TIER0_WELL_KNOWN_SIDS[upper];
  const rid = domainSidOf(upper) ? ridOf(upper) : undefined;
  return rid !== undefined ? TIER0_DOMAIN_RIDS[rid] : undefined;
}

/** krbtgt, or an RODC's krbtgt_NNNNN. */
export function isKrbtgt(object: Pick<DirectoryObject, 'samAccountName' | 'sid'>): boolean {
  return /^krbtgt(_\d+)?$/i.test(object.samAccountName) || ridOf(object.sid) === 502;
}

/** A domain controller, read-only ones included. */
export function isDomainController(object: Pick<DirectoryObject, 'userAccountControl' | 'primaryGroupId'>): boolean {
  return (
    (object.userAccountControl & (UAC.SERVER_TRUST_ACCOUNT | UAC.PARTIAL_SECRETS_ACCOUNT)) !== 0 ||
    (object.primaryGroupId !== undefined && DC_PRIMARY_GROUPS.has(object.primaryGroupId))
  );
}

/** Why this account is Tier 0 by its own facts (not its groups), or undefined. */
export function tier0AccountReason(object: DirectoryObject): string | undefined {
  const bySid = tier0SidName(object.sid);
  if (bySid) return bySid;
  if (isDomainController(object)) return 'domain controller';
  if (isKrbtgt(object)) return 'krbtgt';
  if (object.adminCount === 1) return 'adminCount=1';
  return undefined;
}
