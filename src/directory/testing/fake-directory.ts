// A strict in-memory DirectoryPort for unit tests of services (not used by the application).
// Only the methods a test allows may be called: any other call throws, so a service that starts to
// read or write more than it should fails its tests. Search filters are evaluated for real (the
// subset of RFC 4515 the services use), so the tests also check the filters the services build.
import {
  AndFilter,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  FilterParser,
  NotFilter,
  OrFilter,
  PresenceFilter,
} from 'ldapts';
import { DomainError } from '../../common/errors/domain-error';
import { DirectoryPort } from '../directory.port';
import {
  RBCD_ATTRIBUTE,
  type AccountState,
  type CasResult,
  type DcFunctionalLevel,
  type DcStatus,
  type DirectoryObject,
  type DomainInfo,
  type NestedMembers,
  type RbcdMutation,
  type ResolveOptions,
  type SearchOptions,
  type SpnMappings,
} from '../directory.types';
import { DEFAULT_SPN_MAPPINGS, parseSpnMappings } from '../forest-facts';
import { normaliseDn } from '../dn';
import { IN_CHAIN, toLdapFilter } from '../ldap-filter';
import { sidFromBytes } from '../../security-descriptor/sid';

export type DirectoryMethod =
  | 'domains'
  | 'resolve'
  | 'resolveSids'
  | 'groupSids'
  | 'readRbcd'
  | 'updateRbcd'
  | 'search'
  | 'status'
  | 'readSecurityDescriptor'
  | 'nestedMembers'
  | 'machineAccountQuota'
  | 'spnMappings'
  | 'dcFunctionalLevels'
  | 'accountState';

export interface FakeDirectoryState {
  domains?: DomainInfo[];
  objects?: DirectoryObject[];
  /** tokenGroups by object SID. */
  groups?: Record<string, string[]>;
  /** sPNMappings values by domain (default: Windows' default list). */
  spnMappings?: Record<string, string[]>;
  /** DC functional levels by domain (default: one DC at the domain's domainFunctionality). */
  dcLevels?: Record<string, DcFunctionalLevel[]>;
  /** Account state by DN (default: nothing special). */
  accountStates?: Record<string, AccountState>;
  /** Direct members (SIDs) by group SID. */
  members?: Record<string, string[]>;
  /** ms-DS-MachineAccountQuota by domain name. */
  machineAccountQuota?: Record<string, number>;
}

const NOT_FOUND = { target: 'TARGET_NOT_FOUND', principal: 'PRINCIPAL_NOT_FOUND', user: 'USER_NOT_FOUND' } as const;
const BITWISE_AND = '1.2.840.113556.1.4.803';
/** LDAP_MATCHING_RULE_IN_CHAIN: memberOf, transitively (modelled with the tokenGroups of `groups`). */

export class FakeDirectory extends DirectoryPort {
  readonly calls: { method: DirectoryMethod; args: unknown[] }[] = [];
  /** Make a method fail (e.g. with DIRECTORY_UNAVAILABLE) instead of answering. */
  readonly failures = new Map<DirectoryMethod, Error>();
  private readonly allowed: Set<DirectoryMethod>;

  constructor(
    readonly state: FakeDirectoryState,
    allow: DirectoryMethod[],
  ) {
    super();
    this.allowed = new Set(allow);
  }

