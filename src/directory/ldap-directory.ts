import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AndFilter, Attribute, Change, type Client, EqualityFilter, OrFilter } from 'ldapts';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { sidFromBytes } from '../security-descriptor';
import { DirectoryPort } from './directory.port';
import {
  RBCD_ATTRIBUTE,
  SECURITY_DESCRIPTOR_ATTRIBUTE,
  type AccountState,
  type CasResult,
  type DcFunctionalLevel,
  type DcStatus,
  type DirectoryObject,
  type DomainInfo,
  type NestedMembers,
  type RbcdMutation,
  type ResolveOptions,
  type SpnMappings,
} from './directory.types';
import {
  DEFAULT_SPN_MAPPINGS,
  parseSpnMappings,
  readAccountState,
  readDcFunctionalLevels,
  readSpnMappings,
} from './forest-facts';
import { DomainConnection, WRITE_OPERATION } from './domain-connection';
import { domainOfDn, ExtendedDnControl, parseExtendedDn } from './extended-dn';
import { aliasesReached, type BuiltinAlias, readBuiltinAliases } from './builtin-aliases';
import { treatAsBinary } from './binary-attribute-types';
import { ACCOUNT_ATTRIBUTES, BINARY_ATTRIBUTES, toDirectoryObject } from './entry-mapper';
import { parseIdentifier, type ParsedIdentifier } from './identifier';
import { identityKey, type SearchableIdentifier } from './identity-match';
import { ReadBatcher } from './read-batcher';
import { type LdapSearchOptions, toLdapFilter } from './ldap-filter';
import { isDomainOutOfReach, LDAP_RESULT, resultCode, toDirectoryError } from './ldap-errors';
import { SdFlagsControl } from './sd-flags-control';
import { TtlCache } from './sid-cache';
import { DcStampedCache } from './dc-stamped-cache';
import { IDENTITY_ATTRIBUTES, IdentityLookups, type LookupShape } from './identity-lookups';
import { domainSidOf, IMPLICIT_TOKEN_SIDS } from './well-known-sids';
import { isDnUnder } from './dn';

const CAS_MAX_ATTEMPTS = 8;
const SID_CACHE_TTL_MS = 60_000;
const SPN_MAPPINGS_TTL_MS = 3_600_000;
/** Most identifiers in one batched look-up (one OR filter). */
const LOOKUP_BATCH = 50;
const DEFAULT_READ_CACHE_ENTRIES = 10_000;
/** However quiet the DC, a kept answer is read again after this long. */
const READ_CACHE_MAX_AGE_MS = 5 * 60_000;
/** Batched look-ups out at once per pooled connection; more wait and join the next batch. */
const LOOKUPS_IN_FLIGHT_PER_CONNECTION = 2;
/** Members that can widen a group: groups, and foreign security principals (which may be groups). */
const WIDENING_CLASSES = new OrFilter({
  filters: [
    new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
    new EqualityFilter({ attribute: 'objectClass', value: 'foreignSecurityPrincipal' }),
  ],
});

/**
 * Every value of a group's member attribute with its SID (extended DN), page by page: asked for
 * plainly, AD answers a large group with at most MaxValRange values (1,500) as
 * member;range=0-1499, and the rest is asked for as member;range=<from>-* (the last page ends in
 * -*). Plain first because Samba 4.22 returns no entry at all for a ranged attribute with the
 * extended-DN control (it does not cap member, so it never needs a range).
 */
async function readMemberRefs(client: Client, dn: string): Promise<{ dn: string; sid: string | null }[]> {
  const refs: { dn: string; sid: string | null }[] = [];
  for (let start = 0; ;) {
    const { searchEntries } = await client.search(
      dn,
      { scope: 'base', filter: '(objectClass=*)', attributes: [start === 0 ? 'member' : `member;range=${start}-*`] },
      [new ExtendedDnControl()],
    );
    const entry = searchEntries[0];
    const key = entry && Object.keys(entry).find((k) => /^member(;|$)/i.test(k));
    if (!entry || !key) return refs;
    const raw = entry[key];
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const ref = parseExtendedDn(String(value));
      refs.push({ dn: ref.dn, sid: ref.sid });
    }
    const range = /;range=\d+-(\*|\d+)$/i.exec(key);
    if (!range || range[1] === '*') return refs;
    start = Number(range[1]) + 1;
  }
}

