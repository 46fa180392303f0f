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
 * against the sandbox KDC (S4U2Proxy allowed by an ACE for that SID alone). Builtin aliases that
 * contain them (BUILTIN\Users, Pre-Windows 2000 Compatible Access) count too on a KDC, but are not
 * expanded here.
 */
export const IMPLICIT_TOKEN_SIDS = ['S-1-1-0', 'S-1-5-2', 'S-1-5-11', 'S-1-18-1'];

/** `S-1-5-21-a-b-c-RID` → `S-1-5-21-a-b-c` (undefined for SIDs outside a domain). */
export function domainSidOf(sid: string): string | undefined {
  const match = /^(S-1-5-21-\d+-\d+-\d+)-\d+$/i.exec(sid);
  return match?.[1].toUpperCase();
}

export function ridOf(sid: string): number | undefined {
  const match = /-(\d+)$/.exec(sid);
  return match ? Number(match[1]) : undefined;
}
