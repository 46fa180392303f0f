import type { DirectoryObject } from '../directory/directory.types';

/** How a caller reached the service. */
export const CHANNELS = ['api-key', 'oidc', 'chat', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * The human behind a credential: an AD user of a configured domain, or (only where configured) an
 * external id. Workflow rules (self-approval, quorum, reject, cancel, owners) compare `key`, never
 * the credential's id, so one person through chat, OIDC and a personal key is one person.
 */
export const PERSON_KINDS = ['directory', 'external'] as const;
export type PersonKind = (typeof PERSON_KINDS)[number];

export interface Person {
  /** `sid:<SID>` for an AD user; `external:<id>` otherwise. */
  key: string;
  kind: PersonKind;
  sid: string | null;
  upn: string | null;
  /** sAMAccountName of an AD user, the id of an external person. */
  name: string;
  domain: string | null;
  dn: string | null;
}

export function personOfUser(user: DirectoryObject): Person {
  return {
    key: `sid:${user.sid.toUpperCase()}`,
    kind: 'directory',
    sid: user.sid,
    upn: user.userPrincipalName ?? null,
    name: user.samAccountName,
    domain: user.domain,
    dn: user.dn,
  };
}

/** A person known only by an id (exact; callers normalise case where the id is case-insensitive). */
export function externalPerson(id: string): Person {
  return { key: `external:${id}`, kind: 'external', sid: null, upn: null, name: id, domain: null, dn: null };
}

/** How a person is shown in messages: the UPN, else DOMAIN-qualified name, else the id. */
export function personLabel(person: Person): string {
  return person.upn ?? (person.domain ? `${person.name}@${person.domain}` : person.name);
}

/** Whether an account is a user (not a computer, group or gMSA): only users are persons. */
export function isUserAccount(object: DirectoryObject): boolean {
  const classes = object.objectClass.map((c) => c.toLowerCase());
  return classes.includes('user') && !classes.includes('computer');
}
