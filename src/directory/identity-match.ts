import type { DirectoryObject } from './directory.types';
import type { ParsedIdentifier } from './identifier';

export type SearchableIdentifier = Exclude<ParsedIdentifier, { kind: 'dn' }>;

/** One key per distinct question: the same identifier asked twice in a batch is one filter clause. */
export function identityKey(parsed: SearchableIdentifier): string {
  switch (parsed.kind) {
    case 'sid':
      return `sid:${parsed.sid.toUpperCase()}`;
    case 'guid':
      return `guid:${parsed.guid.toLowerCase()}`;
    case 'upn':
      return `upn:${parsed.upn.toLowerCase()}`;
    case 'netbios':
    case 'samAccountName':
      return `sam:${parsed.samAccountName.toLowerCase()}`;
    case 'dnsHostName':
      return `dns:${parsed.dnsHostName.toLowerCase()}`;
  }
}

/** `SERVERC` matches SERVERC or SERVERC$ (a computer's account name); `SERVERC$` only itself (as samFilter). */
function samMatches(name: string, sam: string): boolean {
  const n = name.toLowerCase();
  const s = sam.toLowerCase();
  return s === n || (!n.endsWith('$') && s === `${n}$`);
}

/**
 * Whether an entry a batched search returned answers this identifier: the same test as its LDAP
 * filter (identityFilter), done here to hand each caller its own entries. Names compare without case,
 * as AD does for these attributes; an entry that matches no identifier of its batch makes the
 * identifiers left without an answer be asked again one by one (AD's collation knows more
 * equivalences than toLowerCase), so a difference here costs a search, never a wrong "not found".
 */
export function matchesIdentity(parsed: SearchableIdentifier, object: DirectoryObject): boolean {
  switch (parsed.kind) {
    case 'sid':
      return object.sid.toUpperCase() === parsed.sid.toUpperCase();
    case 'guid':
      return object.guid.toLowerCase() === parsed.guid.toLowerCase();
    case 'upn':
      return object.userPrincipalName?.toLowerCase() === parsed.upn.toLowerCase();
    case 'netbios':
    case 'samAccountName':
      return samMatches(parsed.samAccountName, object.samAccountName);
    case 'dnsHostName':
      return (
        object.dnsHostName?.toLowerCase() === parsed.dnsHostName.toLowerCase() ||
        samMatches(parsed.dnsHostName, object.samAccountName)
      );
  }
}
