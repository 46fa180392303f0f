// RBCD operations on the value of msDS-AllowedToActOnBehalfOfOtherIdentity. Pure functions over the
// decoded model: what they do not change keeps its bytes (other ACEs, owner, group, SACL, layout).
// "Effective" follows what the KDC honours for S4U2Proxy (checked on the Samba 4.22 KDC):
// only an ACCESS_ALLOWED ACE (type 0) applying to the object itself whose mask carries the
// control-access right 0x100 (GENERIC_ALL alone is not mapped), and only when no deny ACE covering
// 0x100 decided the bit before it (the first ACE that decides the bit wins). Object ACEs (types 5
// and 6) are ignored by the KDC, with or without an ObjectType. Windows evaluates the same value
// with its own access check; that it agrees ACE for ACE is not confirmed here (no Windows KDC).

import { Ace, AceFlag, AceType, accessAllowedAce, readRawAceMaskAndSid } from './ace';
import { ADS_RIGHT_DS_CONTROL_ACCESS, RBCD_ACCESS_MASK, formatAccessMask } from './access-mask';
import { ACL_REVISION_DS, emptyAcl } from './acl';
import { SdControl, SecurityDescriptor } from './security-descriptor';
import { canonicalSid } from './sid';

export const BUILTIN_ADMINISTRATORS_SID = 'S-1-5-32-544';

/** Why the KDC does not honour an ACE for S4U2Proxy. */
export type IneffectiveReason =
  'DENY_ACE' | 'OBJECT_ACE' | 'INEFFECTIVE_MASK' | 'INHERIT_ONLY_ACE' | 'DENIED_EARLIER' | 'UNKNOWN_ACE_TYPE';

export interface RbcdPrincipalEntry {
  sid: string;
  accessMask: number;
  aceType: 'allow' | 'deny' | number;
  aceTypeCode: number;
  flags: number;
  effective: boolean;
  /** Set when not effective: the first reason the KDC ignores this entry. */
  ineffective?: IneffectiveReason;
  objectType?: string;
}

export const RBCD_WARNING_CODES = [
  'INEFFECTIVE_MASK',
  'DENY_ACE',
  'EMPTY_DACL',
  'NO_DACL',
  'OBJECT_ACE',
  'UNKNOWN_ACE_TYPE',
  'INHERIT_ONLY_ACE',
  'DENIED_EARLIER',
  'DACL_NOT_PRESENT',
] as const;
export type RbcdWarningCode = (typeof RBCD_WARNING_CODES)[number];

export interface RbcdWarning {
  code: RbcdWarningCode;
  message: string;
  sid?: string;
}

/** What samba-tool writes: owner BA, no group or SACL, DACL revision 4, owner at 0x14 then the DACL. */
export function createRbcdDescriptor(principalSids: string[]): SecurityDescriptor {
  return {
    revision: 1,
    sbz1: 0,
    control: SdControl.SE_SELF_RELATIVE | SdControl.SE_DACL_PRESENT,
    owner: BUILTIN_ADMINISTRATORS_SID,
    group: null,
    sacl: null,
    dacl: {
      ...emptyAcl(ACL_REVISION_DS),
      aces: canonicalUnique(principalSids).map((sid) => accessAllowedAce(sid, RBCD_ACCESS_MASK)),
    },
    layout: ['owner', 'dacl'],
  };
}

/**
 * Appends an ACCESS_ALLOWED ACE (0xF01FF) for each SID that has no effective allow ACE yet. Returns
 * the same descriptor object when nothing was added. Raises the DACL revision to 4 when it adds
 * (never lowers it); creates the DACL (and sets SE_DACL_PRESENT) when there is none.
 */
export function addPrincipals(
  sd: SecurityDescriptor,
  sids: string[],
): { descriptor: SecurityDescriptor; added: string[] } {
  const requested = canonicalUnique(sids);
  const alreadyEffective = new Set<string>();
  for (const ace of sd.dacl?.aces ?? [])
    if (isEffectiveAllowAce(ace)) alreadyEffective.add((ace as { sid: string }).sid);
  const added = requested.filter((sid) => !alreadyEffective.has(sid));
  if (added.length === 0) return { descriptor: sd, added };

  const dacl = sd.dacl ?? emptyAcl(ACL_REVISION_DS);
  return {
    descriptor: {
      ...sd,
      control: sd.control | SdControl.SE_DACL_PRESENT,
      dacl: {
        ...dacl,
        revision: Math.max(dacl.revision, ACL_REVISION_DS),
        aces: [...dacl.aces, ...added.map((sid) => accessAllowedAce(sid, RBCD_ACCESS_MASK))],
      },
      layout: sd.layout.includes('dacl') ? sd.layout : [...sd.layout, 'dacl'],
    },
    added,
  };
}

/**
 * Removes the plain ACCESS_ALLOWED ACEs (type 0, any mask or flags) of these SIDs. Deny, object and
 * unknown ACEs stay. An emptied DACL stays present (as samba-tool leaves it). Returns the same
 * descriptor object when nothing was removed.
 */
