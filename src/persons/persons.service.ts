import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal, Role } from '../auth/roles';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, OidcUserClaim } from '../config/config.types';
import { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import { parseIdentifier } from '../directory/identifier';
import { TtlCache } from '../directory/sid-cache';
import { isUserAccount, type Person, personOfUser } from './person';
import { query } from '../directory/directory-query';

/** Which attribute a person's name is looked up by: an OIDC claim's own, or any of them. */
export type PersonLookup = OidcUserClaim | 'any';

const LOOKUP_ATTRIBUTES: Record<PersonLookup, (value: string) => string[]> = {
  upn: () => ['userPrincipalName'],
  email: () => ['mail'],
  // Keycloak sends sAMAccountName; Entra ID sends the UPN.
  preferred_username: (value) => (value.includes('@') ? ['userPrincipalName'] : ['sAMAccountName']),
  any: () => ['userPrincipalName', 'mail', 'sAMAccountName'],
};

const PERSON_CACHE_MS = 60_000;

/**
 * Finds the AD user behind a name (OIDC claim, chat mapping, key owner, requestedFor): exactly one
 * user across the configured domains, or PERSON_NOT_RESOLVED (422) saying why. Also answers the
 * person's groups (transitively, as the KDC's token has them) and the roles those groups give.
 */
@Injectable()
export class PersonsService {
  private readonly logger = new Logger(PersonsService.name);
  private readonly persons = new TtlCache<string, Person>(PERSON_CACHE_MS);
  private readonly groups: TtlCache<string, Set<string>>;
  private readonly groupSidsByDn: TtlCache<string, string | null>;

  constructor(
    private readonly directory: DirectoryPort,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'roles'>,
  ) {
    this.groups = new TtlCache(Math.max(config.roles.groupCacheMs, 1));
    this.groupSidsByDn = new TtlCache(Math.max(config.roles.groupCacheMs, 1));
  }

  /** The AD user `identifier` names (UPN, mail, sAMAccountName, DOMAIN\name, SID or DN). */
  async resolveUser(identifier: string, lookup: PersonLookup = 'any'): Promise<Person> {
    const text = identifier.trim();
    const cacheKey = `${lookup}|${text.toLowerCase()}`;
    const cached = this.persons.get(cacheKey);
    if (cached) return cached;
    const parsed = parseIdentifier(text);
    if (!parsed) throw notResolved(identifier, 'is not a user name', 'not-found');
    const users =
      ['sid', 'netbios', 'dn', 'guid'].includes(parsed.kind) && lookup === 'any'
        ? await this.resolveExact(text)
        : await this.search(text, lookup);
    const found = users.filter(isUserAccount);
    if (found.length === 0) throw notResolved(identifier, 'names no user in the configured domains', 'not-found');
    if (found.length > 1) {
      throw new DomainError(
        'PERSON_NOT_RESOLVED',
        `"${identifier}" names ${found.length} users (${found.map((u) => u.dn).join('; ')}); name one as a UPN or DOMAIN\\name`,
        {
          identifier,
          reason: 'ambiguous',
          matches: found.map((u) => u.dn),
        },
      );
    }
    if ((found[0].userAccountControl & 0x2) !== 0)
      throw notResolved(identifier, `names ${found[0].samAccountName}, whose account is disabled`, 'disabled');
    const person = personOfUser(found[0]);
    this.persons.set(cacheKey, person);
    return person;
  }

  /** The SIDs of the groups the person belongs to (transitively), cached RBCD_GROUP_CACHE_MS. */
  async groupsOf(person: Person): Promise<Set<string>> {
    if (person.kind !== 'directory' || !person.sid) return new Set();
    const cached = this.groups.get(person.key);
    if (cached) return cached;
    const user = await this.directory.resolve(person.sid, {
      kind: 'user',
      ...(person.domain ? { domain: person.domain } : {}),
    });
    const sids = new Set((await this.directory.groupSids(user)).map((s) => s.toUpperCase()));
    this.groups.set(person.key, sids);
    return sids;
  }

  /** The SID of a group named by DN (cached); null when no such object exists. */
  async groupSid(dn: string): Promise<string | null> {
    const key = dn.toLowerCase();
    const cached = this.groupSidsByDn.get(key);
    if (cached !== undefined) return cached;
    let sid: string | null = null;
    try {
      sid = (await this.directory.resolve(dn, { kind: 'principal' })).sid.toUpperCase();
    } catch (error) {
      if (!(error instanceof DomainError) || !/NOT_FOUND$/.test(error.code)) throw error;
      this.logger.warn(`group ${dn} (roles.fromGroups or an owner group) does not exist: it gives nothing`);
    }
    this.groupSidsByDn.set(key, sid);
    return sid;
  }

  /** Whether the person is (transitively) a member of the group with this SID. */
  async isMember(person: Person, groupSid: string): Promise<boolean> {
    return (await this.groupsOf(person)).has(groupSid.toUpperCase());
  }

  /** The roles `roles.fromGroups` gives the person. */
  async rolesFromGroups(person: Person): Promise<Role[]> {
    const entries = Object.entries(this.config.roles.fromGroups) as [Role, string[]][];
    if (entries.length === 0 || person.kind !== 'directory') return [];
    const groups = await this.groupsOf(person);
    const roles: Role[] = [];
    for (const [role, dns] of entries) {
      for (const dn of dns) {
        const sid = await this.groupSid(dn);
        if (sid && groups.has(sid)) {
          roles.push(role);
          break;
        }
      }
    }
    return roles;
  }

  /** The principal with the roles its person's AD groups give added (claims and config roles stay). */
  async withGroupRoles(principal: Principal): Promise<Principal> {
    if (!principal.person) return principal;
    const extra = await this.rolesFromGroups(principal.person);
    if (extra.length === 0) return principal;
    return { ...principal, roles: [...new Set([...principal.roles, ...extra])] };
  }

  private async resolveExact(identifier: string): Promise<DirectoryObject[]> {
    try {
      return [await this.directory.resolve(identifier, { kind: 'user' })];
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'USER_NOT_FOUND' || error.code === 'NOT_FOUND')) return [];
      if (error instanceof DomainError && error.code === 'AMBIGUOUS_IDENTIFIER')
        throw notResolved(identifier, 'is ambiguous; name the user as a UPN or DOMAIN\\name', 'ambiguous');
      throw error;
    }
  }

  /** Every domain asked at once; a domain that does not answer makes the answer unknowable (503). */
  private async search(value: string, lookup: PersonLookup): Promise<DirectoryObject[]> {
    const attributes = LOOKUP_ATTRIBUTES[lookup](value);
    const filter = query.and(
      query.userNotComputer(),
      query.or(...attributes.map((attribute) => query.equals(attribute, value))),
    );
    const domains = await this.directory.domains();
    const answers = await Promise.allSettled(
      domains.map(async (d) => {
        const list: DirectoryObject[] = [];
        for await (const object of this.directory.search(d.name, undefined, { filter, sizeLimit: 3 }))
          list.push(object);
        return list;
      }),
    );
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) throw failed.reason;
    return answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
  }
}

/** Why a name is no person: nobody has it, several do, or the one who does is disabled. */
export type NotResolvedReason = 'not-found' | 'ambiguous' | 'disabled';

function notResolved(identifier: string, why: string, reason: NotResolvedReason): DomainError {
  return new DomainError('PERSON_NOT_RESOLVED', `"${identifier}" ${why}`, { identifier, reason });
}
