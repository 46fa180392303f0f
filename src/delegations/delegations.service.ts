import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE } from '../directory/directory.types';
import { isEffectiveAllowAce } from '../security-descriptor';
import type { AccountRef, DelegationView } from './delegation.types';
import { decodeStored, DelegationReader, toAccountRef } from './delegation-reader';
import { decideForToken, frontEndToken } from './front-end-token';

export interface PrincipalTargets {
  principal: AccountRef;
  targets: (AccountRef & { via: string[] })[];
}

/** Live questions: who may delegate to a target, and where a principal may delegate. */
@Injectable()
export class DelegationsService {
  private readonly inFlight = new Map<string, Promise<DelegationView>>();

  constructor(
    private readonly directory: DirectoryPort,
    private readonly reader: DelegationReader,
  ) {}

  /**
   * Identical questions asked while one is being answered share that answer (one directory read,
   * started after the first of them arrived): a burst of pollers costs the DC one search.
   */
  forTarget(target: string, domain?: string): Promise<DelegationView> {
    const key = `${domain ?? ''}|${target.trim().toLowerCase()}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const answer = this.readTarget(target, domain).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, answer);
    return answer;
  }

  private async readTarget(target: string, domain?: string): Promise<DelegationView> {
    const object = await this.directory.resolve(target, { kind: 'target', domain, withRbcd: true });
    return this.reader.view(object);
  }

  /**
   * Targets whose descriptor lets the principal delegate, decided as the KDC does: the first plain
   * ACE with 0x100 naming it, one of its groups or a SID every token holds (Everyone...) is an allow.
   */
  async forPrincipal(principal: string, domain?: string): Promise<PrincipalTargets> {
    const object = await this.directory.resolve(principal, { kind: 'principal', domain });
    // No catch: an answer computed without the groups would look complete and be wrong.
    const token = await frontEndToken(this.directory, object);
    const targets: PrincipalTargets['targets'] = [];
    for (const info of await this.directory.domains()) {
      for await (const candidate of this.directory.search(info.name, undefined, {
        filter: `(${RBCD_ATTRIBUTE}=*)`,
        attributes: ['objectSid', 'objectGUID', 'sAMAccountName', 'dNSHostName', 'objectClass', 'userAccountControl', RBCD_ATTRIBUTE],
      })) {
        const { descriptor } = decodeStored(candidate.rbcd);
        if (!descriptor) continue;
        if (!decideForToken(descriptor, token).allowed) continue;
        // Allowed: every plain allow ACE with 0x100 in the token grants it (the first one decided).
        const via = (descriptor.dacl?.aces ?? []).filter((ace) => isEffectiveAllowAce(ace) && token.has((ace as { sid: string }).sid.toUpperCase()));
        targets.push({ ...toAccountRef(candidate), via: [...new Set(via.map((ace) => token.get((ace as { sid: string }).sid.toUpperCase()) as string))] });
      }
    }
    return { principal: toAccountRef(object), targets };
  }
}
