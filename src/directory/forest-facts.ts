// Facts the KDC uses that live in the configuration partition of a forest (or on the account
// itself), read over the service's own connection. Pure parsing is exported for unit tests.
import { type Client, EqualityFilter, AndFilter } from 'ldapts';
import type { AccountState, DcFunctionalLevel, SpnMappings } from './directory.types';

/** Where Windows (and Samba) keep the SPN aliases: `host=alerter,...,cifs,...,http,...`. */
export function directoryServiceDn(configurationDn: string): string {
  return `CN=Directory Service,CN=Windows NT,CN=Services,${configurationDn}`;
}

/**
 * The default value of sPNMappings on Windows Server (and what Samba provisions): used only when
 * the forest's own value cannot be read, and then the answer says so.
 */
export const DEFAULT_SPN_MAPPINGS = [
  'host=alerter,appmgmt,cisvc,clipsrv,browser,dhcp,dnscache,replicator,eventlog,eventsystem,policyagent,oakley,dmserver,dns,mcsvc,fax,msiserver,ias,messenger,netlogon,netman,netdde,netddedsm,nmagent,plugplay,protectedstorage,rasman,rpclocator,rpc,rpcss,remoteaccess,rsvp,samss,scardsvr,scesrv,seclogon,scm,dcom,cifs,spooler,snmp,schedule,tapisrv,trksvr,trkwks,ups,time,wins,www,http,w3svc,iisadmin,msdtc',
];

/** Parses sPNMappings values (`target=alias,alias,...`) to alias → target, lower case. */
export function parseSpnMappings(values: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) continue;
    const target = value.slice(0, eq).trim().toLowerCase();
    for (const alias of value.slice(eq + 1).split(',')) {
      const name = alias.trim().toLowerCase();
      if (name && !aliases.has(name)) aliases.set(name, target);
    }
  }
  return aliases;
}

export async function readSpnMappings(client: Client, configurationDn: string, forest: string): Promise<SpnMappings> {
  const { searchEntries } = await client.search(directoryServiceDn(configurationDn), {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['sPNMappings'],
  });
  const raw = searchEntries[0]?.sPNMappings;
  const values = raw === undefined ? [] : ([] as unknown[]).concat(raw).map(String);
  return { forest, source: 'directory', aliases: parseSpnMappings(values) };
}

/** The DCs that hold this domain (nTDSDSA with msDS-HasDomainNCs = its naming context) and their msDS-Behavior-Version. */
export async function readDcFunctionalLevels(
  client: Client,
  configurationDn: string,
  baseDn: string,
): Promise<DcFunctionalLevel[]> {
  const { searchEntries } = await client.search(`CN=Sites,${configurationDn}`, {
    scope: 'sub',
    filter: new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'nTDSDSA' }),
        new EqualityFilter({ attribute: 'msDS-HasDomainNCs', value: baseDn }),
      ],
    }),
    attributes: ['msDS-Behavior-Version'],
  });
  return searchEntries.map((e) => ({ dc: serverNameOf(e.dn), level: Number(e['msDS-Behavior-Version'] ?? NaN) }));
}

/** `CN=NTDS Settings,CN=DC1,CN=Servers,...` → DC1. */
function serverNameOf(dn: string): string {
  return /^CN=NTDS Settings,CN=((?:\\.|[^,])+),/i.exec(dn)?.[1] ?? dn;
}

/** Windows FILETIME (100 ns since 1601) to a Date; 0 and 0x7FFFFFFFFFFFFFFF mean "never". */
export function fileTimeToDate(value: string | undefined): Date | undefined {
  if (!value || value === '0' || value === '9223372036854775807') return undefined;
  const ms = Number(BigInt(value) / 10_000n) - 11_644_473_600_000;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

const UF_LOCKOUT = 0x10;
const UF_PASSWORD_EXPIRED = 0x800000;

/** Lockout, expiry and encryption types of one account (base read; the computed flags need it). */
export async function readAccountState(client: Client, dn: string, now = new Date()): Promise<AccountState> {
  const { searchEntries } = await client.search(dn, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: [
      'msDS-User-Account-Control-Computed',
      'accountExpires',
      'lockoutTime',
      'msDS-SupportedEncryptionTypes',
    ],
  });
  const e = searchEntries[0] ?? {};
  const text = (name: string) => {
    const v = e[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined || one === null ? undefined : String(one);
  };
  const computed = text('msDS-User-Account-Control-Computed');
  const expires = fileTimeToDate(text('accountExpires'));
  const enc = text('msDS-SupportedEncryptionTypes');
  return {
    ...(computed !== undefined
      ? {
          lockedOut: (Number(computed) & UF_LOCKOUT) !== 0,
          passwordExpired: (Number(computed) & UF_PASSWORD_EXPIRED) !== 0,
        }
      : {}),
    ...(expires
      ? { accountExpires: expires.toISOString(), expired: expires.getTime() <= now.getTime() }
      : { expired: false }),
    ...(enc !== undefined && enc !== '' && Number.isFinite(Number(enc))
      ? { supportedEncryptionTypes: Number(enc) }
      : {}),
  };
}
