export const ROLES = ['requester', 'approver', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

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
}

export function hasRole(principal: Principal, required: readonly Role[]): boolean {
  if (required.length === 0) return true;
  if (principal.roles.includes('admin')) return true;
  return required.some((role) => principal.roles.includes(role));
}
