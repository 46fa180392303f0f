// Batched identity look-ups on one connection (one DC), and the answers kept between them: what
// LdapDirectory's look-up batcher sends for each batch.
import { AndFilter, type Client, EqualityFilter, type Filter, OrFilter, PresenceFilter } from 'ldapts';
import { sidToBytes } from '../security-descriptor';
import type { DcStampedCache } from './dc-stamped-cache';
import { readDcStamp } from './dc-stamp';
import { RBCD_ATTRIBUTE, SECURITY_DESCRIPTOR_ATTRIBUTE, type DirectoryObject } from './directory.types';
import type { DomainConnection } from './domain-connection';
import { ACCOUNT_ATTRIBUTES, BINARY_ATTRIBUTES, toDirectoryObject } from './entry-mapper';
import { guidToBytes, type ParsedIdentifier } from './identifier';
import { identityKey, matchesIdentity, type SearchableIdentifier } from './identity-match';
import { binaryEquals } from './ldap-escape';
import { SdFlagsControl } from './sd-flags-control';

/**
 * What names an account (resolve's `identityOnly`): a view that shows it needs nothing else. Every
 * attribute an identifier can be matched on is here (matchesIdentity hands each caller its entries by
 * them): without userPrincipalName, `alice@contoso.test` found alice and then was told "not found".
 */
export const IDENTITY_ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'userPrincipalName',
  'dNSHostName',
  'objectClass',
];
/** Most entries one identifier may match (more than one is AMBIGUOUS_IDENTIFIER; ten are shown). */
const MATCHES_KEPT = 11;
/** Changed on every change of the object, on the DC that reads it: how a kept answer is checked. */
const USN_CHANGED = 'uSNChanged';

/** What a look-up reads besides the account's names: one batcher per shape. */
export interface LookupShape {
  withSecurityDescriptor: boolean;
  identityOnly: boolean;
}

/** The attributes a batched look-up of this shape reads (the RBCD value always: it is small). */
function lookupAttributes(shape: LookupShape): string[] {
  return [
    ...(shape.identityOnly ? IDENTITY_ATTRIBUTES : ACCOUNT_ATTRIBUTES),
    RBCD_ATTRIBUTE,
    ...(shape.withSecurityDescriptor ? [SECURITY_DESCRIPTOR_ATTRIBUTE] : []),
    USN_CHANGED,
  ];
}

/** What a batch is asked on: the domain's connection (for its name and metrics), its base DN, the shape. */
export interface LookupScope {
  connection: DomainConnection;
  baseDn: string;
  shape: LookupShape;
}

/** An identifier's answer as kept: its entries, and each one's GUID and uSNChanged when read. */
interface KeptAnswer {
  entries: DirectoryObject[];
  versions: string;
}

/** An entry with its version (`guid@uSNChanged`) as the DC showed it (undefined: not shown). */
interface Versioned {
  object: DirectoryObject;
  version: string | undefined;
}

/**
 * Answers identifiers with as little as the DC's state allows, always from what the DC says after
 * the caller asked:
 *   - the DC's stamp first (dsServiceName, highestCommittedUSN): answers kept at that very stamp
 *     are given again (the DC committed nothing since their search);
 *   - answers kept at an earlier stamp of the same DC are checked in one small search (each
 *     matching entry's GUID and uSNChanged, no descriptor): unchanged, they are given again and
 *     kept at the new stamp; an entry changed, gone or added means the identifier is asked again;
 *   - the rest in one search of the whole shape, kept with the stamp read before it.
 * With the cache off (RBCD_READ_CACHE_ENTRIES=0) every batch is one search, as before.
 */
export class IdentityLookups {
  constructor(private readonly kept: DcStampedCache<KeptAnswer>) {}

  async answer(
    client: Client,
    scope: LookupScope,
    questions: SearchableIdentifier[],
  ): Promise<Map<string, DirectoryObject[]>> {
    const answers = new Map<string, DirectoryObject[]>();
    const stamp = this.kept.enabled ? await readDcStamp(client) : undefined;
    const keyOf = (q: SearchableIdentifier) => cacheKey(scope, q);
    const toCheck: [SearchableIdentifier, KeptAnswer][] = [];
    let asked: SearchableIdentifier[] = [];
    for (const q of questions) {
      const kept = stamp && this.kept.get(keyOf(q), stamp);
      const earlier = stamp && !kept ? this.kept.keptEarlier(keyOf(q), stamp) : undefined;
      if (kept) answers.set(identityKey(q), kept.entries);
      else if (earlier) toCheck.push([q, earlier]);
      else asked.push(q);
    }
    if (stamp && toCheck.length) {
      const changed = await this.check(client, scope, toCheck);
      for (const [q, earlier] of toCheck) {
        if (changed.has(q)) continue;
        answers.set(identityKey(q), earlier.entries);
        this.kept.restamp(keyOf(q), stamp);
      }
      asked = [...asked, ...changed];
    }
    if (asked.length === 0) return answers;
    const found = await this.search(client, scope, asked, lookupAttributes(scope.shape), 'lookup-search');
    const claimed = (q: SearchableIdentifier) =>
      found.filter((v) => matchesIdentity(q, v.object)).slice(0, MATCHES_KEPT);
    const fresh = new Map(asked.map((q) => [q, claimed(q)]));
    if (found.some((v) => !asked.some((q) => matchesIdentity(q, v.object))) && asked.length > 1) {
      // An entry none of our comparisons claims (a collation AD knows better): the identifiers
      // left without an answer are asked one by one, so no caller is told "not found" wrongly.
      for (const q of asked.filter((q) => fresh.get(q)?.length === 0)) {
        const alone = await this.search(client, scope, [q], lookupAttributes(scope.shape), 'lookup-search');
        fresh.set(q, alone.slice(0, MATCHES_KEPT));
      }
    }
    for (const [q, entries] of fresh) {
      const objects = entries.map((v) => v.object);
      answers.set(identityKey(q), objects);
      const versions = versionsOf(entries);
      if (stamp && versions !== undefined) this.kept.set(keyOf(q), stamp, { entries: objects, versions });
    }
    return answers;
  }