const NOT_FOUND_CODE = {
  target: 'TARGET_NOT_FOUND',
  principal: 'PRINCIPAL_NOT_FOUND',
  user: 'USER_NOT_FOUND',
} as const;

/** DirectoryPort over LDAP (ldapts): every configured domain, each with its own DCs and account. */
@Injectable()
export class LdapDirectory extends DirectoryPort implements OnModuleDestroy {
  private readonly logger = new Logger(LdapDirectory.name);
  private readonly connections: DomainConnection[];
  private readonly sidCache = new TtlCache<string, DirectoryObject | null>(SID_CACHE_TTL_MS);
  /** Which domain a name was last found in (uniquely), so the next look-up asks that domain only. */
  private readonly homes = new TtlCache<string, string>(SID_CACHE_TTL_MS);
  /** Each domain's BUILTIN groups with their members' SIDs (by domain name). */
  private readonly builtinAliases = new TtlCache<string, BuiltinAlias[]>(SID_CACHE_TTL_MS);
  /**
   * Per domain: identity look-ups (names, SIDs, GUIDs...) asked in the same tick, as one search;
   * one batcher for plain look-ups and one for those that also read nTSecurityDescriptor.
   */
  private readonly lookups = new Map<string, ReadBatcher<SearchableIdentifier, DirectoryObject[]>>();

  /** sPNMappings by forest (configuration DN): read once, kept for an hour. */
  /**
   * Look-up answers kept while the DC commits nothing (RBCD_READ_CACHE_ENTRIES; see
   * DcStampedCache): a read still asks the DC, but only for its stamp when nothing changed. A
   * look-up reads replicated attributes only (lookupAttributes), each change of which raises the
   * DC's USN; non-replicated ones such as lastLogon or badPwdCount are never read through it.
   */
  private readonly identityLookups: IdentityLookups;

  private readonly spnMappingsByForest = new TtlCache<string, SpnMappings>(SPN_MAPPINGS_TTL_MS);

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    treatAsBinary(BINARY_ATTRIBUTES); // SIDs, GUIDs, descriptors: bytes, with no failed UTF-8 decode first
    this.connections = config.domains.map((d) => new DomainConnection(d));
    this.identityLookups = new IdentityLookups(
      new DcStampedCache(config.readCacheEntries ?? DEFAULT_READ_CACHE_ENTRIES, READ_CACHE_MAX_AGE_MS),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }

  async domains(): Promise<DomainInfo[]> {
    return Promise.all(
      this.connections.map(async (c) =>
        c
          .info()
          .catch(() => c.cachedInfo() ?? { name: c.name, netbios: c.config.netbios, baseDn: c.config.baseDn ?? '' }),
      ),
    );
  }

  async status(): Promise<DcStatus[]> {
    return (await Promise.all(this.connections.map((c) => c.status()))).flat();
  }

  async resolve(identifier: string, options: ResolveOptions = {}): Promise<DirectoryObject> {
    const kind = options.kind ?? 'target';
    const parsed = parseIdentifier(identifier);
    if (!parsed) throw new DomainError('VALIDATION_FAILED', `"${identifier}" is not an account identifier`);
    const read = {
      withRbcd: options.withRbcd === true,
      withSecurityDescriptor: options.withSecurityDescriptor === true,
      identityOnly: options.identityOnly === true,
    };
    const candidates = await this.candidateDomains(parsed, kind, options.domain);
    const homeKey = `${kind}|${identifier.trim().toLowerCase()}`;
    const home = candidates.length > 1 ? this.homes.get(homeKey) : undefined;
    if (home) {
      // Found in this domain a moment ago and unique then: ask it alone (one search, not one per domain).
      const again = await this.findIn(this.connectionFor(home), parsed, read);
      if (again.length === 1) return this.resolved(again[0], options);
    }
    // Every candidate domain is asked at once: a name must be unique across all of them.
    const answers = await Promise.allSettled(candidates.map((connection) => this.findIn(connection, parsed, read)));
    const found = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
    const failed = candidates.filter((_, i) => answers[i].status === 'rejected');
    if (failed.length === candidates.length) throw (answers[0] as PromiseRejectedResult).reason;
    if (failed.length > 0 && found.length <= 1) throw this.partialAnswerError(identifier, found, failed, answers);
    if (found.length === 0) {
      throw new DomainError(NOT_FOUND_CODE[kind], `No account matches "${identifier}"`, {
        identifier,
        domains: candidates.map((c) => c.name),
      });
    }
    if (found.length > 1) {
      throw new DomainError(
        'AMBIGUOUS_IDENTIFIER',
        `"${identifier}" matches ${found.length} accounts; use a DN, SID or DOMAIN\\name`,
        {
          identifier,
          matches: found.slice(0, 10).map((o) => o.dn),
        },
      );
    }
    if (candidates.length > 1) this.homes.set(homeKey, found[0].domain);
    return this.resolved(found[0], options);
  }

