// RBCD operations on the value of msDS-AllowedToActOnBehalfOfOtherIdentity. Pure functions over the
// decoded model: what they do not change keeps its bytes (other ACEs, owner, group, SACL, layout).
// "Effective" follows what the KDC honours for S4U2Proxy: an allow ACE applying to the object itself
// whose mask carries the control-access right 0x100 (GENERIC_ALL alone is not mapped by the KDC).

import { Ace, AceFlag, AceType, accessAllowedAce, readRawAceMaskAndSid } from './ace';
import { ADS_RIGHT_DS_CONTROL_ACCESS, RBCD_ACCESS_MASK, formatAccessMask } from './access-mask';
import { ACL_REVISION_DS, emptyAcl } from './acl';
import { SdControl, SecurityDescriptor } from './security-descriptor';
import { canonicalSid } from './sid';

export const BUILTIN_ADMINISTRATORS_SID = 'S-1-5-32-544';

export interface RbcdPrincipalEntry {
  sid: string;
  accessMask: number;
  aceType: 'allow' | 'deny' | number;
  aceTypeCode: number;
  flags: number;
  effective: boolean;
  objectType?: string;
}

export type RbcdWarningCode =
  | 'INEFFECTIVE_MASK'
  | 'DENY_ACE'
  | 'EMPTY_DACL'
  | 'NO_DACL'
  | 'OBJECT_ACE'
  | 'UNKNOWN_ACE_TYPE'
  | 'INHERIT_ONLY_ACE'
  | 'DACL_NOT_PRESENT';

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
    dacl: { ...emptyAcl(ACL_REVISION_DS), aces: canonicalUnique(principalSids).map((sid) => accessAllowedAce(sid, RBCD_ACCESS_MASK)) },
    layout: ['owner', 'dacl'],
  };
}

/**
 * Appends an ACCESS_ALLOWED ACE (0xF01FF) for each SID that has no effective allow ACE yet. Returns
 * the same descriptor object when nothing was added. Raises the DACL revision to 4 when it adds
 * (never lowers it); creates the DACL (and sets SE_DACL_PRESENT) when there is none.
 */
export function addPrincipals(sd: SecurityDescriptor, sids: string[]): { descriptor: SecurityDescriptor; added: string[] } {
  const requested = canonicalUnique(sids);
  const alreadyEffective = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) if (isEffectiveAllowAce(ace)) alreadyEffective.add((ace as { sid: string }).sid);
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
export function removePrincipals(sd: SecurityDescriptor, sids: string[]): { descriptor: SecurityDescriptor; removed: string[] } {
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

export function listPrincipals(sd: SecurityDescriptor): { principals: RbcdPrincipalEntry[]; warnings: RbcdWarning[] } {
  const principals: RbcdPrincipalEntry[] = [];
  const warnings: RbcdWarning[] = [];
  if (sd.dacl === null) {
    warnings.push({ code: 'NO_DACL', message: 'the descriptor has no DACL: no principal may delegate to this account' });
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

  for (const ace of sd.dacl.aces) {
    if (ace.kind === 'raw') {
      const maskAndSid = readRawAceMaskAndSid(ace);
      warnings.push({
        code: 'UNKNOWN_ACE_TYPE',
        message: `ACE type 0x${ace.type.toString(16)} is kept as is but not evaluated`,
        ...(maskAndSid && { sid: maskAndSid.sid }),
      });
      if (maskAndSid) {
        principals.push({ sid: maskAndSid.sid, accessMask: maskAndSid.mask, aceType: ace.type, aceTypeCode: ace.type, flags: ace.flags, effective: false });
      }
      continue;
    }

    const effective = isEffectiveAllowAce(ace);
    const isDeny = ace.type === AceType.ACCESS_DENIED || ace.type === AceType.ACCESS_DENIED_OBJECT;
    principals.push({
      sid: ace.sid,
      accessMask: ace.mask,
      aceType: ace.type === AceType.ACCESS_ALLOWED ? 'allow' : ace.type === AceType.ACCESS_DENIED ? 'deny' : ace.type,
      aceTypeCode: ace.type,
      flags: ace.flags,
      effective,
      ...(ace.kind === 'object' && ace.objectType !== undefined && { objectType: ace.objectType }),
    });

    const sid = ace.sid;
    const mask = formatAccessMask(ace.mask);
    if (isDeny) {
      warnings.push({ code: 'DENY_ACE', sid, message: `deny ACE (mask ${mask}) for ${sid}: it can override allow ACEs` });
    }
    if (ace.kind === 'object' && ace.objectType !== undefined) {
      warnings.push({
        code: 'OBJECT_ACE',
        sid,
        message: `object ACE for ${sid} restricted to object type ${ace.objectType}: not evaluated by the KDC`,
      });
    } else if (!isDeny && !(ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS)) {
      warnings.push({
        code: 'INEFFECTIVE_MASK',
        sid,
        message: `allow ACE for ${sid} has mask ${mask} without the control-access right 0x100 (the KDC does not map generic rights such as GENERIC_ALL): write 0xf01ff`,
      });
    }
    if (!isDeny && ace.flags & AceFlag.INHERIT_ONLY) {
      warnings.push({ code: 'INHERIT_ONLY_ACE', sid, message: `allow ACE for ${sid} is inherit-only: it does not apply to this account` });
    }
  }
  return { principals, warnings };
}

/** An allow ACE that lets its SID use S4U2Proxy to this account. */
export function isEffectiveAllowAce(ace: Ace): boolean {
  const allows =
    (ace.kind === 'access' && ace.type === AceType.ACCESS_ALLOWED) ||
    (ace.kind === 'object' && ace.type === AceType.ACCESS_ALLOWED_OBJECT && ace.objectType === undefined);
  return allows && (ace.mask & ADS_RIGHT_DS_CONTROL_ACCESS) !== 0 && (ace.flags & AceFlag.INHERIT_ONLY) === 0;
}

/** Canonical SID strings, first occurrence kept; throws InvalidSidError on a malformed one. */
function canonicalUnique(sids: readonly string[]): string[] {
  return [...new Set(sids.map(canonicalSid))];
}
