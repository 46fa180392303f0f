import { DomainError } from '../common/errors/domain-error';
import type { Person } from '../persons/person';

/** breakglass (issue 14): may file emergency requests that apply without approvals (and nothing else). */
export const ROLES = ['requester', 'approver', 'admin', 'auditor', 'breakglass'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** Who made a call, as recorded by the workflow (requester, approver, audit actor). */
export interface Principal {
  /** Stable identity: `apikey:<name>`, `oidc:<sub>` or `slack:<user id>`. */
  id: string;
  /** Human-readable name (API key name, JWT preferred_username/email, chat user name). */
  name: string;
  roles: Role[];
  via: 'api-key' | 'oidc' | 'chat' | 'system';
  /** Keys of ticketing systems and bots may file requests on behalf of a person. */
  mayActOnBehalf?: boolean;
  /**
   * The person behind the credential (OIDC user, linked chat user, personal API key). Absent for a
   * system key (a ticketing system) and an unlinked chat user: those are compared by `id`.
   */
  person?: Person | null;
  /** OIDC: when the person last signed in at the provider (`auth_time`, seconds since the epoch). */
  authTime?: number;
}

/** What the workflow compares: the person when there is one, else the credential itself. */
export function identityKey(principal: Pick<Principal, 'id' | 'person'>): string {
  return principal.person?.key ?? principal.id;
}

export function hasRole(principal: Principal, required: readonly Role[]): boolean {
  if (principal.roles.includes('admin')) return true;
  if (required.length === 0) return principal.roles.length > 0;
  return required.some((role) => principal.roles.includes(role));
}

/**
 * The one authorisation check of every transport (REST and GraphQL through the guard, chat
 * commands directly): any one of `required` or admin; no list means any role at all.
 */
export function assertRoles(principal: Principal, required: readonly Role[]): void {
  if (hasRole(principal, required)) return;
  if (principal.roles.length === 0) {
    throw new DomainError('FORBIDDEN', `${principal.name} is authenticated but holds no role`);
  }
  throw new DomainError('FORBIDDEN', `This needs one of the roles: ${[...required, 'admin'].join(', ')}`);
}
