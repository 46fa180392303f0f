import type { Entry } from 'ldapts';
import { sidFromBytes } from '../security-descriptor';
import type { DirectoryObject } from './directory.types';
import {
  CREATOR_SID_ATTRIBUTE,
  RBCD_ATTRIBUTE,
  REPL_METADATA_ATTRIBUTE,
  SECURITY_DESCRIPTOR_ATTRIBUTE,
} from './directory.types';
import { guidFromBytes } from './identifier';

/** The attributes read for every account object. */
export const ACCOUNT_ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'dNSHostName',
  'userPrincipalName',
  'objectClass',
  'userAccountControl',
  'primaryGroupID',
  'adminCount',
  'servicePrincipalName',
  'msDS-AllowedToDelegateTo',
  'groupType',
  'mail',
  'managedBy',
  CREATOR_SID_ATTRIBUTE,
];

// ldapts matches these names case-sensitively against what the DC returns: both spellings.
export const BINARY_ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  RBCD_ATTRIBUTE,
  'tokenGroups',
  CREATOR_SID_ATTRIBUTE,
  'msDS-CreatorSID',
  SECURITY_DESCRIPTOR_ATTRIBUTE,
  'ntSecurityDescriptor',
  REPL_METADATA_ATTRIBUTE,
  'replpropertymetadata',
];

/** An attribute by name whatever case the DC spelled it in. */
function attribute(entry: Entry, name: string): Entry[string] | undefined {
  if (name in entry) return entry[name];
  const lower = name.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : entry[key];
}

function first(value: Entry[string] | undefined): string | Buffer | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function strings(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function optionalNumber(value: Entry[string] | undefined): number | undefined {
  const v = first(value);
  return v === undefined || v === '' ? undefined : Number(v);
}

export function toDirectoryObject(entry: Entry, domain: string): DirectoryObject {
  const sid = first(entry.objectSid);
  const guid = first(entry.objectGUID);
  const rbcd = first(entry[RBCD_ATTRIBUTE]);
  const object: DirectoryObject = {
    dn: entry.dn,
    domain,
    sid: Buffer.isBuffer(sid) ? sidFromBytes(sid) : '',
    guid: Buffer.isBuffer(guid) ? guidFromBytes(guid) : '',
    samAccountName: String(first(entry.sAMAccountName) ?? ''),
    objectClass: strings(entry.objectClass),
    userAccountControl: optionalNumber(entry.userAccountControl) ?? 0,
    servicePrincipalNames: strings(entry.servicePrincipalName),
    allowedToDelegateTo: strings(entry['msDS-AllowedToDelegateTo']),
  };
  const dnsHostName = first(entry.dNSHostName);
  if (dnsHostName) object.dnsHostName = String(dnsHostName);
  const upn = first(entry.userPrincipalName);
  if (upn) object.userPrincipalName = String(upn);
  const mail = first(entry.mail);
  if (mail) object.mail = String(mail);
  const managedBy = first(entry.managedBy);
  if (managedBy) object.managedBy = String(managedBy);
  const primaryGroupId = optionalNumber(entry.primaryGroupID);
  if (primaryGroupId !== undefined) object.primaryGroupId = primaryGroupId;
  const adminCount = optionalNumber(entry.adminCount);
  if (adminCount !== undefined) object.adminCount = adminCount;
  const groupType = optionalNumber(entry.groupType);
  if (groupType !== undefined) object.groupType = groupType;
  if (RBCD_ATTRIBUTE in entry) object.rbcd = Buffer.isBuffer(rbcd) ? rbcd : null;
  const creator = first(attribute(entry, CREATOR_SID_ATTRIBUTE));
  if (Buffer.isBuffer(creator) && creator.length > 0) object.creatorSid = creatorSidOf(creator);
  const descriptor = attribute(entry, SECURITY_DESCRIPTOR_ATTRIBUTE);
  if (descriptor !== undefined) {
    const bytes = first(descriptor);
    object.securityDescriptor = Buffer.isBuffer(bytes) && bytes.length > 0 ? bytes : null;
  }
  const whenChanged = first(attribute(entry, 'whenChanged'));
  if (whenChanged !== undefined) {
    const iso = generalizedTimeToIso(String(whenChanged));
    if (iso) object.whenChanged = iso;
  }
  const metadata = first(attribute(entry, REPL_METADATA_ATTRIBUTE));
  if (Buffer.isBuffer(metadata) && metadata.length > 0) object.replPropertyMetaData = metadata;
  return object;
}

/** `20261201080900.0Z` → `2026-12-01T08:09:00.000Z`; undefined when it is not a UTC GeneralizedTime. */
export function generalizedTimeToIso(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/.exec(value.trim());
  if (!m) return undefined;
  const at = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** A creator SID that does not decode still marks the computer as user-created. */
function creatorSidOf(bytes: Buffer): string {
  try {
    return sidFromBytes(bytes);
  } catch {
    return `undecodable:${bytes.toString('hex')}`;
  }
}
