import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject, DomainInfo } from '../directory/directory.types';
import { query } from '../directory/directory-query';
import { escapeFilterValue } from '../directory/ldap-escape';
import { TtlCache } from '../directory/sid-cache';
import { heldByAnyAccount, WELL_KNOWN_SIDS } from '../directory/well-known-sids';
import { sidToBytes } from '../security-descriptor';
import { TIER0_WELL_KNOWN_SIDS } from './tier0';
import { type WriterMemo, type WriterWarning, writerName, WritersService } from './writers.service';

/** Most groups one principal's nesting may hold before the check gives up (and refuses). */
const MAX_GROUPS = 500;
const MAX_DEPTH = 32;
const TIER0_MEMBERS_TTL_MS = 60_000;
/** Tier 0 groups whose members are protected as targets (domain RIDs; builtin SIDs below). */
const TIER0_GROUP_RIDS = [512, 518, 519];
const LDAP_MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';

export interface PrincipalVerdict {
  /** Why the principals may not be granted (empty: allowed). */
  refusals: string[];
  /** Allowed, but worth saying (PRINCIPAL_IS_USER_ACCOUNT). */
  warnings: WriterWarning[];
}

/**
 * The built-in policy no configuration turns off, the part that needs the directory: principals
 * that mean "anyone" (at any nesting depth, across foreign security principals), groups whose
 * membership someone outside Tier 0 can change, user accounts without an SPN, computers an
 * ordinary user created; and targets that sit in a Tier 0 group. Checked at request time, in plan,
 * and again just before the write.
 */
@Injectable()
export class BuiltinGuard {
  private readonly tier0Members = new TtlCache<string, Map<string, string>>(TIER0_MEMBERS_TTL_MS, 16);

