import type { Client } from 'ldapts';
import {
  DEFAULT_SPN_MAPPINGS,
  directoryServiceDn,
  fileTimeToDate,
  parseSpnMappings,
  readAccountState,
} from './forest-facts';

const clientAnswering = (entry: Record<string, unknown>) =>
  ({ search: async () => ({ searchEntries: [{ dn: 'CN=x', ...entry }] }) }) as unknown as Client;

describe('forest facts', () => {
  it('parses sPNMappings into alias → target (lower case, first mapping wins)', () => {
    const aliases = parseSpnMappings(['host=alerter,CIFS, http', 'other=cifs,x', 'broken']);
    expect(aliases.get('cifs')).toBe('host');
    expect(aliases.get('http')).toBe('host');
    expect(aliases.get('x')).toBe('other');
    expect(aliases.has('broken')).toBe(false);
    expect(parseSpnMappings(DEFAULT_SPN_MAPPINGS).get('www')).toBe('host');
  });

  it('names the Directory Service object of a forest', () => {
    expect(directoryServiceDn('CN=Configuration,DC=contoso,DC=test')).toBe(
      'CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test',
    );
  });

  it('reads FILETIMEs; 0 and the maximum mean never', () => {
    expect(fileTimeToDate('116444736000000000')?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(fileTimeToDate('0')).toBeUndefined();
    expect(fileTimeToDate('9223372036854775807')).toBeUndefined();
  });

  it('account state: lockout and password expiry from the computed flags, expiry from accountExpires, encryption types when set', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(
      await readAccountState(
        clientAnswering({
          'msDS-User-Account-Control-Computed': '16',
          accountExpires: '9223372036854775807',
          'msDS-SupportedEncryptionTypes': [],
        }),
        'CN=x',
        now,
      ),
    ).toEqual({
      lockedOut: true,
      passwordExpired: false,
      expired: false,
    });
    expect(
      await readAccountState(
        clientAnswering({
          'msDS-User-Account-Control-Computed': '0',
          accountExpires: '116444736000000000',
          'msDS-SupportedEncryptionTypes': '3',
        }),
        'CN=x',
        now,
      ),
    ).toEqual({
      lockedOut: false,
      passwordExpired: false,
      expired: true,
      accountExpires: '1970-01-01T00:00:00.000Z',
      supportedEncryptionTypes: 3,
    });
  });
});