  /**
   * A name searched in several domains while some did not answer: neither "not found" nor a unique
   * match can be told (the silent domain may hold an account of that name). Not a guess: 503, and
   * how to name the account so that one domain is asked (DOMAIN\name, DN, SID, DNS host name).
   */
  private partialAnswerError(
    identifier: string,
    found: DirectoryObject[],
    failed: DomainConnection[],
    answers: PromiseSettledResult<unknown>[],
  ): Error {
    const reasons = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
    const notAvailability = reasons.find((reason) => !isDomainOutOfReach(reason));
    if (notAvailability) return notAvailability as Error;
    const silent = failed.map((c) => c.name);
    const how = 'name it as DOMAIN\\name, a DN, a SID or a DNS host name so that one domain is asked';
    const message = found.length
      ? `"${identifier}" was found in ${found[0].domain}, but ${silent.join(', ')} did not answer, so it cannot be told apart from an account of the same name there; ${how}`
      : `No answering domain has "${identifier}", and ${silent.join(', ')} did not answer; ${how}`;
    return new DomainError('DIRECTORY_UNAVAILABLE', message, {
      identifier,
      foundIn: found.map((o) => o.domain),
      unreachable: silent,
    });
  }

  private resolved(object: DirectoryObject, options: ResolveOptions): DirectoryObject {
    if (options.withRbcd) object.rbcd ??= null;
    else delete object.rbcd;
    if (options.withSecurityDescriptor) object.securityDescriptor ??= null;
    else delete object.securityDescriptor;
    if (options.identityOnly) return object; // not a whole account: never cached as one
    // The name cache keeps names, never a descriptor value (that is read fresh every time).
    const named = { ...object };
    delete named.rbcd;
    delete named.securityDescriptor;
    this.sidCache.set(object.sid, named);
    return object;
  }

  async resolveSids(sids: string[]): Promise<Map<string, DirectoryObject | null>> {
    const result = new Map<string, DirectoryObject | null>();
    const pending = new Map<DomainConnection, string[]>();
    const byDomainSid = await this.connectionsByDomainSid();
    for (const sid of new Set(sids.map((s) => s.toUpperCase()))) {
      const cached = this.sidCache.get(sid);
      if (cached !== undefined) {
        result.set(sid, cached);
        continue;
      }
      const connection = byDomainSid.get(domainSidOf(sid) ?? '');
      if (!connection) {
        result.set(sid, null); // a foreign forest, a builtin SID or garbage: nobody here can name it
        continue;
      }
      pending.set(connection, [...(pending.get(connection) ?? []), sid]);
    }
    await Promise.all(
      [...pending].map(async ([connection, list]) => {
        const batcher = this.lookupBatcher(connection, { withSecurityDescriptor: false, identityOnly: false });
        const answers = await Promise.allSettled(list.map((sid) => batcher.load({ kind: 'sid', sid })));
        answers.forEach((answer, i) => {
          const sid = list[i];
          if (answer.status === 'rejected') {
            // A domain that is down leaves its SIDs unnamed (not cached): the answer about the
            // target still comes, with those principals unresolved, instead of failing whole.
            const error = answer.reason as unknown;
            if (!isDomainOutOfReach(error)) throw error;
            this.logger.warn(`cannot name ${sid} of ${connection.name}: ${error.message}`);
            result.set(sid, null);
            return;
          }
          const object = answer.value[0] ?? null;
          if (object) delete object.rbcd;
          this.sidCache.set(sid, object);
          result.set(sid, object);
        });
      }),
    );
    return result;
  }

