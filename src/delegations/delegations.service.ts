import { Injectable } from '@nestjs/common';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE } from '../directory/directory.types';
import { listPrincipals } from '../security-descriptor';
import type { AccountRef, DelegationView } from './delegation.types';
import { decodeStored, DelegationReader, toAccountRef } from './delegation-reader';

export interface PrincipalTargets {
  principal: AccountRef;
  targets: (AccountRef & { via: string[] })[];
}

/** Live questions: who may delegate to a target, and where a principal may delegate. */
@Injectable()
export class DelegationsService {
  constructor(
    private readonly directory: DirectoryPort,
    private readonly reader: DelegationReader,
  ) {}

  async forTarget(target: string, domain?: string): Promise<DelegationView> {
    const object = await this.directory.resolve(target, { kind: 'target', domain, withRbcd: true });
    return this.reader.view(object);
  }

  /** Targets whose descriptor lets the principal delegate, directly or through a group it belongs to. */
  async forPrincipal(principal: string, domain?: string): Promise<PrincipalTargets> {
    const object = await this.directory.resolve(principal, { kind: 'principal', domain });
    const groups = await this.directory.groupSids(object).catch(() => []);
    const identities = new Map<string, string>([[object.sid.toUpperCase(), 'direct']]);
    const groupNames = await this.directory.resolveSids(groups);
    for (const sid of groups) identities.set(sid.toUpperCase(), `group ${groupNames.get(sid.toUpperCase())?.samAccountName ?? sid}`);
    const targets: PrincipalTargets['targets'] = [];
    for (const info of await this.directory.domains()) {
      for await (const candidate of this.directory.search(info.name, undefined, {
        filter: `(${RBCD_ATTRIBUTE}=*)`,
        attributes: ['objectSid', 'objectGUID', 'sAMAccountName', 'dNSHostName', 'objectClass', 'userAccountControl', RBCD_ATTRIBUTE],
      })) {
        const { descriptor } = decodeStored(candidate.rbcd);
        if (!descriptor) continue;
        const entries = listPrincipals(descriptor).principals;
        const denied = entries.some((p) => p.aceType === 'deny' && identities.has(p.sid.toUpperCase()));
        const via = entries.filter((p) => p.effective && identities.has(p.sid.toUpperCase())).map((p) => identities.get(p.sid.toUpperCase()) as string);
        if (via.length && !denied) targets.push({ ...toAccountRef(candidate), via: [...new Set(via)] });
      }
    }
    return { principal: toAccountRef(object), targets };
  }
}
