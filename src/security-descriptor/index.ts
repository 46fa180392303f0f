// Security-descriptor codec for msDS-AllowedToActOnBehalfOfOtherIdentity ([MS-DTYP] 2.4): pure
// functions, no framework imports.

export { SecurityDescriptorError, InvalidSidError } from './errors';
export type { Sid } from './sid';
export {
  parseSid,
  formatSid,
  isSidString,
  canonicalSid,
  sidToBytes,
  sidFromBytes,
  SID_MAX_SUB_AUTHORITIES,
} from './sid';
export { isGuidString } from './guid';
export * from './access-mask';
export type { Ace, AccessAce, ObjectAce, RawAce } from './ace';
export { AceType, AceFlag, ACE_OBJECT_TYPE_PRESENT, ACE_INHERITED_OBJECT_TYPE_PRESENT, accessAllowedAce } from './ace';
export type { Acl } from './acl';
export { ACL_REVISION, ACL_REVISION_DS, emptyAcl } from './acl';
export type { SecurityDescriptor, SecurityDescriptorPart } from './security-descriptor';
export { SdControl, decodeSecurityDescriptor, encodeSecurityDescriptor } from './security-descriptor';
export { toSddl } from './sddl';
export type { IneffectiveReason, KdcDecision, RbcdPrincipalEntry, RbcdWarning, RbcdWarningCode } from './rbcd';
export {
  BUILTIN_ADMINISTRATORS_SID,
  createRbcdDescriptor,
  addPrincipals,
  removePrincipals,
  removeAllAllowAces,
  kdcDecision,
  listPrincipals,
  isEffectiveAllowAce,
  RBCD_WARNING_CODES,
} from './rbcd';
export type { PropertyWriter, PropertyWriteSpec, WriterRight, WriterVia } from './writers';
export { propertyWriters, appliesToObject, WRITER_RIGHTS, OWNER_RIGHTS_SID } from './writers';
export { AD_SCHEMA } from './ad-schema';
