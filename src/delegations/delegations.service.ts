import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type AccountRef, toAccountRef } from '../directory/directory.types';
import { IMPLICIT_TOKEN_SIDS } from '../directory/well-known-sids';
import { isEffectiveAllowAce, listPrincipals } from '../security-descriptor';
import type { DelegationView, Warning } from './delegation.types';
import { WritersService } from '../policy/writers.service';
import { KeptViews } from './kept-views';
import { decodeStored, DelegationReader } from './delegation-reader';
import { decideForToken, frontEndTokenEntries, grantedOnlyOutsideTgtPac, groupScopeWarning } from './front-end-token';

export type PrincipalTarget = AccountRef & { via: string[]; warnings: Warning[] };

export interface PrincipalTargets {
  principal: AccountRef;
  /** Targets the KDC lets the principal delegate to. */
  targets: PrincipalTarget[];
  /** Targets whose value names the principal (or a group of it) but the KDC refuses: warnings say why. */
  ignored: PrincipalTarget[];
}

/** Live questions: who may delegate to a target, and where a principal may delegate. */
@Injectable()
export class DelegationsService {
  private readonly keptViews = new KeptViews();

  constructor(
    private readonly directory: DirectoryPort,
    private readonly reader: DelegationReader,
    private readonly writers: WritersService,
  ) {}

  /**
   * A live read. Questions asked at the same moment share one directory search (the directory
   * batches look-ups); an answer is never shared with a question asked after its search was sent,
   * so a read that starts after a write sees it. Reads that get the same kept directory answer get
   * the same view, built once (KeptViews).
   */
  forTarget(target: string, domain?: string): Promise<DelegationView> {
    return this.readTarget(target, domain);
  }

  private async readTarget(target: string, domain?: string): Promise<DelegationView> {
    // The descriptor (who else may write the list) comes in the same batched search as the value;
    // the view shows the target by its names and decides nothing from its other attributes.
    const object = await this.directory.resolve(target, {
      kind: 'target',
      domain,
      withRbcd: true,
      withSecurityDescriptor: true,
      identityOnly: true,
    });
    return this.keptViews.viewOf(object, async () => {
      const [view, written] = await Promise.all([this.reader.view(object), this.writers.rbcdWriters(object)]);
      return { ...view, writers: written.writers ?? [], warnings: [...view.warnings, ...written.warnings] };
    });
  }

  /**
   * Targets whose descriptor lets the principal delegate, decided as the KDC does: the first plain
   * ACE with 0x100 naming it, one of its groups or a SID every token holds (Everyone...) decides.
   * Targets that name it but where the KDC refuses are listed apart (`ignored`), with the reason.
   */
  async forPrincipal(principal: string, domain?: string): Promise<PrincipalTargets> {
    const object = await this.directory.resolve(principal, { kind: 'principal', domain });
    // No catch: an answer computed without the groups would look complete and be wrong.
    const token = await frontEndTokenEntries(this.directory, object);
    const targets: PrincipalTarget[] = [];
    const ignored: PrincipalTarget[] = [];
    for (const info of await this.directory.domains()) {
      for await (const candidate of this.directory.search(info.name, undefined, {
        filter: `(${RBCD_ATTRIBUTE}=*)`,
        attributes: [
          'objectSid',
          'objectGUID',
          'sAMAccountName',
          'dNSHostName',
          'objectClass',
          'userAccountControl',
          RBCD_ATTRIBUTE,
        ],
      })) {
        const { descriptor } = decodeStored(candidate.rbcd);
        if (!descriptor) continue;
        const label = (sid: string) => token.get(sid.toUpperCase())?.label as string;
        if (decideForToken(descriptor, token).allowed) {
          // Every plain allow ACE with 0x100 in the token grants it (the first one decided).
          const via = (descriptor.dacl?.aces ?? []).filter(
            (ace) => isEffectiveAllowAce(ace) && token.has((ace as { sid: string }).sid.toUpperCase()),
          );
          const outside = grantedOnlyOutsideTgtPac(descriptor, token);
          const warnings: Warning[] = outside
            ? [{ code: 'RBCD_ACE_GROUP_SCOPE', message: groupScopeWarning(object.samAccountName, outside) }]
            : [];
          targets.push({
            ...toAccountRef(candidate),
            via: [...new Set(via.map((ace) => label((ace as { sid: string }).sid)))],
            warnings,
          });
          continue;
        }
        const listed = listPrincipals(descriptor, { everyTokenSids: IMPLICIT_TOKEN_SIDS });
        const naming = listed.principals.filter((p) => token.has(p.sid.toUpperCase()));
        if (!naming.length) continue;
        const warnings = listed.warnings
          .filter((w) => w.sid && token.has(w.sid.toUpperCase()))
          .map((w) => ({ code: w.code, message: w.message, sid: w.sid }));
        ignored.push({ ...toAccountRef(candidate), via: [...new Set(naming.map((p) => label(p.sid)))], warnings });
      }
    }
    return { principal: toAccountRef(object), targets, ignored };
  }
}
