import { domainOfDn, ExtendedDnControl, parseExtendedDn } from './extended-dn';

describe('extended DN (member values with SIDs)', () => {
  it('splits GUID, SID and DN', () => {
    expect(
      parseExtendedDn(
        '<GUID=0b9e4c5e-1a2b-4c3d-8e9f-001122334455>;<SID=S-1-5-21-1-2-3-515>;CN=Domain Computers,CN=Users,DC=emea,DC=contoso,DC=test',
      ),
    ).toEqual({
      dn: 'CN=Domain Computers,CN=Users,DC=emea,DC=contoso,DC=test',
      sid: 'S-1-5-21-1-2-3-515',
      guid: '0b9e4c5e-1a2b-4c3d-8e9f-001122334455',
    });
  });

  it('an object without a SID, and a plain DN, have no SID', () => {
    expect(parseExtendedDn('<GUID=abc>;CN=Some Contact,OU=X,DC=a,DC=b')).toEqual({
      dn: 'CN=Some Contact,OU=X,DC=a,DC=b',
      sid: null,
      guid: 'abc',
    });
    expect(parseExtendedDn('CN=x,DC=a,DC=b')).toEqual({ dn: 'CN=x,DC=a,DC=b', sid: null, guid: null });
  });

  it('a DN belongs to the configured domain with the longest base DN that ends it (child domains)', () => {
    const domains = [
      { name: 'contoso.test', baseDn: 'DC=contoso,DC=test' },
      { name: 'emea.contoso.test', baseDn: 'DC=emea,DC=contoso,DC=test' },
    ];
    expect(domainOfDn('CN=G,CN=Users,DC=emea, DC=contoso,DC=test', domains)?.name).toBe('emea.contoso.test');
    expect(domainOfDn('CN=G,CN=Users,DC=contoso,DC=test', domains)?.name).toBe('contoso.test');
    expect(domainOfDn('CN=G,CN=Users,DC=fabrikam,DC=test', domains)).toBeUndefined();
    expect(domainOfDn('CN=G,DC=xcontoso,DC=test', domains)).toBeUndefined();
  });

  it('the control asks for string SIDs and GUIDs (value SEQUENCE { INTEGER 1 })', () => {
    expect(new ExtendedDnControl().type).toBe('1.2.840.113556.1.4.529');
  });
});
