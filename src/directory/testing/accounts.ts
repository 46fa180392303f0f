// Builders for unit tests of services (with FakeDirectory): accounts and RBCD values.
import {
  AceType,
  accessAllowedAce,
  createRbcdDescriptor,
  encodeSecurityDescriptor,
  RBCD_ACCESS_MASK,
  type Ace,
} from '../../security-descriptor';
import { UAC, type DirectoryObject, type DomainInfo } from '../directory.types';

export const CONTOSO: DomainInfo = {
  name: 'contoso.test',
  netbios: 'CONTOSO',
  baseDn: 'DC=contoso,DC=test',
  domainSid: 'S-1-5-21-1-2-3',
  domainFunctionality: 7,
};
export const FABRIKAM: DomainInfo = {
  name: 'fabrikam.test',
  netbios: 'FABRIKAM',
  baseDn: 'DC=fabrikam,DC=test',
  domainSid: 'S-1-5-21-4-5-6',
  domainFunctionality: 7,
};

/** A computer (default) or user account; `rid` makes the SID, `ou` the DN. */
export function account(
  name: string,
  rid: number,
  overrides: Partial<DirectoryObject> & { ou?: string; user?: boolean } = {},
): DirectoryObject {
  const { ou, user, ...rest } = overrides;
  const domain = rest.domain === FABRIKAM.name ? FABRIKAM : CONTOSO;
  const parent = `${ou ?? (user ? 'CN=Users' : 'OU=Servers')},${domain.baseDn}`;
  const computer = !user;
  return {
    dn: `CN=${name},${parent}`,
    domain: domain.name,
    sid: `${domain.domainSid}-${rid}`,
    guid: `00000000-0000-0000-0000-${String(rid).padStart(12, '0')}`,
    samAccountName: computer ? `${name}$` : name,
    ...(computer
      ? { dnsHostName: `${name.toLowerCase()}.${domain.name}` }
      : { userPrincipalName: `${name}@${domain.name}` }),
    objectClass: computer
      ? ['top', 'person', 'organizationalPerson', 'user', 'computer']
      : ['top', 'person', 'organizationalPerson', 'user'],
    userAccountControl: computer ? UAC.WORKSTATION_TRUST_ACCOUNT : 0x200,
    primaryGroupId: computer ? 515 : 513,
    servicePrincipalNames: computer ? [`HOST/${name}`, `HOST/${name.toLowerCase()}.${domain.name}`] : [],
    allowedToDelegateTo: [],
    ...rest,
  };
}

export interface AceSpec {
  sid: string;
  mask?: number;
  type?: 'allow' | 'deny' | 'allowObject' | 'denyObject';
  objectType?: string;
}

/** An RBCD value as samba-tool writes it, with the ACEs asked for (0xF01FF allow by default). */
export function rbcdValue(...aces: (string | AceSpec)[]): Buffer {
  const sd = createRbcdDescriptor([]);
  const built: Ace[] = aces.map((a) => {
    const spec = typeof a === 'string' ? { sid: a } : a;
    const mask = spec.mask ?? RBCD_ACCESS_MASK;
    if (spec.type === 'allowObject' || spec.type === 'denyObject') {
      return {
        kind: 'object',
        type: spec.type === 'allowObject' ? AceType.ACCESS_ALLOWED_OBJECT : AceType.ACCESS_DENIED_OBJECT,
        flags: 0,
        mask,
        objectFlags: spec.objectType ? 1 : 0,
        ...(spec.objectType ? { objectType: spec.objectType } : {}),
        sid: spec.sid,
        trailing: new Uint8Array(0),
      };
    }
    const allow = accessAllowedAce(spec.sid, mask);
    return spec.type === 'deny' ? { ...allow, type: AceType.ACCESS_DENIED } : allow;
  });
  return encodeSecurityDescriptor({ ...sd, dacl: { ...(sd.dacl as NonNullable<typeof sd.dacl>), aces: built } });
}
