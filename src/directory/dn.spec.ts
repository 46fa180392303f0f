import { isDnUnder, normaliseDn } from './dn';

describe('normaliseDn / isDnUnder', () => {
  it('folds case and the white space around RDN separators', () => {
    expect(normaliseDn(' CN=Server C , OU=Servers,  DC=Contoso,DC=test ')).toBe(
      'cn=server c,ou=servers,dc=contoso,dc=test',
    );
  });

  it('is under its naming context and under itself; not under a look-alike suffix', () => {
    expect(isDnUnder('CN=SERVERC,OU=Servers,DC=contoso,DC=test', 'dc=contoso, dc=test')).toBe(true);
    expect(isDnUnder('DC=contoso,DC=test', 'DC=contoso,DC=test')).toBe(true);
    expect(isDnUnder('CN=X,DC=notcontoso,DC=test', 'DC=contoso,DC=test')).toBe(false);
    expect(isDnUnder('CN=X,DC=fabrikam,DC=test', 'DC=contoso,DC=test')).toBe(false);
    expect(isDnUnder('CN=X,DC=contoso,DC=test', '')).toBe(false);
  });
});