  callsOf(method: DirectoryMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  async domains(): Promise<DomainInfo[]> {
    this.use('domains', []);
    return (this.state.domains ?? []).map((d) => ({ ...d }));
  }

  async status(): Promise<DcStatus[]> {
    this.use('status', []);
    return [];
  }

  async resolve(identifier: string, options: ResolveOptions = {}): Promise<DirectoryObject> {
    this.use('resolve', [identifier, options]);
    const found = this.objects().filter(
      (o) => (!options.domain || o.domain === options.domain) && this.matches(o, identifier),
    );
    if (found.length === 0)
      throw new DomainError(NOT_FOUND[options.kind ?? 'target'], `No account matches "${identifier}"`, { identifier });
    if (found.length > 1)
      throw new DomainError('AMBIGUOUS_IDENTIFIER', `"${identifier}" matches ${found.length} accounts`, { identifier });
    return copy(found[0], options.withRbcd === true, options.withSecurityDescriptor === true);
  }

  async resolveSids(sids: string[]): Promise<Map<string, DirectoryObject | null>> {
    this.use('resolveSids', [sids]);
    const result = new Map<string, DirectoryObject | null>();
    for (const sid of sids) {
      const object = this.objects().find((o) => o.sid.toUpperCase() === sid.toUpperCase());
      result.set(sid.toUpperCase(), object ? copy(object, false) : null);
    }
    return result;
  }

  async groupSids(object: DirectoryObject): Promise<string[]> {
    this.use('groupSids', [object]);
    return [...(this.state.groups?.[object.sid] ?? [])];
  }

  async readRbcd(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null> {
    this.use('readRbcd', [object]);
    const stored = this.objects().find((o) => o.dn.toLowerCase() === object.dn.toLowerCase());
    if (!stored) throw new DomainError('TARGET_NOT_FOUND', `No object ${object.dn}`);
    return stored.rbcd ? Buffer.from(stored.rbcd) : null;
  }

  async updateRbcd(object: Pick<DirectoryObject, 'dn' | 'domain'>, mutate: RbcdMutation): Promise<CasResult> {
    this.use('updateRbcd', [object]);
    const stored = this.objects().find((o) => o.dn.toLowerCase() === object.dn.toLowerCase());
    if (!stored) throw new DomainError('TARGET_NOT_FOUND', `No object ${object.dn}`);
    const before = stored.rbcd ?? null;
    const after = mutate(before);
    if (after === undefined) return { before, after: before, changed: false, attempts: 1 };
    stored.rbcd = after;
    return { before, after, changed: true, attempts: 1 };
  }

  async readSecurityDescriptor(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null> {
    this.use('readSecurityDescriptor', [object]);
    const stored = this.objects().find((o) => o.dn.toLowerCase() === object.dn.toLowerCase());
    if (!stored) throw new DomainError('NOT_FOUND', `No object ${object.dn}`);
    return stored.securityDescriptor ? Buffer.from(stored.securityDescriptor) : null;
  }

  /**
   * Members by SID (state.members), in any domain of the fake, as the LDAP adapter finds them: the
   * groups and foreign security principals of configured domains (state.domains), and every member
   * of a domain that is not configured as out of reach, with its DN and SID.
   */
  async nestedMembers(group: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<NestedMembers> {
    this.use('nestedMembers', [group]);
    const stored = this.objects().find((o) => o.dn.toLowerCase() === group.dn.toLowerCase());
    const sids = new Set((this.state.members?.[stored?.sid ?? ''] ?? []).map((s) => s.toUpperCase()));
    const configured = this.state.domains ? new Set(this.state.domains.map((d) => d.name)) : null;
    const reached = (o: DirectoryObject) => !configured || configured.has(o.domain);
    const direct = this.objects().filter((o) => sids.has(o.sid.toUpperCase()));
    return {
      members: direct
        .filter(
          (o) => reached(o) && (o.objectClass.includes('group') || o.objectClass.includes('foreignSecurityPrincipal')),
        )
        .map((o) => copy(o, false)),
      outOfReach: direct.filter((o) => !reached(o)).map((o) => ({ dn: o.dn, sid: o.sid })),
    };
  }

  async machineAccountQuota(domain: string): Promise<number | undefined> {
    this.use('machineAccountQuota', [domain]);
    return this.state.machineAccountQuota?.[domain];
  }

  async *search(domain: string, base: string | undefined, options: SearchOptions): AsyncIterable<DirectoryObject> {
    this.use('search', [domain, base, options]);
    const ldap = toLdapFilter(options.filter);
    const filter = typeof ldap === 'string' ? FilterParser.parseString(ldap) : ldap;
    const baseDn = normaliseDn(base ?? this.state.domains?.find((d) => d.name === domain)?.baseDn ?? '');
    const withRbcd = (options.attributes ?? []).includes(RBCD_ATTRIBUTE);
    let count = 0;
    for (const object of this.objects()) {
      if (object.domain !== domain || !inScope(normaliseDn(object.dn), baseDn, options.scope ?? 'sub')) continue;
      if (!evaluate(filter, object, (o, groupDn) => this.memberInChain(o, groupDn))) continue;
      yield copy(object, withRbcd, options.withSecurityDescriptor === true);
      if (options.sizeLimit && ++count >= options.sizeLimit) return;
    }
  }

  async spnMappings(domain: string): Promise<SpnMappings> {
    this.use('spnMappings', [domain]);
    return {
      forest: domain,
      source: 'directory',
      aliases: parseSpnMappings(this.state.spnMappings?.[domain] ?? DEFAULT_SPN_MAPPINGS),
    };
  }

  async dcFunctionalLevels(domain: string): Promise<DcFunctionalLevel[]> {
    this.use('dcFunctionalLevels', [domain]);
    const level = this.state.domains?.find((d) => d.name === domain)?.domainFunctionality;
    return this.state.dcLevels?.[domain] ?? (level === undefined ? [] : [{ dc: 'DC1', level }]);
  }

  async accountState(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<AccountState> {
    this.use('accountState', [object]);
    return { expired: false, lockedOut: false, passwordExpired: false, ...this.state.accountStates?.[object.dn] };
  }

  private memberInChain(object: DirectoryObject, groupDn: string): boolean {
    const group = this.objects().find((o) => normaliseDn(o.dn) === normaliseDn(groupDn));
    return group !== undefined && (this.state.groups?.[object.sid] ?? []).includes(group.sid);
  }

  private objects(): DirectoryObject[] {
    return this.state.objects ?? [];
  }

  private use(method: DirectoryMethod, args: unknown[]): void {
    this.calls.push({ method, args });
    if (!this.allowed.has(method))
      throw new Error(`FakeDirectory: unexpected call to ${method}(${JSON.stringify(args[0])?.slice(0, 80) ?? ''})`);
    const failure = this.failures.get(method);
    if (failure) throw failure;
  }

  private matches(object: DirectoryObject, identifier: string): boolean {
    const id = identifier.trim().toLowerCase();
    const sam = object.samAccountName.toLowerCase();
    const backslash = id.indexOf('\\');
    if (backslash > 0) {
      const netbios = this.state.domains?.find((d) => d.name === object.domain)?.netbios?.toLowerCase();
      const name = id.slice(backslash + 1);
      return id.slice(0, backslash) === netbios && (sam === name || sam === `${name}$`);
    }
    return [
      object.sid,
      object.dn,
      object.guid,
      object.dnsHostName,
      object.userPrincipalName,
      sam,
      sam.replace(/\$$/, ''),
    ]
      .filter((v): v is string => Boolean(v))
      .some((v) => v.toLowerCase() === id);
  }
}

function copy(object: DirectoryObject, withRbcd: boolean, withSecurityDescriptor = false): DirectoryObject {
  const { rbcd, securityDescriptor, ...rest } = object;
  return {
    ...rest,
    ...(withSecurityDescriptor
      ? { securityDescriptor: securityDescriptor ? Buffer.from(securityDescriptor) : null }
      : {}),
    objectClass: [...object.objectClass],
    servicePrincipalNames: [...object.servicePrincipalNames],
    allowedToDelegateTo: [...object.allowedToDelegateTo],
    ...(withRbcd ? { rbcd: rbcd ? Buffer.from(rbcd) : null } : {}),
  };
}

function inScope(dn: string, base: string, scope: 'base' | 'one' | 'sub'): boolean {
  if (!base) return scope === 'sub';
  if (scope === 'base') return dn === base;
  if (!dn.endsWith(`,${base}`)) return false;
  return scope === 'sub' || !dn.slice(0, -base.length - 1).includes(',');
}

/** The attribute values of an object, as LDAP would show them (strings; binary ones present or not). */
function values(object: DirectoryObject, attribute: string): string[] | undefined {
  switch (attribute.toLowerCase()) {
    case 'objectsid':
      return object.sid ? [object.sid] : undefined;
    case 'cn':
    case 'name':
      return [/^[^=]+=((?:\\.|[^,])*)/.exec(object.dn)?.[1] ?? ''];
    case 'objectclass':
      return object.objectClass;
    case 'samaccountname':
      return [object.samAccountName];
    case 'dnshostname':
      return object.dnsHostName ? [object.dnsHostName] : undefined;
    case 'userprincipalname':
      return object.userPrincipalName ? [object.userPrincipalName] : undefined;
    case 'mail':
      return object.mail ? [object.mail] : undefined;
    case 'managedby':
      return object.managedBy ? [object.managedBy] : undefined;
    case 'useraccountcontrol':
      return [String(object.userAccountControl)];
    case 'admincount':
      return object.adminCount === undefined ? undefined : [String(object.adminCount)];
    case 'serviceprincipalname':
      return object.servicePrincipalNames.length ? object.servicePrincipalNames : undefined;
    case 'grouptype':
      return object.groupType === undefined ? undefined : [String(object.groupType)];
    case 'msds-allowedtodelegateto':
      return object.allowedToDelegateTo.length ? object.allowedToDelegateTo : undefined;
    case RBCD_ATTRIBUTE.toLowerCase():
      return object.rbcd ? [object.rbcd.toString('base64')] : undefined;
    default:
      throw new Error(`FakeDirectory: the filter names an attribute the fake does not model: ${attribute}`);
  }
}

type InChain = (object: DirectoryObject, groupDn: string) => boolean;

function evaluate(filter: Filter, object: DirectoryObject, inChain?: InChain): boolean {
  if (filter instanceof AndFilter) return filter.filters.every((f) => evaluate(f, object, inChain));
  if (filter instanceof OrFilter) return filter.filters.some((f) => evaluate(f, object, inChain));
  if (filter instanceof NotFilter) return !evaluate(filter.filter, object, inChain);
  if (
    filter instanceof ExtensibleFilter &&
    filter.rule === IN_CHAIN &&
    filter.matchType.toLowerCase() === 'memberof' &&
    inChain
  ) {
    return inChain(object, String(filter.value));
  }
  if (filter instanceof PresenceFilter) return values(object, filter.attribute) !== undefined;
  if (filter instanceof EqualityFilter) {
    // A binary value (objectSid) goes on the wire as bytes: compared in its string form here.
    const binarySid = Buffer.isBuffer(filter.value) && filter.attribute.toLowerCase() === 'objectsid';
    const wanted = (binarySid ? sidFromBytes(filter.value as Buffer) : String(filter.value)).toLowerCase();
    return (values(object, filter.attribute) ?? []).some((v) => v.toLowerCase() === wanted);
  }
  if (filter instanceof ExtensibleFilter && filter.rule === BITWISE_AND) {
    const bits = Number(filter.value);
    return (values(object, filter.matchType) ?? []).some((v) => (Number(v) & bits) === bits);
  }
  throw new Error(`FakeDirectory: unsupported filter ${filter.toString()}`);
}
