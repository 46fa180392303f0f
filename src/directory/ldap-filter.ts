import { AndFilter, EqualityFilter, ExtensibleFilter, Filter, FilterParser, NotFilter, OrFilter } from 'ldapts';
import type { DirectoryQuery } from './directory-query';
import type { SearchOptions } from './directory.types';

/** Search options inside the adapter, where a filter may also be an ldapts Filter already. */
export type LdapSearchOptions = Omit<SearchOptions, 'filter'> & { filter: string | DirectoryQuery | Filter };

/** AD's LDAP_MATCHING_RULE_IN_CHAIN: transitive group membership in one search. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** A search filter for ldapts: a filter string (values escaped by ldap-escape.ts) as it is, a query built. */
export function toLdapFilter(filter: string | DirectoryQuery | Filter): string | Filter {
  return typeof filter === 'string' || filter instanceof Filter ? filter : build(filter);
}

function build(q: DirectoryQuery): Filter {
  if ('and' in q) return new AndFilter({ filters: q.and.map(build) });
  if ('or' in q) return new OrFilter({ filters: q.or.map(build) });
  if ('not' in q) return new NotFilter({ filter: build(q.not) });
  if ('equals' in q) return new EqualityFilter({ attribute: q.equals.attribute, value: q.equals.value });
  return new ExtensibleFilter({ matchType: 'memberOf', rule: IN_CHAIN, value: q.memberOfChain });
}

/** Why `text` is not an LDAP filter (RFC 4515), or undefined when it is one. */
export function ldapFilterError(text: string): string | undefined {
  try {
    FilterParser.parseString(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