  constructor(
    private readonly directory: DirectoryPort,
    private readonly writers: WritersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async checkPrincipals(principals: DirectoryObject[]): Promise<PrincipalVerdict> {
    const verdict: PrincipalVerdict = { refusals: [], warnings: [] };
    const memo: WriterMemo = new Map();
    for (const principal of principals) {
      const one = await this.checkPrincipal(principal, memo);
      verdict.refusals.push(...one.refusals);
      verdict.warnings.push(...one.warnings);
    }
    return verdict;
  }

  async checkPrincipal(principal: DirectoryObject, memo: WriterMemo = new Map()): Promise<PrincipalVerdict> {
    const refusals: string[] = [];
    const warnings: WriterWarning[] = [];
    const any = heldByAnyAccount(principal.sid);
    if (any) {
      refusals.push(
        `${principal.samAccountName || any} (${principal.sid}) is held by any account, or by any computer account anyone may create: granting it lets every such account delegate`,
      );
      return { refusals, warnings };
    }
    const classes = principal.objectClass.map((c) => c.toLowerCase());
    if (classes.includes('group')) refusals.push(...(await this.groupRefusals(principal, memo)));
    else if (classes.includes('computer')) {
      if (principal.creatorSid && !this.config.policy.allowUserCreatedComputers) {
        refusals.push(
          `${principal.samAccountName} was created by an ordinary user (ms-DS-CreatorSID ${principal.creatorSid}, through ms-DS-MachineAccountQuota), who chose its password; set policy.allowUserCreatedComputers to allow such computers`,
        );
      }
    } else if (classes.includes('user')) {
      if (principal.servicePrincipalNames.length === 0) {
        refusals.push(
          `${principal.samAccountName} is a user account without an SPN: only services delegate, and RBCD to a user without an SPN is an attack technique`,
        );
      } else {
        warnings.push({
          code: 'PRINCIPAL_IS_USER_ACCOUNT',
          message: `${principal.samAccountName} is a user account (a service account with SPNs): whoever knows its password can delegate as anyone to the target; prefer a gMSA`,
          sid: principal.sid,
        });
      }
    }
    return { refusals, warnings };
  }

  /**
   * The Tier 0 group a target sits in (transitively), or undefined: the members of Domain Admins,
   * Enterprise Admins, Schema Admins, the BUILTIN admin-like groups and policy.tier0Groups of the
   * target's domain, read with LDAP_MATCHING_RULE_IN_CHAIN and kept for a minute.
   */
  async tier0Membership(target: DirectoryObject): Promise<string | undefined> {
    const members = await this.tier0MembersOf(target.domain);
    return members.get(target.sid.toUpperCase());
  }

  private async tier0MembersOf(domain: string): Promise<Map<string, string>> {
    const cached = this.tier0Members.get(domain);
    if (cached) return cached;
    const info = (await this.directory.domains()).find((d) => d.name === domain);
    // Domain groups first: a member is named by the most specific group (Domain Admins, not Administrators).
    const sids = [
      ...(info?.domainSid ? TIER0_GROUP_RIDS.map((rid) => `${info.domainSid}-${rid}`) : []),
      ...Object.keys(TIER0_WELL_KNOWN_SIDS).filter((s) => s.startsWith('S-1-5-32-')),
    ];
    const found: DirectoryObject[] = [];
    for await (const group of this.directory.search(domain, undefined, {
      filter: query.or(...sids.map((s) => query.equals('objectSid', sidToBytes(s)))),
    }))
      found.push(group);
    const groups = sids.flatMap((sid) => found.filter((g) => g.sid.toUpperCase() === sid.toUpperCase()));
    for (const sid of await this.writers.configuredTier0Groups()) {
      const group = (await this.directory.resolveSids([sid])).get(sid);
      if (group && group.domain === domain && !groups.some((g) => g.sid === group.sid)) groups.push(group);
    }
    const members = new Map<string, string>();
    for (const group of groups) {
      const filter = `(memberOf:${LDAP_MATCHING_RULE_IN_CHAIN}:=${escapeFilterValue(group.dn)})`;
      for await (const member of this.directory.search(domain, undefined, { filter, attributes: ['objectSid'] })) {
        if (member.sid && !members.has(member.sid.toUpperCase()))
          members.set(member.sid.toUpperCase(), group.samAccountName);
      }
    }
    this.tier0Members.set(domain, members);
    return members;
  }

  /**
   * Walks the group's nesting (breadth first, bounded): a member that every account holds refuses
   * it, with the chain that leads there; so does any group on the way whose membership someone
   * outside Tier 0 can change. Foreign security principals are followed into the configured domain
   * their SID belongs to.
   */
  private async groupRefusals(group: DirectoryObject, memo: WriterMemo): Promise<string[]> {
    const refusals: string[] = [];
    const domains = await this.directory.domains();
    const name = (o: DirectoryObject) => displayName(o, group.domain, domains);
    const queue: { object: DirectoryObject; path: string[] }[] = [{ object: group, path: [group.samAccountName] }];
    const seen = new Set([group.sid.toUpperCase()]);
    while (queue.length) {
      const { object, path } = queue.shift() as { object: DirectoryObject; path: string[] };
      const chain = path.join(' → ');
      const writers = await this.writers.membershipWriters(object, memo);
      if (!writers) {
        refusals.push(
          `${chain}: the permissions of ${object.samAccountName} cannot be read, so who may change its membership is unknown`,
        );
      } else {
        const others = writers.filter((w) => w.class === 'other');
        if (others.length) {
          const who = others
            .map((w) => `${writerName(w)} (${w.via === 'owner' ? 'owner, ' : ''}${w.rights.join(', ')})`)
            .join('; ');
          refusals.push(
            `${chain}: the membership of ${object.samAccountName} can be changed by ${who}, outside Tier 0: they could add any computer, which would then delegate`,
          );
        }
      }
      const { members, outOfReach } = await this.directory.nestedMembers(object);
      for (const member of outOfReach) {
        const sid = member.sid?.toUpperCase() ?? null;
        const any = sid ? heldByAnyAccount(sid) : undefined;
        refusals.push(
          any
            ? `${[...path, `${any} (${sid})`].join(' → ')}: ${group.samAccountName} holds, through its nesting, what every account holds or any user can get (a computer of their own)`
            : `${[...path, member.dn].join(' → ')}: a member in a domain the broker is not configured for; its membership cannot be checked`,
        );
      }
      for (const member of members) {
        const sid = member.sid.toUpperCase();
        if (!sid || seen.has(sid)) continue;
        seen.add(sid);
        const any = heldByAnyAccount(sid);
        if (any) {
          refusals.push(
            `${[...path, anyName(member, any, domains)].join(' → ')}: ${group.samAccountName} holds, through its nesting, what every account holds or any user can get (a computer of their own)`,
          );
          continue;
        }
        let next: DirectoryObject | null = member;
        if (member.objectClass.includes('foreignSecurityPrincipal')) {
          next = (await this.directory.resolveSids([sid])).get(sid) ?? null;
          if (!next) {
            refusals.push(
              `${[...path, WELL_KNOWN_SIDS[sid] ?? sid].join(' → ')}: a foreign principal from a domain the broker is not configured for; its membership cannot be checked`,
            );
            continue;
          }
          if (!next.objectClass.includes('group')) continue;
        }
        if (seen.size > MAX_GROUPS || path.length >= MAX_DEPTH) {
          refusals.push(
            `${chain}: more nested groups than the check follows (${MAX_GROUPS} groups, ${MAX_DEPTH} levels); refused rather than guessed`,
          );
          return refusals;
        }
        queue.push({ object: next, path: [...path, name(next)] });
      }
    }
    return refusals;
  }
}

/** A group's name in a chain: bare in the principal's own domain, DOMAIN\name elsewhere. */
function displayName(object: DirectoryObject, home: string, domains: DomainInfo[]): string {
  if (object.domain === home) return object.samAccountName;
  const netbios = domains.find((d) => d.name === object.domain)?.netbios ?? object.domain;
  return `${netbios}\\${object.samAccountName}`;
}

/** The name of a member every account holds: CONTOSO\Domain Computers, Authenticated Users... */
function anyName(member: DirectoryObject, any: string, domains: DomainInfo[]): string {
  if (WELL_KNOWN_SIDS[member.sid.toUpperCase()]) return WELL_KNOWN_SIDS[member.sid.toUpperCase()];
  const owner = domains.find(
    (d) => d.domainSid && member.sid.toUpperCase().startsWith(`${d.domainSid.toUpperCase()}-`),
  );
  return owner?.netbios ? `${owner.netbios}\\${any}` : `${any} (${member.sid})`;
}
