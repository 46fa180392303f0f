/**
 * A search filter in the project's own terms: what the services ask the directory for. The
 * adapter turns it into LDAP (ldap-filter.ts); values are never parsed as filter syntax, so they
 * need no escaping here.
 */
export type DirectoryQuery =
  | { readonly and: readonly DirectoryQuery[] }
  | { readonly or: readonly DirectoryQuery[] }
  | { readonly not: DirectoryQuery }
  /** The attribute holds the value (a Buffer for binary attributes such as objectSid: bytes as they are). */
  | { readonly equals: { readonly attribute: string; readonly value: string | Buffer } }
  /** The object is a member of the group `dn`, directly or through nested groups (AD's LDAP_MATCHING_RULE_IN_CHAIN). */
  | { readonly memberOfChain: string };

export const query = {
  and: (...of: DirectoryQuery[]): DirectoryQuery => ({ and: of }),
  or: (...of: DirectoryQuery[]): DirectoryQuery => ({ or: of }),
  not: (of: DirectoryQuery): DirectoryQuery => ({ not: of }),
  equals: (attribute: string, value: string | Buffer): DirectoryQuery => ({ equals: { attribute, value } }),
  memberOfChain: (groupDn: string): DirectoryQuery => ({ memberOfChain: groupDn }),
  /** User accounts that are not computer accounts (computers are users too in AD's class tree). */
  userNotComputer: (): DirectoryQuery =>
    query.and(query.equals('objectClass', 'user'), query.not(query.equals('objectClass', 'computer'))),
};
