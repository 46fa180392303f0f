import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { mapLimit } from '../delegations/target-expander';
import { DirectoryPort } from '../directory/directory.port';
import type { DirectoryObject } from '../directory/directory.types';
import type { Person } from '../persons/person';
import { PersonsService } from '../persons/persons.service';
import type { OwnerRequirement, OwnerSource } from './owner.types';
import { normaliseDn } from '../directory/dn';
import { query } from '../directory/directory-query';

/** Members listed per owner group in plans and notifications (the check itself has no limit). */
export const LISTED_MEMBERS = 20;

/**
 * Who owns a computer: the user or group in its managedBy, and the owner group configured for any
 * OU above it (policy.owners). A group owns through its members, transitively (the person's
 * tokenGroups, as the KDC builds them: security groups only; a distribution group in managedBy
 * gives nobody ownership).
 */
@Injectable()
export class OwnersService {
  private readonly logger = new Logger(OwnersService.name);

  constructor(
    private readonly directory: DirectoryPort,
    private readonly persons: PersonsService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'policy'>,
  ) {}

  /** The owners of one target, read now (managedBy is read afresh, not from the caller's copy). */
  async ownersOf(target: Pick<DirectoryObject, 'dn' | 'domain'>): Promise<OwnerSource[]> {
    const fresh = await this.directory.resolve(target.dn, { kind: 'target', domain: target.domain });
    const sources: OwnerSource[] = [];
    if (fresh.managedBy) {
      const owner = await this.account(fresh.managedBy);
      if (owner) sources.push({ source: 'managedBy', ...owner });
    }
    const dn = normaliseDn(fresh.dn);
    for (const [ou, group] of Object.entries(this.config.policy.owners ?? {})) {
      if (!dn.endsWith(`,${normaliseDn(ou)}`)) continue;
      const owner = await this.account(group);
      if (owner) sources.push({ source: 'ouGroup', ou, ...owner });
    }
    return sources;
  }

  /** The owners of several targets (8 at a time). */
  async ownersOfAll(targets: Pick<DirectoryObject, 'dn' | 'domain'>[]): Promise<OwnerSource[][]> {
    return mapLimit(targets, 8, (t) => this.ownersOf(t));
  }

  /** Whether the person is one of these owners (the user itself, or a member of an owner group). */
  async isOwner(person: Person | null | undefined, owners: OwnerSource[]): Promise<boolean> {
    if (!person || person.kind !== 'directory' || !person.sid) return false;
    for (const owner of owners) {
      if (!owner.isGroup && owner.sid.toUpperCase() === person.sid.toUpperCase()) return true;
      if (owner.isGroup && (await this.persons.isMember(person, owner.sid))) return true;
    }
    return false;
  }

  /** SIDs of the request's targets that the person owns (owners as recorded when it was filed). */
  async ownedTargets(person: Person | null | undefined, requirement: OwnerRequirement | null): Promise<string[]> {
    const owned: string[] = [];
    for (const t of requirement?.targets ?? []) {
      if (await this.isOwner(person, t.owners)) owned.push(t.target.sid);
    }
    return owned;
  }

  /** The users an owner stands for: itself, or the group's members transitively (first LISTED_MEMBERS). */
  async people(owner: OwnerSource): Promise<string[]> {
    if (!owner.isGroup) return [owner.name];
    const domain = (await this.directory.domains()).find((d) => normaliseDn(owner.dn).endsWith(normaliseDn(d.baseDn)));
    if (!domain) return [];
    const filter = query.and(query.userNotComputer(), query.memberOfChain(owner.dn));
    const names: string[] = [];
    for await (const user of this.directory.search(domain.name, undefined, { filter, sizeLimit: LISTED_MEMBERS }))
      names.push(user.userPrincipalName ?? user.samAccountName);
    return names;
  }

  private async account(dn: string): Promise<Omit<OwnerSource, 'source' | 'ou'> | undefined> {
    try {
      const object = await this.directory.resolve(dn, { kind: 'principal' });
      const isGroup = object.objectClass.some((c) => c.toLowerCase() === 'group');
      return {
        dn: object.dn,
        sid: object.sid.toUpperCase(),
        name: object.userPrincipalName ?? object.samAccountName,
        isGroup,
      };
    } catch (error) {
      if (!(error instanceof DomainError) || !/NOT_FOUND$/.test(error.code)) throw error;
      this.logger.warn(`owner ${dn} does not exist: it owns nothing`);
      return undefined;
    }
  }
}
