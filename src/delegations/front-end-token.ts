import type { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { kdcDecision, type KdcDecision, type SecurityDescriptor } from '../security-descriptor';

/** How an account holds a SID of its token; a Windows KDC's PAC carries only some of these. */
export const TOKEN_SCOPES = ['self', 'implicit', 'global', 'universal', 'domain-local', 'builtin', 'unknown'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface TokenEntry {
  /** `direct`, `group NAME`, `implicit NAME`. */
  label: string;
  scope: TokenScope;
}

const GROUP_TYPE = { BUILTIN_LOCAL: 0x1, GLOBAL: 0x2, DOMAIN_LOCAL: 0x4, UNIVERSAL: 0x8 } as const;

/**
 * The SIDs the KDC matches against a descriptor when `account` asks for S4U2Proxy: its own SID, its
 * groups (tokenGroups, primary group included) and the SIDs every token holds (Everyone, ...), each
 * with how it is held. A group whose type cannot be read has scope `unknown`.
 */
export async function frontEndTokenEntries(directory: DirectoryPort, account: DirectoryObject): Promise<Map<string, TokenEntry>> {
  const groups = await directory.groupSids(account);
  const names = groups.length ? await directory.resolveSids(groups) : new Map<string, DirectoryObject | null>();
  const token = new Map<string, TokenEntry>();
  for (const sid of IMPLICIT_TOKEN_SIDS) token.set(sid, { label: `implicit ${WELL_KNOWN_SIDS[sid] ?? sid}`, scope: 'implicit' });
  for (const sid of groups) {
    const object = names.get(sid.toUpperCase());
    token.set(sid.toUpperCase(), { label: `group ${object?.samAccountName ?? WELL_KNOWN_SIDS[sid] ?? sid}`, scope: scopeOf(sid, object ?? undefined) });
  }
  token.set(account.sid.toUpperCase(), { label: 'direct', scope: 'self' });
  return token;
}

/** The same token as labels only (SID, upper case → `direct`, `group NAME`, `implicit NAME`). */
export async function frontEndToken(directory: DirectoryPort, account: DirectoryObject): Promise<Map<string, string>> {
  const entries = await frontEndTokenEntries(directory, account);
  return new Map([...entries].map(([sid, entry]) => [sid, entry.label]));
}

function scopeOf(sid: string, group: DirectoryObject | undefined): TokenScope {
  if (sid.toUpperCase().startsWith('S-1-5-32-')) return 'builtin';
  const type = group?.groupType;
  if (type === undefined) return 'unknown';
  if (type & GROUP_TYPE.BUILTIN_LOCAL) return 'builtin';
  if (type & GROUP_TYPE.DOMAIN_LOCAL) return 'domain-local';
  if (type & GROUP_TYPE.UNIVERSAL) return 'universal';
  if (type & GROUP_TYPE.GLOBAL) return 'global';
  return 'unknown';
}

/** What the KDC decides for this token (the first type 0/1 ACE with 0x100 whose SID the token holds). */
export function decideForToken(descriptor: SecurityDescriptor, token: Map<string, unknown>): KdcDecision {
  return kdcDecision(descriptor, (sid) => token.has(sid.toUpperCase()));
}
