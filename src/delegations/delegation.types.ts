/** What the read API returns, independent of transport (REST DTOs and GraphQL models mirror it). */
export interface AccountRef {
  dn: string;
  sid: string;
  samAccountName: string;
  dnsHostName?: string | null;
  domain: string;
}

export interface DelegationPrincipal {
  sid: string;
  samAccountName: string | null;
  dn: string | null;
  domain: string | null;
  resolved: boolean;
  accessMask: number;
  /** `allow`, `deny`, or the raw ACE type number for any other ACE. */
  aceType: string;
  effective: boolean;
}

export interface Warning {
  code: string;
  message: string;
  sid?: string;
}

export interface DelegationView {
  target: AccountRef;
  principals: DelegationPrincipal[];
  sddl: string | null;
  /** The stored bytes, base64, exactly as read; null when the attribute is absent. */
  raw: string | null;
  warnings: Warning[];
}
