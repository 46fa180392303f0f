import type { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { AceType, type RbcdPrincipalEntry } from '../security-descriptor';

/**
 * The SIDs the KDC matches against a descriptor when `account` asks for S4U2Proxy: its own SID, its
 * groups (tokenGroups, primary group included) and the SIDs every token holds (Everyone, ...).
 * Maps each SID (upper case) to how the account holds it: `direct`, `group NAME`, `implicit NAME`.
 */
export async function frontEndToken(directory: DirectoryPort, account: DirectoryObject): Promise<Map<string, string>> {
  const groups = await directory.groupSids(account);
  const names = groups.length ? await directory.resolveSids(groups) : new Map<string, DirectoryObject | null>();
  const token = new Map<string, string>();
  for (const sid of IMPLICIT_TOKEN_SIDS) token.set(sid, `implicit ${WELL_KNOWN_SIDS[sid] ?? sid}`);
  for (const sid of groups) token.set(sid.toUpperCase(), `group ${names.get(sid.toUpperCase())?.samAccountName ?? WELL_KNOWN_SIDS[sid] ?? sid}`);
  token.set(account.sid.toUpperCase(), 'direct');
  return token;
}

/** A deny ACE for the whole object: a plain deny, or an object deny without an object type. */
export function deniesWholeObject(entry: RbcdPrincipalEntry): boolean {
  return entry.aceType === 'deny' || (entry.aceTypeCode === AceType.ACCESS_DENIED_OBJECT && entry.objectType === undefined);
}