  async groupSids(object: DirectoryObject): Promise<string[]> {
    const connection = this.connectionFor(object.domain);
    const groups = await connection.withClient(
      'tokenGroups read',
      async (client) => {
        const { searchEntries } = await client.search(object.dn, {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['tokenGroups'],
          explicitBufferAttributes: ['tokenGroups'],
        });
        const raw = searchEntries[0]?.tokenGroups;
        const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        return list.filter(Buffer.isBuffer).map((b) => sidFromBytes(b));
      },
      object.dn,
    );
    // tokenGroups leaves out BUILTIN aliases; the KDC's token has those the account reaches
    // (BUILTIN\Users through Authenticated Users, for one), so they are added from the domain's own.
    const aliases = await this.builtinAliasesOf(connection);
    return [...groups, ...aliasesReached([object.sid, ...groups, ...IMPLICIT_TOKEN_SIDS], aliases)];
  }

  private async builtinAliasesOf(connection: DomainConnection): Promise<BuiltinAlias[]> {
    const cached = this.builtinAliases.get(connection.name);
    if (cached) return cached;
    const { baseDn } = await connection.info();
    const aliases = await connection.withClient('builtin aliases read', (client) => readBuiltinAliases(client, baseDn));
    this.builtinAliases.set(connection.name, aliases);
    return aliases;
  }

