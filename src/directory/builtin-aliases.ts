import { AndFilter, type Client, EqualityFilter, OrFilter, PresenceFilter } from 'ldapts';
import { sidFromBytes } from '../security-descriptor';

/** A BUILTIN group (alias, S-1-5-32-*) and the SIDs of its direct members. */
export interface BuiltinAlias {
  sid: string;
  memberSids: string[];
}

/** `CN=S-1-5-11,CN=ForeignSecurityPrincipals,DC=...` names its SID in its first RDN. */
const FOREIGN_PRINCIPAL_DN = /^CN=(S-1-[0-9-]+),CN=ForeignSecurityPrincipals,/i;
const DN_BATCH = 50;

/**
 * The domain's BUILTIN groups that have members, with the members' SIDs: well-known principals
 * (Authenticated Users, ...) from their foreign-security-principal DN, others looked up by DN.
 */
export async function readBuiltinAliases(client: Client, baseDn: string): Promise<BuiltinAlias[]> {
  const { searchEntries } = await client.search(`CN=Builtin,${baseDn}`, {
    scope: 'one',
    filter: new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
        new PresenceFilter({ attribute: 'member' }),
      ],
    }),
    attributes: ['objectSid', 'member'],
    explicitBufferAttributes: ['objectSid'],
  });
  const groups = searchEntries.map((e) => ({
    sid: sidFromBytes(e.objectSid as Buffer),
    members: ([] as unknown[]).concat(e.member ?? []).map(String),
  }));
  const lookups = [...new Set(groups.flatMap((g) => g.members).filter((dn) => !FOREIGN_PRINCIPAL_DN.test(dn)))];
  const sidByDn = new Map<string, string>();
  for (let i = 0; i < lookups.length; i += DN_BATCH) {
    const batch = lookups.slice(i, i + DN_BATCH);
    const { searchEntries: found } = await client.search(baseDn, {
      filter: new OrFilter({
        filters: batch.map((dn) => new EqualityFilter({ attribute: 'distinguishedName', value: dn })),
      }),
      attributes: ['objectSid'],
      explicitBufferAttributes: ['objectSid'],
    });
    for (const entry of found)
      if (Buffer.isBuffer(entry.objectSid)) sidByDn.set(entry.dn.toLowerCase(), sidFromBytes(entry.objectSid));
  }
  return groups.map((g) => ({
    sid: g.sid,
    memberSids: g.members.flatMap((dn) => {
      const sid = FOREIGN_PRINCIPAL_DN.exec(dn)?.[1] ?? sidByDn.get(dn.toLowerCase());
      return sid ? [sid.toUpperCase()] : [];
    }),
  }));
}

/**
 * The aliases a token reaches: those with a member already in the token, repeated until nothing
 * changes (an alias may hold another). `token` holds upper-case SIDs; returns the added alias SIDs.
 */
export function aliasesReached(token: Iterable<string>, aliases: BuiltinAlias[]): string[] {
  const held = new Set([...token].map((s) => s.toUpperCase()));
  const added: string[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const alias of aliases) {
      const sid = alias.sid.toUpperCase();
      if (!held.has(sid) && alias.memberSids.some((m) => held.has(m))) {
        held.add(sid);
        added.push(sid);
        grew = true;
      }
    }
  }
  return added;
}
