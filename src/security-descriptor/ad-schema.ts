// schemaIdGuid / rightsGuid values of Active Directory ([MS-ADA1..3], [MS-ADTS] 5.1.3.2.1), as the
// ObjectType and InheritedObjectType of object ACEs carry them. Lower case, text form.

export const AD_SCHEMA = {
  /** msDS-AllowedToActOnBehalfOfOtherIdentity (the RBCD attribute). */
  rbcdAttribute: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79',
  /** Property set Account Restrictions: holds the RBCD attribute, userAccountControl, ... */
  accountRestrictions: '4c164200-20c0-11d0-a768-00aa006e0529',
  /** The `member` attribute; also the rightsGuid of the self-membership validated write. */
  member: 'bf9679c0-0de6-11d0-a285-00aa003049e2',
  /** Property set Membership (member, memberOf). */
  membership: 'bc0ac240-79a9-11d0-9020-00c04fc2d4cf',
  computerClass: 'bf967a86-0de6-11d0-a285-00aa003049e2',
  userClass: 'bf967aba-0de6-11d0-a285-00aa003049e2',
  groupClass: 'bf967a9c-0de6-11d0-a285-00aa003049e2',
  gmsaClass: '7b8b558a-93a5-4af7-adca-c017e67f1057',
} as const;