  async readRbcd(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null> {
    return this.connectionFor(object.domain).withClient('read', (client) => this.readRaw(client, object.dn), object.dn);
  }

  async updateRbcd(
    object: Pick<DirectoryObject, 'dn' | 'domain'>,
    mutate: RbcdMutation,
    options: { current?: Buffer | null } = {},
  ): Promise<CasResult> {
    const connection = this.connectionFor(object.domain);
    for (let attempt = 1; attempt <= CAS_MAX_ATTEMPTS; attempt++) {
      const before =
        attempt === 1 && options.current !== undefined
          ? options.current
          : await connection.withClient('read', (client) => this.readRaw(client, object.dn), object.dn);
      const after = mutate(before);
      if (
        after === undefined ||
        (after !== null && before !== null && after.equals(before)) ||
        (after === null && before === null)
      ) {
        return { before, after: before, changed: false, attempts: attempt };
      }
      const changes: Change[] = [];
      if (before)
        changes.push(
          new Change({ operation: 'delete', modification: new Attribute({ type: RBCD_ATTRIBUTE, values: [before] }) }),
        );
      if (after)
        changes.push(
          new Change({ operation: 'add', modification: new Attribute({ type: RBCD_ATTRIBUTE, values: [after] }) }),
        );
      try {
        // delete <old value> + add <new value> in one modify is a compare-and-swap on AD: the
        // delete fails with noSuchAttribute when the value changed since it was read.
        await connection.withClient(WRITE_OPERATION, (client) => this.modifyRaw(client, object.dn, changes), object.dn);
        return { before, after, changed: true, attempts: attempt };
      } catch (error) {
        const code = (error as DomainError).details?.ldapCode;
        if (code !== LDAP_RESULT.NO_SUCH_ATTRIBUTE && code !== LDAP_RESULT.ATTRIBUTE_OR_VALUE_EXISTS) throw error;
        this.logger.debug(`concurrent change of ${object.dn} (attempt ${attempt}); re-reading`);
        await sleep(Math.floor(Math.random() * 20 * attempt));
      }
    }
    throw new DomainError(
      'DESCRIPTOR_CHANGED',
      `The descriptor of ${object.dn} kept changing under concurrent writers; try again`,
      { dn: object.dn },
    );
  }

  async *search(domain: string, base: string | undefined, options: LdapSearchOptions): AsyncIterable<DirectoryObject> {
    const connection = this.connectionFor(domain);
    const baseDn = base ?? (await connection.info()).baseDn;
    const attributes = [
      ...(options.attributes ?? ACCOUNT_ATTRIBUTES),
      ...(options.withSecurityDescriptor ? [SECURITY_DESCRIPTOR_ATTRIBUTE] : []),
    ];
    const controls = options.withSecurityDescriptor ? [new SdFlagsControl()] : [];
    const started = performance.now();
    let count = 0;
    for (let attempt = 0; ; attempt++) {
      let client: Client | undefined;
      try {
        client = await connection.acquire();
        for await (const page of client.searchPaginated(
          baseDn,
          {
            scope: options.scope ?? 'sub',
            filter: toLdapFilter(options.filter),
            attributes,
            explicitBufferAttributes: BINARY_ATTRIBUTES,
            paged: { pageSize: options.pageSize ?? 500 },
            sizeLimit: 0,
          },
          controls,
        )) {
          for (const entry of page.searchEntries) {
            const object = toDirectoryObject(entry, domain);
            if (attributes.includes(RBCD_ATTRIBUTE)) object.rbcd ??= null;
            if (options.withSecurityDescriptor) object.securityDescriptor ??= null;
            count++;
            yield object;
            if (options.sizeLimit && count >= options.sizeLimit) break;
          }
          if (options.sizeLimit && count >= options.sizeLimit) break;
        }
        connection.report('search', started);
        return;
      } catch (error) {
        if (resultCode(error) === LDAP_RESULT.NO_SUCH_OBJECT) {
          connection.report('search', started);
          throw new DomainError('NOT_FOUND', `No such search base ${baseDn} in ${domain}`, { base: baseDn });
        }
        // A search that broke before it yielded anything is retried on the next DC (as withClient does).
        if (count === 0 && attempt < connection.config.urls.length && (await connection.failedOver(error, client)))
          continue;
        const mapped = toDirectoryError(error, { domain, dn: baseDn, operation: 'search' });
        connection.report('search', started, mapped);
        throw mapped;
      }
    }
  }

  async readSecurityDescriptor(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<Buffer | null> {
    return this.connectionFor(object.domain).withClient(
      'security descriptor read',
      async (client) => {
        const { searchEntries } = await client.search(
          object.dn,
          {
            scope: 'base',
            filter: '(objectClass=*)',
            attributes: [SECURITY_DESCRIPTOR_ATTRIBUTE],
            explicitBufferAttributes: BINARY_ATTRIBUTES,
          },
          [new SdFlagsControl()],
        );
        const entry = searchEntries[0];
        if (!entry) throw new DomainError('NOT_FOUND', `No object ${object.dn}`, { dn: object.dn });
        return toDirectoryObject(entry, object.domain).securityDescriptor ?? null;
      },
      object.dn,
    );
  }

  async nestedMembers(group: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<NestedMembers> {
    const connection = this.connectionFor(group.domain);
    // The group's own domain: one search for its members that can widen it (memberOf is the
    // back-link of member), so a group of 10,000 computers costs nothing here.
    const filter = new AndFilter({
      filters: [new EqualityFilter({ attribute: 'memberOf', value: group.dn }), WIDENING_CLASSES],
    });
    const members = await this.searchEntries(connection, undefined, { filter, attributes: ACCOUNT_ATTRIBUTES });
    // Members in another domain of the forest: a group may name a group of another domain by DN
    // (universal and domain local groups; no foreign security principal then). That member's
    // memberOf back-link does not sit in this domain, so only the forward link (member, read with
    // its SIDs) shows it. That read returns every member (10,000 computers are about 1 MB), once
    // per group the walk visits. Samba cannot make a multi-domain forest: this part is Windows-only.
    const refs = await connection.withClient('member read', (client) => readMemberRefs(client, group.dn), group.dn);
    const domains = await this.domains();
    const elsewhere = new Map<string, string[]>();
    const outOfReach: NestedMembers['outOfReach'] = [];
    for (const ref of refs) {
      const owner = domainOfDn(ref.dn, domains);
      if (owner?.name === group.domain) continue;
      if (owner) elsewhere.set(owner.name, [...(elsewhere.get(owner.name) ?? []), ref.dn]);
      else outOfReach.push({ dn: ref.dn, sid: ref.sid });
    }
    for (const [domain, dns] of elsewhere) {
      for (let i = 0; i < dns.length; i += LOOKUP_BATCH) {
        const byDn = new OrFilter({
          filters: dns
            .slice(i, i + LOOKUP_BATCH)
            .map((dn) => new EqualityFilter({ attribute: 'distinguishedName', value: dn })),
        });
        members.push(
          ...(await this.searchEntries(this.connectionFor(domain), undefined, {
            filter: new AndFilter({ filters: [byDn, WIDENING_CLASSES] }),
            attributes: ACCOUNT_ATTRIBUTES,
          })),
        );
      }
    }
    return { members, outOfReach };
  }

  async machineAccountQuota(domain: string): Promise<number | undefined> {
    const connection = this.connectionFor(domain);
    const { baseDn } = await connection.info();
    return connection.withClient('machine account quota read', async (client) => {
      const { searchEntries } = await client.search(baseDn, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['ms-DS-MachineAccountQuota'],
      });
      const entry = searchEntries[0] ?? {};
      const key = Object.keys(entry).find((k) => k.toLowerCase() === 'ms-ds-machineaccountquota');
      const raw = key ? entry[key] : undefined;
      const value = Array.isArray(raw) ? raw[0] : raw;
      const quota = value === undefined || value === '' ? undefined : Number(value);
      return quota !== undefined && Number.isFinite(quota) ? quota : undefined;
    });
  }

  private async searchEntries(
    connection: DomainConnection,
    base: string | undefined,
    options: LdapSearchOptions,
  ): Promise<DirectoryObject[]> {
    const list: DirectoryObject[] = [];
    for await (const object of this.search(connection.name, base, options)) list.push(object);
    return list;
  }

  private async readRaw(client: Client, dn: string): Promise<Buffer | null> {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [RBCD_ATTRIBUTE],
      explicitBufferAttributes: [RBCD_ATTRIBUTE],
    });
    const value = searchEntries[0]?.[RBCD_ATTRIBUTE];
    const bytes = Array.isArray(value) ? value[0] : value;
    return Buffer.isBuffer(bytes) ? bytes : null;
  }

