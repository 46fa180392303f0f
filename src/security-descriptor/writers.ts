// Who may change one property of a directory object, read from the object's nTSecurityDescriptor
// (owner + DACL; [MS-DTYP] 2.5.3.2 access check and [MS-ADTS] 5.1.3 for the directory rights).
// Pure: the caller names the object's class and the property (attribute GUID plus its property set)
// and gets each trustee SID with the rights that let it write that property:
//   - an allow ACE that applies to the object itself (not INHERIT_ONLY; an object ACE's
//     InheritedObjectType absent or the object's class) granting GENERIC_ALL, GENERIC_WRITE,
//     WRITE_DAC, WRITE_OWNER, WriteProperty with no ObjectType / the attribute / its property set,
//     or (when asked) the validated write of the property;
//   - the owner: implicit WRITE_DAC, unless an OWNER RIGHTS (S-1-3-4) ACE applies, which then
//     replaces the owner's implicit rights with what it grants;
//   - a deny ACE that comes first and covers the right takes it away (a deny for Everyone or
//     Authenticated Users covers every trustee, since every token holds them).
// Groups stay groups: nothing here expands membership.

import { type Ace, AceFlag, AceType } from './ace';
import {
  ADS_RIGHT_DS_SELF,
  ADS_RIGHT_DS_WRITE_PROP,
  GENERIC_ALL,
  GENERIC_WRITE,
  WRITE_DAC,
  WRITE_OWNER,
} from './access-mask';
import type { SecurityDescriptor } from './security-descriptor';

export const OWNER_RIGHTS_SID = 'S-1-3-4';
export const CREATOR_OWNER_SID = 'S-1-3-0';
/** Deny ACEs for these cover everyone: every token holds them. */
const EVERY_TOKEN_SIDS = new Set(['S-1-1-0', 'S-1-5-11']);

/** The rights a writer report names, in this order. */
export const WRITER_RIGHTS = [
  'GenericAll',
  'GenericWrite',
  'WriteDacl',
  'WriteOwner',
  'WriteProperty',
  'ValidatedWrite',
] as const;
export type WriterRight = (typeof WRITER_RIGHTS)[number];
export const WRITER_VIAS = ['owner', 'ace'] as const;
export type WriterVia = (typeof WRITER_VIAS)[number];

export interface PropertyWriter {
  sid: string;
  rights: WriterRight[];
  via: WriterVia;
}

export interface PropertyWriteSpec {
  /** schemaIdGuid of the object's class (computer, group...), lower case. */
  objectClassGuid: string;
  /** schemaIdGuid of the attribute and of the property set that holds it, lower case. */
  propertyGuids: string[];
  /** Validated-write GUIDs that also change it (the self-membership write of `member`). */
  validatedWriteGuids?: string[];
}

/** A basic right the engine decides per trustee; each maps to one report label. */
type Basic = 'WP' | 'SELF' | 'WD' | 'WO';
const BASICS: Basic[] = ['WP', 'SELF', 'WD', 'WO'];

const MAPPED_GENERIC_ALL = 0x000f01ff;
const MAPPED_GENERIC_WRITE = 0x00020028;

/** Every trustee that may write the property, owner first, then in DACL order. */
export function propertyWriters(sd: SecurityDescriptor, spec: PropertyWriteSpec): PropertyWriter[] {
  const aces = (sd.dacl?.aces ?? []).filter((ace) => appliesToObject(ace, spec.objectClassGuid));
  const decided = new Map<string, Map<Basic, WriterRight | null>>();
  const order: string[] = [];
  const everyoneDenied = new Set<Basic>();
  const ownerRightsAces = aces.filter((ace) => 'sid' in ace && ace.sid.toUpperCase() === OWNER_RIGHTS_SID);

  for (const ace of aces) {
    if (ace.kind === 'raw') continue; // callback and other types: not decided here
    const sid = ace.sid.toUpperCase();
    if (sid === CREATOR_OWNER_SID || sid === OWNER_RIGHTS_SID) continue; // placeholders, see the owner below
    const isDeny = ace.type === AceType.ACCESS_DENIED || ace.type === AceType.ACCESS_DENIED_OBJECT;
    const covered = coveredBasics(ace, spec);
    if (covered.size === 0) continue;
    if (isDeny && EVERY_TOKEN_SIDS.has(sid)) for (const b of covered.keys()) everyoneDenied.add(b);
    let rights = decided.get(sid);
    if (!rights) {
      rights = new Map();
      decided.set(sid, rights);
      order.push(sid);
    }
    for (const [basic, label] of covered) {
      if (rights.has(basic)) continue; // the first ACE that covers a right decides it
      rights.set(basic, isDeny || everyoneDenied.has(basic) ? null : label);
    }
  }

  const writers: PropertyWriter[] = [];
  if (sd.owner) {
    const owner = sd.owner.toUpperCase();
    const ownerRights: WriterRight[] = ownerRightsAces.length
      ? labelsOf(decideFor(ownerRightsAces, spec, everyoneDenied))
      : ['WriteDacl']; // implicit, and no deny takes it away
    if (ownerRights.length) writers.push({ sid: owner, rights: ownerRights, via: 'owner' });
  }
  for (const sid of order) {
    const rights = labelsOf(decided.get(sid) as Map<Basic, WriterRight | null>);
    if (rights.length) writers.push({ sid, rights, via: 'ace' });
  }
  return writers;
}

