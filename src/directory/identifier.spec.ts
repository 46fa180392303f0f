import { EqualityFilter, OrFilter } from 'ldapts';
import { guidFromBytes, guidToBytes, parseIdentifier } from './identifier';
import { identityFilter } from './identity-lookups';

describe('parseIdentifier', () => {
  it.each([
    ['SERVERC', { kind: 'samAccountName', samAccountName: 'SERVERC' }],
    ['SERVERC$', { kind: 'samAccountName', samAccountName: 'SERVERC$' }],
    ['  SERVERC$  ', { kind: 'samAccountName', samAccountName: 'SERVERC$' }],
    ['CONTOSO\\SERVERC$', { kind: 'netbios', netbios: 'CONTOSO', samAccountName: 'SERVERC$' }],
    ['contoso\\alice', { kind: 'netbios', netbios: 'CONTOSO', samAccountName: 'alice' }],
    ['alice@contoso.test', { kind: 'upn', upn: 'alice@contoso.test', domainHint: 'contoso.test' }],
    ['ServerC.Contoso.Test', { kind: 'dnsHostName', dnsHostName: 'serverc.contoso.test' }],
    ['CN=SERVERC,OU=Servers,DC=contoso,DC=test', { kind: 'dn', dn: 'CN=SERVERC,OU=Servers,DC=contoso,DC=test' }],
    ['cn=serverc,ou=servers,dc=contoso,dc=test', { kind: 'dn', dn: 'cn=serverc,ou=servers,dc=contoso,dc=test' }],
    ['S-1-5-21-1-2-3-4444', { kind: 'sid', sid: 'S-1-5-21-1-2-3-4444' }],
    ['s-1-5-21-1-2-3-4444', { kind: 'sid', sid: 'S-1-5-21-1-2-3-4444' }],
    ['S-1-0x000000000005-21-1-2-3-4444', { kind: 'sid', sid: 'S-1-5-21-1-2-3-4444' }],
    ['3F78C3E5-F79A-46BD-A0B8-9D18116DDC79', { kind: 'guid', guid: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' }],
    ['{3f78c3e5-f79a-46bd-a0b8-9d18116ddc79}', { kind: 'guid', guid: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' }],
  ])('%j is %j', (text, parsed) => {
    expect(parseIdentifier(text)).toEqual(parsed);
  });

  it.each([
    ['SERVER*'],
    ['x)(cn=*'],
    ['*'],
    ['SERVERC)(|(cn=*'],
    ['SERVERC\0'],
    ['\\SERVERC'],
    ['CONTOSO\\'],
    ['S-1-5-21-abc'],
    ['CN=only-one-rdn'],
  ])('%j is taken literally as an account name, never as filter syntax', (text) => {
    const parsed = parseIdentifier(text);
    expect(parsed).toMatchObject({ kind: 'samAccountName' });
    expect(parsed && parsed.kind === 'samAccountName' && parsed.samAccountName).toBe(text.trim());
  });

  it.each([[''], ['   '], ['x'.repeat(1025)]])('refuses %j', (text) => {
    expect(parseIdentifier(text)).toBeUndefined();
  });
});

describe('identityFilter', () => {
  const values = (filter: unknown): unknown[] =>
    filter instanceof OrFilter
      ? filter.filters.flatMap(values)
      : [[(filter as EqualityFilter).attribute, (filter as EqualityFilter).value]];

  it('SERVERC looks for SERVERC and SERVERC$, SERVERC$ only for itself', () => {
    expect(values(identityFilter({ kind: 'samAccountName', samAccountName: 'SERVERC' }))).toEqual([
      ['sAMAccountName', 'SERVERC'],
      ['sAMAccountName', 'SERVERC$'],
    ]);
    expect(values(identityFilter({ kind: 'samAccountName', samAccountName: 'SERVERC$' }))).toEqual([
      ['sAMAccountName', 'SERVERC$'],
    ]);
  });

  it('a DNS name matches dNSHostName (or an account of that name)', () => {
    expect(values(identityFilter({ kind: 'dnsHostName', dnsHostName: 'serverc.contoso.test' }))).toEqual([
      ['dNSHostName', 'serverc.contoso.test'],
      ['sAMAccountName', 'serverc.contoso.test'],
      ['sAMAccountName', 'serverc.contoso.test$'],
    ]);
  });

  it('SIDs and GUIDs are matched as bytes', () => {
    expect(values(identityFilter({ kind: 'sid', sid: 'S-1-5-21-1-2-3-4444' }))).toEqual([
      ['objectSid', Buffer.from('010500000000000515000000010000000200000003000000' + '5c110000', 'hex')],
    ]);
    expect(values(identityFilter({ kind: 'guid', guid: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79' }))).toEqual([
      ['objectGUID', Buffer.from('e5c3783f9af7bd46a0b89d18116ddc79', 'hex')],
    ]);
  });

  it.each(['SERVER*', 'x)(cn=*', '*', 'SERVERC)(|(cn=*', 'a\\b\0'])(
    '%j is sent as a literal value, escaped on the wire',
    (name) => {
      const filter = identityFilter({ kind: 'samAccountName', samAccountName: name });
      expect(values(filter)).toEqual([
        ['sAMAccountName', name],
        ['sAMAccountName', `${name}$`],
      ]);
      expect(filter.toString()).not.toMatch(/=\*|\)\(cn/);
    },
  );
});

describe('objectGUID bytes', () => {
  // The schemaIDGUID of msDS-AllowedToActOnBehalfOfOtherIdentity as AD stores it (object ACE in
  // test/fixtures/security-descriptors.json) and as AD prints it.
  const text = '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79';
  const bytes = Buffer.from('e5c3783f9af7bd46a0b89d18116ddc79', 'hex');

  it('converts the string form to the mixed-endian bytes and back', () => {
    expect(guidToBytes(text)).toEqual(bytes);
    expect(guidToBytes(`{${text.toUpperCase()}}`)).toEqual(bytes);
    expect(guidFromBytes(bytes)).toBe(text);
  });

  it('shows a value that is not 16 bytes as hex instead of inventing a GUID', () => {
    expect(guidFromBytes(Buffer.from([1, 2, 3]))).toBe('010203');
  });
});
