import { aliasesReached, type BuiltinAlias } from './builtin-aliases';

const USERS: BuiltinAlias = { sid: 'S-1-5-32-545', memberSids: ['S-1-5-11', 'S-1-5-4', 'S-1-5-21-1-2-3-513'] };
const PRE_2000: BuiltinAlias = { sid: 'S-1-5-32-554', memberSids: ['S-1-5-11'] };
const ADMINS: BuiltinAlias = { sid: 'S-1-5-32-544', memberSids: ['S-1-5-21-1-2-3-512', 'S-1-5-21-1-2-3-500'] };
/** An alias holding another alias (possible for domain-local groups). */
const NESTED: BuiltinAlias = { sid: 'S-1-5-32-580', memberSids: ['S-1-5-32-545'] };

describe('aliasesReached', () => {
  it('adds the aliases that hold a SID of the token (Authenticated Users → Users, Pre-Windows 2000)', () => {
    expect(
      aliasesReached(['S-1-5-21-1-2-3-1105', 'S-1-5-21-1-2-3-515', 'S-1-5-11'], [USERS, PRE_2000, ADMINS]),
    ).toEqual(['S-1-5-32-545', 'S-1-5-32-554']);
  });

  it('adds nothing when no member is in the token, and never an alias the token already holds', () => {
    expect(aliasesReached(['S-1-5-21-1-2-3-1105'], [USERS, ADMINS])).toEqual([]);
    expect(aliasesReached(['S-1-5-11', 'S-1-5-32-545'], [USERS])).toEqual([]);
  });

  it('follows an alias held by another alias, whatever the order', () => {
    expect(aliasesReached(['s-1-5-11'], [NESTED, USERS])).toEqual(['S-1-5-32-545', 'S-1-5-32-580']);
  });

  it('reaches Administrators only through its members', () => {
    expect(aliasesReached(['S-1-5-21-1-2-3-512', 'S-1-5-11'], [ADMINS])).toEqual(['S-1-5-32-544']);
  });
});