export function removePrincipals(
  sd: SecurityDescriptor,
  sids: string[],
): { descriptor: SecurityDescriptor; removed: string[] } {
  const requested = canonicalUnique(sids);
  if (sd.dacl === null || requested.length === 0) return { descriptor: sd, removed: [] };
  const targets = new Set(requested);
  const hit = new Set<string>();
  const aces = sd.dacl.aces.filter((ace) => {
    if (ace.kind === 'access' && ace.type === AceType.ACCESS_ALLOWED && targets.has(ace.sid)) {
      hit.add(ace.sid);
      return false;
    }
    return true;
  });
  const removed = requested.filter((sid) => hit.has(sid));
  if (removed.length === 0) return { descriptor: sd, removed };
  return { descriptor: { ...sd, dacl: { ...sd.dacl, aces } }, removed };
}

/** ACE types that deny: a revoke never removes them (that could widen what a group of the SID allows). */
const DENY_TYPES = new Set<number>([
  AceType.ACCESS_DENIED,
  AceType.ACCESS_DENIED_OBJECT,
  AceType.ACCESS_DENIED_CALLBACK,
  AceType.ACCESS_DENIED_CALLBACK_OBJECT,
]);

/**
 * What an explicit revoke does: removes every ACE that names these SIDs and could allow anything,
 * whether the KDC honours it or not (type 0 with any mask or flags, object allow ACEs, allow
 * callback ACEs). Deny ACEs stay: removing one could let the SID through an allow for its group.
 * Returns the same descriptor object when nothing was removed.
 */
export function removeAllAllowAces(
  sd: SecurityDescriptor,
  sids: string[],
): { descriptor: SecurityDescriptor; removed: string[] } {
  const requested = canonicalUnique(sids);
  if (sd.dacl === null || requested.length === 0) return { descriptor: sd, removed: [] };
  const targets = new Set(requested);
  const hit = new Set<string>();
  const aces = sd.dacl.aces.filter((ace) => {
    if (DENY_TYPES.has(ace.type)) return true;
    const sid = ace.kind === 'raw' ? readRawAceMaskAndSid(ace)?.sid : ace.sid;
    if (sid === undefined || !targets.has(sid)) return true;
    hit.add(sid);
    return false;
  });
  const removed = requested.filter((sid) => hit.has(sid));
  if (removed.length === 0) return { descriptor: sd, removed };
  return { descriptor: { ...sd, dacl: { ...sd.dacl, aces } }, removed };
}

/** The KDC's answer for one token: the first ACE (in order) that decides the control-access bit. */
export interface KdcDecision {
  allowed: boolean;
  /** Index of the deciding ACE in the DACL; undefined when no ACE decided (refused). */
  index?: number;
  sid?: string;
}

/**
 * Evaluates the value as the KDC does for S4U2Proxy (Samba 4.22, checked with hand-written values):
 * ACEs in order, skipping inherit-only and object ACEs and those whose SID is not in the token; the
 * first type 0 or type 1 ACE whose mask holds 0x100 decides. No DACL or no deciding ACE: refused.
 */
export function kdcDecision(sd: SecurityDescriptor, inToken: (sid: string) => boolean): KdcDecision {
  const aces = sd.dacl?.aces ?? [];
  for (let index = 0; index < aces.length; index++) {
    const ace = aces[index];
    if (ace.kind !== 'access' || ace.flags & AceFlag.INHERIT_ONLY || !(ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS))
      continue;
    if (!inToken(ace.sid)) continue;
    return { allowed: ace.type === AceType.ACCESS_ALLOWED, index, sid: ace.sid };
  }
  return { allowed: false };
}

/**
 * Lists every ACE with its SID and whether the KDC honours it. An allow entry is not effective when
 * a deny ACE covering 0x100 comes before it for the same SID, or for one of `everyTokenSids` (SIDs
 * every front-end's token holds, such as Everyone): that deny decides first for anyone the allow names.
 */