  private async modifyRaw(client: Client, dn: string, changes: Change[]): Promise<void> {
    await client.modify(dn, changes);
  }

  async spnMappings(domain: string): Promise<SpnMappings> {
    const connection = this.connectionFor(domain);
    const configurationDn = await this.configurationDnOf(connection);
    const cached = this.spnMappingsByForest.get(configurationDn.toLowerCase());
    if (cached) return cached;
    try {
      const mappings = await connection.withClient('sPNMappings read', (client) =>
        readSpnMappings(client, configurationDn, configurationDn),
      );
      this.spnMappingsByForest.set(configurationDn.toLowerCase(), mappings);
      return mappings;
    } catch (error) {
      // Not cached: the next question tries the forest again.
      return {
        forest: configurationDn,
        source: 'default',
        aliases: parseSpnMappings(DEFAULT_SPN_MAPPINGS),
        error: (error as Error).message,
      };
    }
  }

  async dcFunctionalLevels(domain: string): Promise<DcFunctionalLevel[]> {
    const connection = this.connectionFor(domain);
    const configurationDn = await this.configurationDnOf(connection);
    const { baseDn } = await connection.info();
    return connection.withClient('nTDSDSA read', (client) => readDcFunctionalLevels(client, configurationDn, baseDn));
  }

