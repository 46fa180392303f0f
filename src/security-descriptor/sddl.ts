// SDDL rendering, [MS-DTYP] 2.5.1, for logs and operator output (no parsing).
// Form chosen: "O:<owner>G:<group>D:<dacl flags>(<ace>)...S:<sacl flags>(<ace>)...", components
// omitted when absent; well-known SIDs as their two-letter aliases (BA, SY, ...) wherever a SID
// appears, every other SID in S-1-... form; access masks always as lower-case hex ("0xf01ff") rather
// than right letters, so an ineffective GENERIC_ALL ("0x10000000") is plain to see; object ACEs as
// OA/OD with their GUIDs; an ACE type SDDL has no letters for here as "0x<type>" followed by the
// mask and SID when its body has the ordinary Mask+Sid layout (empty fields otherwise).
// Example (samba-tool, one principal): O:BAD:(A;;0xf01ff;;;S-1-5-21-3380422353-1244287392-2247175365-1102)

import { Ace, AceFlag, AceType, readRawAceMaskAndSid } from './ace';
import { Acl } from './acl';
import { formatAccessMask } from './access-mask';
import { SecurityDescriptor, SdControl } from './security-descriptor';

/** [MS-DTYP] 2.5.1.1 aliases that do not depend on a domain SID. */
const SID_ALIASES: Readonly<Record<string, string>> = {
  'S-1-1-0': 'WD',
  'S-1-3-0': 'CO',
  'S-1-3-1': 'CG',
  'S-1-3-4': 'OW',
  'S-1-5-2': 'NU',
  'S-1-5-4': 'IU',
  'S-1-5-6': 'SU',
  'S-1-5-7': 'AN',
  'S-1-5-9': 'ED',
  'S-1-5-10': 'PS',
  'S-1-5-11': 'AU',
  'S-1-5-12': 'RC',
  'S-1-5-18': 'SY',
  'S-1-5-19': 'LS',
  'S-1-5-20': 'NS',
  'S-1-5-32-544': 'BA',
  'S-1-5-32-545': 'BU',
  'S-1-5-32-546': 'BG',
  'S-1-5-32-547': 'PU',
  'S-1-5-32-548': 'AO',
  'S-1-5-32-549': 'SO',
  'S-1-5-32-550': 'PO',
  'S-1-5-32-551': 'BO',
  'S-1-5-32-552': 'RE',
  'S-1-5-32-554': 'RU',
  'S-1-5-32-555': 'RD',
  'S-1-5-32-556': 'NO',
};

const ACE_TYPE_LETTERS: Readonly<Record<number, string>> = {
  [AceType.ACCESS_ALLOWED]: 'A',
  [AceType.ACCESS_DENIED]: 'D',
  [AceType.SYSTEM_AUDIT]: 'AU',
  [AceType.SYSTEM_ALARM]: 'AL',
  [AceType.ACCESS_ALLOWED_OBJECT]: 'OA',
  [AceType.ACCESS_DENIED_OBJECT]: 'OD',
  [AceType.SYSTEM_AUDIT_OBJECT]: 'OU',
  [AceType.SYSTEM_ALARM_OBJECT]: 'OL',
};

const ACE_FLAG_LETTERS: readonly [number, string][] = [
  [AceFlag.OBJECT_INHERIT, 'OI'],
  [AceFlag.CONTAINER_INHERIT, 'CI'],
  [AceFlag.NO_PROPAGATE_INHERIT, 'NP'],
  [AceFlag.INHERIT_ONLY, 'IO'],
  [AceFlag.INHERITED, 'ID'],
  [AceFlag.SUCCESSFUL_ACCESS, 'SA'],
  [AceFlag.FAILED_ACCESS, 'FA'],
];

export function toSddl(sd: SecurityDescriptor): string {
  let text = '';
  if (sd.owner !== null) text += 'O:' + sidToSddl(sd.owner);
  if (sd.group !== null) text += 'G:' + sidToSddl(sd.group);
  text += aclToSddl(
    'D:',
    sd.dacl,
    sd.control,
    SdControl.SE_DACL_PRESENT,
    SdControl.SE_DACL_PROTECTED,
    SdControl.SE_DACL_AUTO_INHERIT_REQ,
    SdControl.SE_DACL_AUTO_INHERITED,
  );
  text += aclToSddl(
    'S:',
    sd.sacl,
    sd.control,
    SdControl.SE_SACL_PRESENT,
    SdControl.SE_SACL_PROTECTED,
    SdControl.SE_SACL_AUTO_INHERIT_REQ,
    SdControl.SE_SACL_AUTO_INHERITED,
  );
  return text;
}

export function sidToSddl(sid: string): string {
  return SID_ALIASES[sid] ?? sid;
}

function aclToSddl(
  prefix: string,
  acl: Acl | null,
  control: number,
  present: number,
  isProtected: number,
  autoInheritReq: number,
  autoInherited: number,
): string {
  if (acl === null) return control & present ? prefix + 'NO_ACCESS_CONTROL' : '';
  let text = prefix;
  if (control & isProtected) text += 'P';
  if (control & autoInheritReq) text += 'AR';
  if (control & autoInherited) text += 'AI';
  for (const ace of acl.aces) text += aceToSddl(ace);
  return text;
}

function aceToSddl(ace: Ace): string {
  const type = ACE_TYPE_LETTERS[ace.type] ?? '0x' + ace.type.toString(16);
  const flags = aceFlagsToSddl(ace.flags);
  switch (ace.kind) {
    case 'access':
      return `(${type};${flags};${formatAccessMask(ace.mask)};;;${sidToSddl(ace.sid)})`;
    case 'object':
      return `(${type};${flags};${formatAccessMask(ace.mask)};${ace.objectType ?? ''};${ace.inheritedObjectType ?? ''};${sidToSddl(ace.sid)})`;
    case 'raw': {
      const maskAndSid = readRawAceMaskAndSid(ace);
      if (maskAndSid === undefined) return `(${type};${flags};;;;)`;
      return `(${type};${flags};${formatAccessMask(maskAndSid.mask)};;;${sidToSddl(maskAndSid.sid)})`;
    }
  }
}

function aceFlagsToSddl(flags: number): string {
  let text = '';
  let rest = flags;
  for (const [bit, letters] of ACE_FLAG_LETTERS) {
    if (flags & bit) {
      text += letters;
      rest &= ~bit;
    }
  }
  return rest ? text + '0x' + rest.toString(16) : text;
}
