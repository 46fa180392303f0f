import type { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { kdcDecision, type KdcDecision, type SecurityDescriptor } from '../security-descriptor';

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

/** What the KDC decides for this token (the first type 0/1 ACE with 0x100 whose SID the token holds). */
export function decideForToken(descriptor: SecurityDescriptor, token: Map<string, string>): KdcDecision {
  return kdcDecision(descriptor, (sid) => token.has(sid.toUpperCase()));
}