function decideFor(aces: Ace[], spec: PropertyWriteSpec, everyoneDenied: Set<Basic>): Map<Basic, WriterRight | null> {
  const rights = new Map<Basic, WriterRight | null>();
  for (const ace of aces) {
    if (ace.kind === 'raw') continue;
    const isDeny = ace.type === AceType.ACCESS_DENIED || ace.type === AceType.ACCESS_DENIED_OBJECT;
    for (const [basic, label] of coveredBasics(ace, spec))
      if (!rights.has(basic)) rights.set(basic, isDeny || everyoneDenied.has(basic) ? null : label);
  }
  return rights;
}

function labelsOf(rights: Map<Basic, WriterRight | null>): WriterRight[] {
  const labels = new Set<WriterRight>();
  for (const basic of BASICS) {
    const label = rights.get(basic);
    if (label) labels.add(label);
  }
  return WRITER_RIGHTS.filter((r) => labels.has(r));
}

/** Not INHERIT_ONLY, and an object ACE's InheritedObjectType is absent or the object's class. */
export function appliesToObject(ace: Ace, objectClassGuid: string): boolean {
  if (ace.flags & AceFlag.INHERIT_ONLY) return false;
  if (ace.kind === 'object' && ace.inheritedObjectType !== undefined)
    return ace.inheritedObjectType.toLowerCase() === objectClassGuid.toLowerCase();
  return true;
}

/** Which basic rights this ACE covers for the property, each with the label it reports. */
function coveredBasics(ace: Ace, spec: PropertyWriteSpec): Map<Basic, WriterRight> {
  const covered = new Map<Basic, WriterRight>();
  if (ace.kind === 'raw') return covered;
  if (
    ace.type !== AceType.ACCESS_ALLOWED &&
    ace.type !== AceType.ACCESS_DENIED &&
    ace.type !== AceType.ACCESS_ALLOWED_OBJECT &&
    ace.type !== AceType.ACCESS_DENIED_OBJECT
  ) {
    return covered;
  }
  const mask = ace.mask >>> 0;
  const objectType = ace.kind === 'object' ? ace.objectType?.toLowerCase() : undefined;
  // Rights on the whole object (WRITE_DAC, WRITE_OWNER, generic rights) come from ACEs without an
  // ObjectType, or whose ObjectType is the object's own class.
  const wholeObject = objectType === undefined || objectType === spec.objectClassGuid.toLowerCase();
  const label = (specific: WriterRight): WriterRight =>
    !wholeObject
      ? specific
      : mask & GENERIC_ALL || (mask & MAPPED_GENERIC_ALL) === MAPPED_GENERIC_ALL
        ? 'GenericAll'
        : mask & GENERIC_WRITE || (mask & MAPPED_GENERIC_WRITE) === MAPPED_GENERIC_WRITE
          ? 'GenericWrite'
          : specific;
  const genericAll = wholeObject && (mask & GENERIC_ALL) !== 0;
  const genericWrite = wholeObject && (mask & GENERIC_WRITE) !== 0;
  if (genericAll || (wholeObject && mask & WRITE_DAC)) covered.set('WD', label('WriteDacl'));
  if (genericAll || (wholeObject && mask & WRITE_OWNER)) covered.set('WO', label('WriteOwner'));
  const onProperty = wholeObject || spec.propertyGuids.some((g) => g.toLowerCase() === objectType);
  if (genericAll || genericWrite || (onProperty && mask & ADS_RIGHT_DS_WRITE_PROP))
    covered.set('WP', label('WriteProperty'));
  const validated = spec.validatedWriteGuids ?? [];
  if (validated.length) {
    const onValidated = wholeObject || validated.some((g) => g.toLowerCase() === objectType);
    if (genericAll || genericWrite || (onValidated && mask & ADS_RIGHT_DS_SELF))
      covered.set('SELF', label('ValidatedWrite'));
  }
  return covered;
}