export function listPrincipals(
  sd: SecurityDescriptor,
  options: { everyTokenSids?: readonly string[] } = {},
): { principals: RbcdPrincipalEntry[]; warnings: RbcdWarning[] } {
  const principals: RbcdPrincipalEntry[] = [];
  const warnings: RbcdWarning[] = [];
  if (sd.dacl === null) {
    warnings.push({
      code: 'NO_DACL',
      message: 'the descriptor has no DACL: no principal may delegate to this account',
    });
    return { principals, warnings };
  }
  if (!(sd.control & SdControl.SE_DACL_PRESENT)) {
    warnings.push({
      code: 'DACL_NOT_PRESENT',
      message: 'a DACL is stored but SE_DACL_PRESENT (0x0004) is not set in Control: Windows ignores such a DACL',
    });
  }
  if (sd.dacl.aces.length === 0) {
    warnings.push({ code: 'EMPTY_DACL', message: 'the DACL has no ACEs: no principal may delegate to this account' });
  }

  const universal = new Set((options.everyTokenSids ?? []).map((sid) => sid.toUpperCase()));
  const deniedSoFar = new Set<string>();
  for (const ace of sd.dacl.aces) {
    if (ace.kind === 'raw') {
      const maskAndSid = readRawAceMaskAndSid(ace);
      warnings.push({
        code: 'UNKNOWN_ACE_TYPE',
        message: `ACE type 0x${ace.type.toString(16)} is kept as is but not evaluated`,
        ...(maskAndSid && { sid: maskAndSid.sid }),
      });
      if (maskAndSid) {
        principals.push({
          sid: maskAndSid.sid,
          accessMask: maskAndSid.mask,
          aceType: ace.type,
          aceTypeCode: ace.type,
          flags: ace.flags,
          effective: false,
          ineffective: 'UNKNOWN_ACE_TYPE',
        });
      }
      continue;
    }

    const isDeny = ace.type === AceType.ACCESS_DENIED || ace.type === AceType.ACCESS_DENIED_OBJECT;
    const sid = ace.sid;
    const deniedEarlier =
      !isDeny && deniedSoFar.size > 0 && (deniedSoFar.has(sid) || [...universal].some((u) => deniedSoFar.has(u)));
    const ineffective = ineffectiveReason(ace, deniedEarlier);
    principals.push({
      sid,
      accessMask: ace.mask,
      aceType: ace.type === AceType.ACCESS_ALLOWED ? 'allow' : ace.type === AceType.ACCESS_DENIED ? 'deny' : ace.type,
      aceTypeCode: ace.type,
      flags: ace.flags,
      effective: ineffective === undefined,
      ...(ineffective && { ineffective }),
      ...(ace.kind === 'object' && ace.objectType !== undefined && { objectType: ace.objectType }),
    });
    if (
      ace.type === AceType.ACCESS_DENIED &&
      ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS &&
      !(ace.flags & AceFlag.INHERIT_ONLY)
    )
      deniedSoFar.add(sid);

    const mask = formatAccessMask(ace.mask);
    if (isDeny) {
      warnings.push({
        code: 'DENY_ACE',
        sid,
        message: `deny ACE (mask ${mask}) for ${sid}: it can override allow ACEs`,
      });
    }
    if (ace.kind === 'object') {
      const restricted =
        ace.objectType !== undefined ? ` restricted to object type ${ace.objectType}` : ' without an object type';
      warnings.push({
        code: 'OBJECT_ACE',
        sid,
        message: `object ACE (type ${ace.type})${restricted} for ${sid}: the KDC ignores object ACEs, so it neither allows nor denies delegation; write a plain allow ACE (type 0) with 0xf01ff`,
      });
    } else if (!isDeny && !(ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS)) {
      warnings.push({
        code: 'INEFFECTIVE_MASK',
        sid,
        message: `allow ACE for ${sid} has mask ${mask} without the control-access right 0x100 (the KDC does not map generic rights such as GENERIC_ALL): write 0xf01ff`,
      });
    }
    if (!isDeny && ace.flags & AceFlag.INHERIT_ONLY) {
      warnings.push({
        code: 'INHERIT_ONLY_ACE',
        sid,
        message: `allow ACE for ${sid} is inherit-only: it does not apply to this account`,
      });
    }
    if (ineffective === 'DENIED_EARLIER') {
      warnings.push({
        code: 'DENIED_EARLIER',
        sid,
        message: `allow ACE for ${sid} comes after a deny ACE covering 0x100 for the same SID (or one every token holds): the deny decides first, the KDC refuses`,
      });
    }
  }
  return { principals, warnings };
}

/** An allow ACE that lets its SID use S4U2Proxy to this account (unless a deny decided before it). */
export function isEffectiveAllowAce(ace: Ace): boolean {
  return (
    ace.kind === 'access' &&
    ace.type === AceType.ACCESS_ALLOWED &&
    (ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS) !== 0 &&
    (ace.flags & AceFlag.INHERIT_ONLY) === 0
  );
}

function ineffectiveReason(ace: Exclude<Ace, { kind: 'raw' }>, deniedEarlier: boolean): IneffectiveReason | undefined {
  if (ace.type === AceType.ACCESS_DENIED) return 'DENY_ACE';
  if (ace.kind === 'object') return 'OBJECT_ACE';
  if (!(ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS)) return 'INEFFECTIVE_MASK';
  if (ace.flags & AceFlag.INHERIT_ONLY) return 'INHERIT_ONLY_ACE';
  if (deniedEarlier) return 'DENIED_EARLIER';
  return undefined;
}

/** Canonical SID strings, first occurrence kept; throws InvalidSidError on a malformed one. */
function canonicalUnique(sids: readonly string[]): string[] {
  return [...new Set(sids.map(canonicalSid))];
}
