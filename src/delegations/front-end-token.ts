import type { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { isEffectiveAllowAce, kdcDecision, type KdcDecision, type SecurityDescriptor } from '../security-descriptor';

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
export async function frontEndTokenEntries(
  directory: DirectoryPort,
  account: DirectoryObject,
): Promise<Map<string, TokenEntry>> {
  const groups = await directory.groupSids(account);
  const names = groups.length ? await directory.resolveSids(groups) : new Map<string, DirectoryObject | null>();
  const token = new Map<string, TokenEntry>();
  for (const sid of IMPLICIT_TOKEN_SIDS)
    token.set(sid, { label: `implicit ${WELL_KNOWN_SIDS[sid] ?? sid}`, scope: 'implicit' });
  for (const sid of groups) {
    const object = names.get(sid.toUpperCase());
    token.set(sid.toUpperCase(), {
      label: `group ${object?.samAccountName ?? WELL_KNOWN_SIDS[sid] ?? sid}`,
      scope: scopeOf(sid, object ?? undefined),
    });
  }
  token.set(account.sid.toUpperCase(), { label: 'direct', scope: 'self' });
  return token;
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

/** Token entries a Windows KDC finds in the front-end's TGT PAC: its own SID, implicit SIDs, global and universal groups. */
const IN_TGT_PAC = new Set<TokenScope>(['self', 'implicit', 'global', 'universal']);

/**
 * The entries through which the token is granted, when every one of them is a domain-local,
 * BUILTIN or unreadable group; undefined when one of them is in the TGT PAC (or nothing grants).
 * A Windows KDC checks S4U2Proxy against the TGT PAC, so it may refuse what Samba's KDC allows.
 */
export function grantedOnlyOutsideTgtPac(
  descriptor: SecurityDescriptor,
  token: Map<string, TokenEntry>,
): TokenEntry[] | undefined {
  const granting = (descriptor.dacl?.aces ?? [])
    .filter(isEffectiveAllowAce)
    .map((ace) => token.get((ace as { sid: string }).sid.toUpperCase()))
    .filter((e): e is TokenEntry => e !== undefined);
  if (!granting.length || granting.some((e) => IN_TGT_PAC.has(e.scope))) return undefined;
  return granting;
}

export function groupScopeWarning(principal: string, granting: TokenEntry[]): string {
  const names = granting.map((e) => `${e.label} (${e.scope})`).join(', ');
  return `${principal} reaches the ACE only through ${names}. A Windows KDC checks S4U2Proxy against the front-end's TGT PAC, which carries global and universal groups: use a global or universal group (or the account itself). Checked on Samba only, whose KDC allows it`;
}
