import { EqualityFilter } from 'ldapts';
import { DomainError } from '../common/errors/domain-error';
import type { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type DirectoryObject, type SpnMappings } from '../directory/directory.types';
import { isDomainOutOfReach } from '../directory/ldap-errors';

/** What an SPN search reads of each owner: enough to run the checks on it, its RBCD value included. */
const OWNER_ATTRIBUTES = ['objectSid', 'objectGUID', 'sAMAccountName', 'dNSHostName', 'userPrincipalName', 'objectClass', 'userAccountControl', 'primaryGroupID', 'servicePrincipalName', RBCD_ATTRIBUTE];

export interface SpnOwnership {
  /** The SPN asked for. */
  spn: string;
  /** The SPN value that matched: the one asked for, or its sPNMappings form (`host/...`). */
  matched?: string;
  /** Set when the match came through sPNMappings: the alias and the class it maps to. */
  mapping?: { alias: string; target: string };
  owners: DirectoryObject[];
  /** Domains that did not answer the search (their accounts are unknown). */
  unreachable: string[];
  /** Forests whose sPNMappings could not be read (Windows' default list was used), with the reason. */
  defaultMappings: { forest: string; error?: string }[];
}

/** `cifs/serverd.contoso.test` → class `cifs`, rest `serverd.contoso.test`; undefined when not an SPN. */
export function splitSpn(spn: string): { serviceClass: string; rest: string } | undefined {
  const slash = spn.indexOf('/');
  if (slash <= 0 || slash === spn.length - 1 || /[\s\0]/.test(spn)) return undefined;
  return { serviceClass: spn.slice(0, slash), rest: spn.slice(slash + 1) };
}

/**
 * Finds the account that owns an SPN the way the KDC does: the SPN itself in every configured
 * domain; when nobody has it, its sPNMappings form (each domain with its own forest's list: `cifs/x`
 * → `host/x`). Values are matched by LDAP equality (case-insensitive), never as filter syntax.
 */
export async function findSpnOwners(directory: DirectoryPort, spn: string): Promise<SpnOwnership> {
  const parts = splitSpn(spn);
  if (!parts) throw new DomainError('VALIDATION_FAILED', `"${spn}" is not a service principal name (service/host[:port])`, { spn });
  const domains = (await directory.domains()).map((d) => d.name);
  const result: SpnOwnership = { spn, owners: [], unreachable: [], defaultMappings: [] };

  const exact = await searchAll(directory, domains, () => spn);
  result.unreachable = exact.unreachable;
  if (exact.found.length) return { ...result, matched: spn, owners: exact.found };

  const mappingsByDomain = new Map<string, SpnMappings>();
  for (const domain of domains) {
    if (exact.unreachable.includes(domain)) continue;
    const mappings = await directory.spnMappings(domain);
    mappingsByDomain.set(domain, mappings);
    if (mappings.source === 'default' && !result.defaultMappings.some((m) => m.forest === mappings.forest)) result.defaultMappings.push({ forest: mappings.forest, error: mappings.error });
  }
  const alias = parts.serviceClass.toLowerCase();
  const mappedIn = [...mappingsByDomain].filter(([, m]) => m.aliases.has(alias) && m.aliases.get(alias) !== alias).map(([domain]) => domain);
  if (!mappedIn.length) return result;
  const target = mappingsByDomain.get(mappedIn[0])?.aliases.get(alias) as string;
  const mapped = await searchAll(directory, mappedIn, (domain) => `${mappingsByDomain.get(domain)?.aliases.get(alias)}/${parts.rest}`);
  return {
    ...result,
    unreachable: [...new Set([...result.unreachable, ...mapped.unreachable])],
    ...(mapped.found.length ? { matched: `${target}/${parts.rest}`, mapping: { alias, target }, owners: mapped.found } : {}),
  };
}

async function searchAll(directory: DirectoryPort, domains: string[], spnIn: (domain: string) => string): Promise<{ found: DirectoryObject[]; unreachable: string[] }> {
  const found: DirectoryObject[] = [];
  const unreachable: string[] = [];
  await Promise.all(
    domains.map(async (domain) => {
      try {
        const filter = new EqualityFilter({ attribute: 'servicePrincipalName', value: spnIn(domain) });
        for await (const object of directory.search(domain, undefined, { filter, attributes: OWNER_ATTRIBUTES, sizeLimit: 10 })) found.push(object);
      } catch (error) {
        if (!isDomainOutOfReach(error)) throw error;
        unreachable.push(domain);
      }
    }),
  );
  return { found: found.sort((a, b) => a.dn.localeCompare(b.dn)), unreachable };
}
