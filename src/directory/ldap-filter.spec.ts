import { query } from './directory-query';
import { ldapFilterError, toLdapFilter } from './ldap-filter';

describe('toLdapFilter', () => {
  it('builds the LDAP filter of a query; values are escaped, never parsed as filter syntax', () => {
    const filter = toLdapFilter(
      query.and(query.userNotComputer(), query.or(query.equals('mail', 'a*)(b'), query.memberOfChain('CN=G,DC=x'))),
    );
    expect(filter.toString()).toBe(
      '(&(&(objectClass=user)(!(objectClass=computer)))(|(mail=a\\2a\\29\\28b)(memberOf:1.2.840.113556.1.4.1941:=CN=G,DC=x)))',
    );
  });

  it('passes a filter string as it is, and says why a string is not a filter', () => {
    expect(toLdapFilter('(cn=a)')).toBe('(cn=a)');
    expect(ldapFilterError('(cn=a)')).toBeUndefined();
    expect(ldapFilterError('(cn=a')).toEqual(expect.any(String));
  });
});
