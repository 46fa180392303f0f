import { DomainError } from '../common/errors/domain-error';
import type { DirectoryPort } from '../directory/directory.port';
import { RBCD_ATTRIBUTE, type DirectoryObject } from '../directory/directory.types';
import { isDomainOutOfReach } from '../directory/ldap-errors';
import { query } from '../directory/directory-query';

/** What an SPN search reads of each owner: enough to run the checks on it, its RBCD value included. */
const OWNER_ATTRIBUTES = [
  'objectSid',
  'objectGUID',
  'sAMAccountName',
  'dNSHostName',
  'userPrincipalName',
  'objectClass',
  'userAccountControl',
  'primaryGroupID',
  'servicePrincipalName',
  RBCD_ATTRIBUTE,
];

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
 * Finds the account that owns an SPN the way the KDC does. The front-end's KDC looks in its own
 * domain first: the SPN itself, then its sPNMappings form (`cifs/x` → `host/x`, with that forest's
 * list). Only when its domain has neither are the other configured domains asked the same way (a
 * referral). Values are matched by LDAP equality (case-insensitive), never as filter syntax.
 */
export async function findSpnOwners(directory: DirectoryPort, spn: string, homeDomain?: string): Promise<SpnOwnership> {
  const parts = splitSpn(spn);
  if (!parts)
    throw new DomainError('VALIDATION_FAILED', `"${spn}" is not a service principal name (service/host[:port])`, {
      spn,
    });
  const domains = (await directory.domains()).map((d) => d.name);
  const home = domains.filter((d) => d === homeDomain);
  const result: SpnOwnership = { spn, owners: [], unreachable: [], defaultMappings: [] };
  for (const round of [home, domains.filter((d) => d !== homeDomain)]) {
    if (!round.length) continue;
    const found = await findIn(directory, round, spn, parts, result);
    if (found) return found;
  }
  return result;
}

/** Exact SPN in these domains; where a domain has none, its mapped form. Undefined when nobody has either. */
async function findIn(
  directory: DirectoryPort,
  domains: string[],
  spn: string,
  parts: { serviceClass: string; rest: string },
  result: SpnOwnership,
): Promise<SpnOwnership | undefined> {
  const exact = await searchAll(directory, domains, () => spn);
  result.unreachable.push(...exact.unreachable);
  if (exact.found.length) return { ...result, matched: spn, owners: exact.found };
  const alias = parts.serviceClass.toLowerCase();
  const targets = new Map<string, string>();
  for (const domain of domains.filter((d) => !exact.unreachable.includes(d))) {
    const mappings = await directory.spnMappings(domain);
    if (mappings.source === 'default' && !result.defaultMappings.some((m) => m.forest === mappings.forest))
      result.defaultMappings.push({ forest: mappings.forest, error: mappings.error });
    const target = mappings.aliases.get(alias);
    if (target && target !== alias) targets.set(domain, target);
  }
  if (!targets.size) return undefined;
  const mapped = await searchAll(directory, [...targets.keys()], (domain) => `${targets.get(domain)}/${parts.rest}`);
  result.unreachable.push(...mapped.unreachable);
  if (!mapped.found.length) return undefined;
  const target = targets.get(mapped.found[0].domain) as string;
  return { ...result, matched: `${target}/${parts.rest}`, mapping: { alias, target }, owners: mapped.found };
}

async function searchAll(
  directory: DirectoryPort,
  domains: string[],
  spnIn: (domain: string) => string,
): Promise<{ found: DirectoryObject[]; unreachable: string[] }> {
  const found: DirectoryObject[] = [];
  const unreachable: string[] = [];
  await Promise.all(
    domains.map(async (domain) => {
      try {
        const filter = query.equals('servicePrincipalName', spnIn(domain));
        for await (const object of directory.search(domain, undefined, {
          filter,
          attributes: OWNER_ATTRIBUTES,
          sizeLimit: 10,
        }))
          found.push(object);
      } catch (error) {
        if (!isDomainOutOfReach(error)) throw error;
        unreachable.push(domain);
      }
    }),
  );
  return { found: found.sort((a, b) => a.dn.localeCompare(b.dn)), unreachable };
}
