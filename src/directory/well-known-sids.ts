/** Well-known SIDs that have a name without asking a DC ([MS-DTYP] 2.4.2.4). */
export const WELL_KNOWN_SIDS: Record<string, string> = {
  'S-1-1-0': 'Everyone',
  'S-1-3-0': 'CREATOR OWNER',
  'S-1-5-2': 'NETWORK',
  'S-1-5-7': 'ANONYMOUS LOGON',
  'S-1-5-9': 'ENTERPRISE DOMAIN CONTROLLERS',
  'S-1-5-10': 'SELF',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-18': 'SYSTEM',
  'S-1-5-32-544': 'BUILTIN\\Administrators',
  'S-1-5-32-545': 'BUILTIN\\Users',
  'S-1-5-32-548': 'BUILTIN\\Account Operators',
  'S-1-5-32-549': 'BUILTIN\\Server Operators',
  'S-1-5-32-550': 'BUILTIN\\Print Operators',
  'S-1-5-32-551': 'BUILTIN\\Backup Operators',
  'S-1-5-32-554': 'BUILTIN\\Pre-Windows 2000 Compatible Access',
  'S-1-18-1': 'Authentication authority asserted identity',
};

/**
 * SIDs in every front-end's token when the KDC checks an RBCD descriptor, on top of the account's
 * own SID and tokenGroups: an ACE for one of them lets any front-end delegate. Each was checked
 * against the sandbox KDC (S4U2Proxy allowed by an ACE for that SID alone). BUILTIN aliases that
 * contain them (BUILTIN\Users, Pre-Windows 2000 Compatible Access) are added per domain by
 * DirectoryPort.groupSids. S-1-5-15 (This Organization) is not in that token: the KDC refused it.
 */
export const IMPLICIT_TOKEN_SIDS = ['S-1-1-0', 'S-1-5-2', 'S-1-5-11', 'S-1-18-1'];

/** Domain groups every user or computer is in (by RID): Domain Users, Domain Guests, Domain Computers. */
const EVERY_ACCOUNT_RIDS: Record<number, string> = {
  513: 'Domain Users',
  514: 'Domain Guests',
  515: 'Domain Computers',
};
const EVERY_ACCOUNT_SIDS = new Set([...IMPLICIT_TOKEN_SIDS, 'S-1-5-7', 'S-1-5-32-545', 'S-1-5-32-554']);

/**
 * The name of a SID that any account holds, or can get by creating a computer account (which any
 * user may, up to ms-DS-MachineAccountQuota): Everyone, Authenticated Users, BUILTIN\Users, Domain
 * Computers... An RBCD entry for one lets an attacker's own computer delegate. Undefined otherwise.
 */
export function heldByAnyAccount(sid: string): string | undefined {
  const upper = sid.toUpperCase();
  if (EVERY_ACCOUNT_SIDS.has(upper)) return WELL_KNOWN_SIDS[upper] ?? upper;
  const rid = domainSidOf(upper) ? ridOf(upper) : undefined;
  return rid !== undefined ? EVERY_ACCOUNT_RIDS[rid] : undefined;
}

/** `S-1-5-21-a-b-c-RID` → `S-1-5-21-a-b-c` (undefined for SIDs outside a domain). */
export function domainSidOf(sid: string): string | undefined {
  const match = /^(S-1-5-21-\d+-\d+-\d+)-\d+$/i.exec(sid);
  return match?.[1].toUpperCase();
}

export function ridOf(sid: string): number | undefined {
  const match = /-(\d+)$/.exec(sid);
  return match ? Number(match[1]) : undefined;
}
