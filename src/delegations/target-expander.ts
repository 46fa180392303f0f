import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, SCAN_ATTRIBUTES, type DirectoryObject } from '../directory/directory.types';
import { isDnUnder } from '../directory/dn';
import { ldapFilterError } from '../directory/ldap-filter';

export interface TargetSearch {
  base: string;
  /** Optional LDAP filter (validated), ANDed with objectClass=computer. */
  filter?: string;
}

/** Look-ups of one list asked at once: the directory answers them in batched searches of up to 50. */
const RESOLVE_CONCURRENCY = 50;

/** Turns explicit identifiers or an OU search into resolved directory objects (capped). */
@Injectable()
export class TargetExpander {
  private readonly maxTargets: number;

  constructor(
    private readonly directory: DirectoryPort,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'limits'>,
  ) {
    this.maxTargets = config.limits.maxTargets;
  }

  async targets(
    input: { targets?: string[]; targetSearch?: TargetSearch },
    options: { withRbcd?: boolean } = {},
  ): Promise<DirectoryObject[]> {
    if (input.targets?.length && input.targetSearch)
      throw new DomainError('VALIDATION_FAILED', 'Give targets or targetSearch, not both');
    if (input.targetSearch) return this.search(input.targetSearch, options.withRbcd);
    if (!input.targets?.length) throw new DomainError('VALIDATION_FAILED', 'targets or targetSearch is required');
    if (input.targets.length > this.maxTargets)
      throw new DomainError('TOO_MANY_TARGETS', `At most ${this.maxTargets} targets per request`);
    const objects = await mapLimit(input.targets, RESOLVE_CONCURRENCY, (t) =>
      this.directory.resolve(t, { kind: 'target', withRbcd: options.withRbcd }),
    );
    return dedupe(objects);
  }

  async principals(identifiers: string[]): Promise<DirectoryObject[]> {
    if (!identifiers.length) throw new DomainError('VALIDATION_FAILED', 'principals must name at least one account');
    return dedupe(
      await mapLimit(identifiers, RESOLVE_CONCURRENCY, (p) => this.directory.resolve(p, { kind: 'principal' })),
    );
  }

  private async search(search: TargetSearch, withRbcd?: boolean): Promise<DirectoryObject[]> {
    if (search.filter) {
      const invalid = ldapFilterError(search.filter);
      if (invalid !== undefined)
        throw new DomainError('VALIDATION_FAILED', `targetSearch.filter is not a valid LDAP filter: ${invalid}`);
    }
    const domains = await this.directory.domains();
    const domain = domains.find((d) => isDnUnder(search.base, d.baseDn));
    if (!domain)
      throw new DomainError(
        'DOMAIN_NOT_CONFIGURED',
        `${search.base} is not under the naming context of a configured domain`,
      );
    const filter = `(&(objectClass=computer)${search.filter ? (search.filter.startsWith('(') ? search.filter : `(${search.filter})`) : ''})`;
    const found: DirectoryObject[] = [];
    const attributes = withRbcd ? [...SCAN_ATTRIBUTES, RBCD_ATTRIBUTE] : undefined;
    for await (const object of this.directory.search(domain.name, search.base, {
      filter,
      ...(attributes ? { attributes } : {}),
    })) {
      found.push(object);
      if (found.length > this.maxTargets)
        throw new DomainError(
          'TOO_MANY_TARGETS',
          `targetSearch matches more than ${this.maxTargets} computers; narrow it`,
        );
    }
    if (found.length === 0)
      throw new DomainError('TARGET_NOT_FOUND', `No computer under ${search.base} matches`, { base: search.base });
    return found;
  }
}

function dedupe(objects: DirectoryObject[]): DirectoryObject[] {
  const seen = new Map<string, DirectoryObject>();
  for (const o of objects) if (!seen.has(o.sid)) seen.set(o.sid, o);
  return [...seen.values()];
}

/** Promise.all with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  // After the first failure no new item starts, and the call settles only once the items in
  // flight have: a caller that cleans up after a failure never races a write still under way.
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}