  async accountState(object: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<AccountState> {
    return this.connectionFor(object.domain).withClient(
      'account state read',
      (client) => readAccountState(client, object.dn),
      object.dn,
    );
  }

  private async configurationDnOf(connection: DomainConnection): Promise<string> {
    const info = await connection.info();
    return info.configurationDn ?? `CN=Configuration,${info.baseDn}`;
  }

  private connectionFor(domain: string): DomainConnection {
    const connection = this.connections.find((c) => c.name === domain.toLowerCase());
    if (!connection) throw new DomainError('DOMAIN_NOT_CONFIGURED', `Domain ${domain} is not configured`, { domain });
    return connection;
  }

  private async connectionsByDomainSid(): Promise<Map<string, DomainConnection>> {
    const map = new Map<string, DomainConnection>();
    await Promise.all(
      this.connections.map(async (c) => {
        const info = await c.info().catch(() => c.cachedInfo());
        if (info?.domainSid) map.set(info.domainSid.toUpperCase(), c);
      }),
    );
    return map;
  }

  /** Which domains to look in: the one the identifier names, else all of them. */
  private async candidateDomains(
    parsed: ParsedIdentifier,
    kind: keyof typeof NOT_FOUND_CODE,
    domain?: string,
  ): Promise<DomainConnection[]> {
    if (this.connections.length === 0)
      throw new DomainError('DIRECTORY_UNAVAILABLE', 'No domain is configured (set LDAP_URL or RBCD_CONFIG domains)');
    if (parsed.kind === 'netbios') {
      // DOMAIN\name names its domain: never look for `name` anywhere else (even with one domain).
      const infos = await this.domains();
      const owner = this.connections.find(
        (c, i) => infos[i].netbios === parsed.netbios || c.name === parsed.netbios.toLowerCase(),
      );
      if (!owner || (domain && owner !== this.connectionFor(domain))) {
        throw new DomainError(
          NOT_FOUND_CODE[kind],
          `No account matches "${parsed.netbios}\\${parsed.samAccountName}": no configured domain has the NetBIOS name ${parsed.netbios}`,
          {
            netbios: parsed.netbios,
          },
        );
      }
      return [owner];
    }
    if (domain) return [this.connectionFor(domain)];
    if (this.connections.length === 1) return this.connections;
    switch (parsed.kind) {
      case 'sid': {
        const bySid = await this.connectionsByDomainSid();
        const owner = bySid.get(domainSidOf(parsed.sid) ?? '');
        return owner ? [owner] : this.connections;
      }
      case 'dn': {
        const infos = await this.domains();
        const owner = this.connections.find((c, i) => isDnUnder(parsed.dn, infos[i].baseDn));
        return owner ? [owner] : this.connections;
      }
      case 'dnsHostName': {
        const owner = this.connections.find((c) => parsed.dnsHostName.endsWith(`.${c.name}`));
        return owner ? [owner] : this.connections;
      }
      default:
        return this.connections;
    }
  }

  private async findIn(
    connection: DomainConnection,
    parsed: ParsedIdentifier,
    read: LookupShape & { withRbcd: boolean },
  ): Promise<DirectoryObject[]> {
    if (parsed.kind === 'dn') {
      try {
        return await this.searchEntries(connection, parsed.dn, {
          filter: '(objectSid=*)',
          scope: 'base',
          attributes: [
            ...(read.identityOnly ? IDENTITY_ATTRIBUTES : ACCOUNT_ATTRIBUTES),
            ...(read.withRbcd ? [RBCD_ATTRIBUTE] : []),
          ],
          withSecurityDescriptor: read.withSecurityDescriptor,
        });
      } catch (error) {
        if (
          error instanceof DomainError &&
          (error.code === 'NOT_FOUND' || error.code === 'TARGET_NOT_FOUND' || error.details?.ldapCode === 34)
        )
          return [];
        throw error;
      }
    }
    return this.lookupBatcher(connection, {
      withSecurityDescriptor: read.withSecurityDescriptor,
      identityOnly: read.identityOnly,
    }).load(parsed);
  }

  /**
   * The domain's look-up batcher: identifiers asked in the same tick (REST requests in flight,
   * GraphQL aliases, a plan's targets, SID naming) become one search, an OR of up to LOOKUP_BATCH
   * identity filters, each caller answered with its own copies of the entries it matches. With
   * `withSecurityDescriptor`, the same search also reads each entry's nTSecurityDescriptor (who
   * else may write it), so a delegation read costs no search of its own for it.
   */
  private lookupBatcher(
    connection: DomainConnection,
    shape: LookupShape,
  ): ReadBatcher<SearchableIdentifier, DirectoryObject[]> {
    const key = `${connection.name}|${shape.withSecurityDescriptor ? 'sd' : ''}|${shape.identityOnly ? 'identity' : ''}`;
    let batcher = this.lookups.get(key);
    if (!batcher) {
      batcher = new ReadBatcher(
        (items) => this.lookupBatch(connection, items, shape),
        LOOKUP_BATCH,
        connection.poolSize * LOOKUPS_IN_FLIGHT_PER_CONNECTION,
      );
      this.lookups.set(key, batcher);
    }
    return batcher;
  }

  private async lookupBatch(
    connection: DomainConnection,
    items: SearchableIdentifier[],
    shape: LookupShape,
  ): Promise<DirectoryObject[][]> {
    const distinct = new Map<string, SearchableIdentifier>();
    for (const item of items) distinct.set(identityKey(item), item);
    const { baseDn } = await connection.info();
    const answers = await connection.withClient('lookup', (client) =>
      this.identityLookups.answer(client, { connection, baseDn, shape }, [...distinct.values()]),
    );
    return items.map((item) => (answers.get(identityKey(item)) ?? []).map((o) => ({ ...o })));
  }
}
