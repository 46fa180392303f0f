// A strict in-memory DirectoryPort for HTTP tests that exercise the transport (auth, chat,
// webhooks) rather than LDAP: a few fixed accounts, reads answer, every write is refused loudly.
import { DomainError } from '../../src/common/errors/domain-error';
import { DirectoryPort } from '../../src/directory/directory.port';
import type { CasResult, DcStatus, DirectoryObject, DomainInfo, SearchOptions } from '../../src/directory/directory.types';

const DOMAIN_SID = 'S-1-5-21-1111111111-2222222222-3333333333';

export function fakeAccount(name: string, rid: number, kind: 'computer' | 'user' = 'computer'): DirectoryObject {
  const cn = name.replace(/\$$/, '');
  const computer = kind === 'computer';
  return {
    dn: `CN=${cn},${computer ? 'OU=Servers' : 'CN=Users'},DC=contoso,DC=test`,
    domain: 'contoso.test',
    sid: `${DOMAIN_SID}-${rid}`,
    guid: `00000000-0000-4000-8000-${String(rid).padStart(12, '0')}`,
    samAccountName: computer ? `${cn.toUpperCase()}$` : cn.toLowerCase(),
    ...(computer ? { dnsHostName: `${cn.toLowerCase()}.contoso.test` } : { userPrincipalName: `${cn.toLowerCase()}@contoso.test` }),
    objectClass: computer ? ['top', 'person', 'organizationalPerson', 'user', 'computer'] : ['top', 'person', 'organizationalPerson', 'user'],
    userAccountControl: computer ? 0x1000 : 0x200,
    primaryGroupId: computer ? 515 : 513,
    servicePrincipalNames: computer ? [`HOST/${cn.toUpperCase()}`, `HOST/${cn.toLowerCase()}.contoso.test`] : [],
    allowedToDelegateTo: [],
  };
}

export class StrictFakeDirectory extends DirectoryPort {
  readonly objects: DirectoryObject[] = [fakeAccount('SERVERB', 2101), fakeAccount('SERVERC', 2102), fakeAccount('SERVERD', 2103), fakeAccount('alice', 2201, 'user')];

  async domains(): Promise<DomainInfo[]> {
    return [{ name: 'contoso.test', netbios: 'CONTOSO', baseDn: 'DC=contoso,DC=test', domainSid: DOMAIN_SID, domainFunctionality: 7, domainControllerFunctionality: 7 }];
  }

  async resolve(identifier: string, options: { kind?: 'target' | 'principal' | 'user' } = {}): Promise<DirectoryObject> {
    const key = identifier.trim().toLowerCase().replace(/^contoso\\/, '');
    const found = this.objects.find((o) =>
      [o.samAccountName, o.samAccountName.replace(/\$$/, ''), o.dn, o.sid, o.dnsHostName, o.userPrincipalName].some((v) => v?.toLowerCase() === key),
    );
    if (found) return { ...found, rbcd: null };
    const kind = options.kind ?? 'target';
    throw new DomainError(kind === 'user' ? 'USER_NOT_FOUND' : kind === 'principal' ? 'PRINCIPAL_NOT_FOUND' : 'TARGET_NOT_FOUND', `No object matches ${identifier}`, { identifier });
  }

  async resolveSids(sids: string[]): Promise<Map<string, DirectoryObject | null>> {
    return new Map(sids.map((sid) => [sid.toUpperCase(), this.objects.find((o) => o.sid.toUpperCase() === sid.toUpperCase()) ?? null]));
  }

  async groupSids(): Promise<string[]> {
    return [`${DOMAIN_SID}-515`];
  }

  async readRbcd(): Promise<Buffer | null> {
    return null;
  }

  async updateRbcd(object: Pick<DirectoryObject, 'dn'>): Promise<CasResult> {
    throw new Error(`StrictFakeDirectory: unexpected write to ${object.dn}`);
  }

  async *search(_domain: string, _base: string | undefined, _options: SearchOptions): AsyncIterable<DirectoryObject> {
    // Nothing carries delegation settings in the fake directory.
  }

  async status(): Promise<DcStatus[]> {
    return [{ domain: 'contoso.test', url: 'ldaps://fake.invalid:636', ok: true, latencyMs: 0 }];
  }
}