  /** The identifiers whose kept answer no longer holds: an entry changed, went away or came. */
  private async check(
    client: Client,
    scope: LookupScope,
    toCheck: [SearchableIdentifier, KeptAnswer][],
  ): Promise<Set<SearchableIdentifier>> {
    const questions = toCheck.map(([q]) => q);
    const now = await this.search(client, scope, questions, [...IDENTITY_ATTRIBUTES, USN_CHANGED], 'lookup-check');
    const changed = new Set<SearchableIdentifier>();
    const unclaimed = now.some((v) => !questions.some((q) => matchesIdentity(q, v.object)));
    for (const [q, earlier] of toCheck) {
      const current = now.filter((v) => matchesIdentity(q, v.object)).slice(0, MATCHES_KEPT);
      // An entry no comparison claims might be this identifier's: asked again rather than guessed.
      const versions = versionsOf(current);
      if (versions === undefined || versions !== earlier.versions || (unclaimed && current.length === 0))
        changed.add(q);
    }
    return changed;
  }

  /** One subtree search for accounts matching any of the identifiers (filter objects: values never parsed as filter syntax). */
  private async search(
    client: Client,
    { connection, baseDn, shape }: LookupScope,
    questions: SearchableIdentifier[],
    attributes: string[],
    operation: string,
  ): Promise<Versioned[]> {
    const identities =
      questions.length === 1 ? identityFilter(questions[0]) : new OrFilter({ filters: questions.map(identityFilter) });
    const filter = new AndFilter({ filters: [new PresenceFilter({ attribute: 'objectSid' }), identities] });
    const withDescriptor = shape.withSecurityDescriptor && attributes.includes(SECURITY_DESCRIPTOR_ATTRIBUTE);
    const started = performance.now();
    const { searchEntries } = await client.search(
      baseDn,
      { scope: 'sub', filter, attributes, explicitBufferAttributes: BINARY_ATTRIBUTES },
      withDescriptor ? [new SdFlagsControl()] : [],
    );
    connection.report(operation, started);
    return searchEntries.map((entry) => {
      const object = toDirectoryObject(entry, connection.name);
      object.rbcd ??= null;
      if (shape.withSecurityDescriptor) object.securityDescriptor ??= null;
      const usn = entry[USN_CHANGED];
      return { object, version: typeof usn === 'string' && usn ? `${object.guid}@${usn}` : undefined };
    });
  }
}

function cacheKey({ connection, shape }: LookupScope, q: SearchableIdentifier): string {
  return `${connection.name}|${shape.withSecurityDescriptor ? 'sd' : ''}|${shape.identityOnly ? 'identity' : ''}|${identityKey(q)}`;
}

/**
 * The versions of an answer's entries, in a stable order (the DC may return them in any);
 * undefined when an entry came without its uSNChanged (such an answer is never kept or reused).
 */
function versionsOf(entries: Versioned[]): string | undefined {
  if (entries.some((v) => v.version === undefined)) return undefined;
  return entries
    .map((v) => v.version as string)
    .sort()
    .join(',');
}

/**
 * The LDAP filter for one parsed identifier, built as filter objects: caller-provided values are
 * never parsed as filter syntax (`SERVER*` or `x)(cn=*` stay literal names) and binary values keep
 * their bytes.
 */
export function identityFilter(parsed: Exclude<ParsedIdentifier, { kind: 'dn' }>): Filter {
  switch (parsed.kind) {
    case 'sid':
      return binaryEquals('objectSid', sidToBytes(parsed.sid));
    case 'guid':
      return binaryEquals('objectGUID', guidToBytes(parsed.guid));
    case 'upn':
      return equals('userPrincipalName', parsed.upn);
    case 'netbios':
      return samFilter(parsed.samAccountName);
    case 'dnsHostName':
      return new OrFilter({ filters: [equals('dNSHostName', parsed.dnsHostName), samFilter(parsed.dnsHostName)] });
    case 'samAccountName':
      return samFilter(parsed.samAccountName);
  }
}

function equals(attribute: string, value: string): Filter {
  return new EqualityFilter({ attribute, value });
}

/** `SERVERC` matches SERVERC or SERVERC$ (a computer's account name); `SERVERC$` only itself. */
function samFilter(name: string): Filter {
  return name.endsWith('$')
    ? equals('sAMAccountName', name)
    : new OrFilter({ filters: [equals('sAMAccountName', name), equals('sAMAccountName', `${name}$`)] });
}
