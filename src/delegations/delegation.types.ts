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

/** Someone who can write the target's RBCD list outside the broker (see src/policy/writers.service.ts). */
export interface DelegationWriter {
  sid: string;
  samAccountName: string | null;
  dn: string | null;
  domain: string | null;
  resolved: boolean;
  rights: string[];
  via: 'owner' | 'ace';
  class: 'tier0' | 'service' | 'self' | 'other';
}

export interface DelegationView {
  target: AccountRef;
  principals: DelegationPrincipal[];
  /** Who else can write the list, from the target's nTSecurityDescriptor (live reads only; not in plans). */
  writers?: DelegationWriter[];
  sddl: string | null;
  /** The stored bytes, base64, exactly as read; null when the attribute is absent. */
  raw: string | null;
  warnings: Warning[];
}
