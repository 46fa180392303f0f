// The types of the configuration's sections (domains, policy, chat, audit sinks, …), which the
// section readers (sections/) return. AppConfig itself is inferred from the schema (config.types.ts).

export interface DomainConfig {
  /** DNS name of the domain, lower case (contoso.test). */
  name: string;
  netbios?: string;
  /** DC URLs in failover order (ldaps://, or ldap:// with startTls). */
  urls: string[];
  baseDn?: string;
  bindDn?: string;
  bindPassword?: string;
  /** PEM bundle that signs the DC certificates; verification is never turned off. */
  ca?: string;
  caFile?: string;
  /** Upgrade ldap:// connections with StartTLS (default true for ldap:// URLs). */
  startTls: boolean;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  /**
   * After the DC refused the service account's bind, the least time before the next bind attempt
   * (default 60000: at most one try a minute, so the service never locks its own account out). Not
   * an operator setting: tests shorten it to prove the throttle without waiting minutes.
   */
  bindRetryAfterMs?: number;
  /** LDAP_POOL_SIZE (or the domain's poolSize): bound connections kept to the domain's DC for reads (writes have one more of their own); loadConfig always sets it. */
  poolSize?: number;
}

export interface PolicyRuleMatch {
  targetDnSuffix?: string;
  domain?: string;
}

/** Who decides: `owners` approvals from an owner of every target, and the rest from any approver. */
export interface ApproversRule {
  owners: number;
  others: number;
}

/** What a target without an owner means under an owner rule: the request is refused, or any approver stands in. */
export const NO_OWNER_SETTINGS = ['deny', 'approvers'] as const;
export type NoOwnerSetting = (typeof NO_OWNER_SETTINGS)[number];

/** Where a pending request goes after `escalateAfter`: another chat channel (Slack message) or a webhook (JSON). */
export interface EscalationTarget {
  url: string;
  format: 'chat' | 'webhook';
  /** HMAC secret of a `webhook` target (X-RBCD-Signature), as for webhooks. */
  secret?: string;
}

/**
 * Grants in time (issue 13), per rule or in the defaults (a rule's value wins): how far ahead a
 * request may start, how long a grant may run with its extensions, how many extensions approve
 * themselves, and when a pending request is announced again, escalated and timed out.
 */
export interface TimePolicy {
  maxLeadTime?: string;
  maxTotalDuration?: string;
  autoApproveExtensions?: number;
  remindAfter?: string;
  escalateAfter?: string;
  escalateTo?: EscalationTarget;
  pendingTimeout?: string;
}

/** Break-glass (issue 14): emergency grants without approvals, reviewed afterwards. Never on Tier 0. */
export interface BreakGlassRule {
  allowed: boolean;
  /** Longest emergency grant (ISO 8601), e.g. PT4H. */
  maxDuration: string;
  /** How long approvers have to review it afterwards (ISO 8601), e.g. PT24H; default PT24H. */
  reviewWithin: string;
}

export interface PolicyRule extends TimePolicy {
  match: PolicyRuleMatch;
  breakGlass?: BreakGlassRule;
  deny?: string;
  requiredApprovals?: number;
  /** Owner approvals (issue 17): replaces requiredApprovals with owners + others. */
  approvers?: ApproversRule;
  /** With `approvers.owners`: a target nobody owns is refused (`deny`, the default) or needs approvers only. */
  noOwner?: NoOwnerSetting;
  maxDuration?: string;
  defaultDuration?: string;
  requireTicket?: boolean;
}

export interface PolicyConfig {
  defaults: {
    requiredApprovals: number;
    maxDuration: string;
    defaultDuration?: string;
    requireTicket: boolean;
  } & TimePolicy;
  rules: PolicyRule[];
  /** OU DN -> owner group DN: members (transitively) own every computer below that OU. */
  owners?: Record<string, string>;
  /** Groups counted as Tier 0 on top of the built-in ones (identifiers: DN, SID, DOMAIN\name). */
  tier0Groups?: string[];
  /** Allow computers that an ordinary user created (ms-DS-CreatorSID set) as principals. Default false. */
  allowUserCreatedComputers?: boolean;
}

export interface WebhookConfig {
  url: string;
  secret?: string;
  events: string[];
}

/**
 * A chat user id mapped to a person (`user`: an AD user, resolved like requestedFor) and roles.
 * The old form (a bare role list) leaves `user` unset: an unlinked chat user who can only read.
 */
export interface ChatUserConfig {
  user?: string;
  roles: string[];
}

export interface SlackConfig {
  signingSecret?: string;
  notifyUrl?: string;
  users: Record<string, ChatUserConfig>;
}

/** Microsoft Teams (YAML `chat.teams`): Adaptive Cards to a Workflows or incoming-webhook URL. */
export interface TeamsConfig {
  /** The webhook URL: a secret (it alone lets anyone post to the channel), from `webhookUrlFile`. */
  webhookUrl: string;
  /** Which events become cards (default: new pending requests, reminders and outcomes). */
  events: string[];
}

export interface ConsoleConfig {
  /** RBCD_CONSOLE_DIR: the built console (index.html and assets); unset: the build next to the service. */
  dir?: string;
  /** RBCD_PUBLIC_URL: the address people open the console at (links in Teams cards); unset: no links. */
  publicUrl?: string;
  /** OIDC_CONSOLE_CLIENT_ID: the public OIDC client (authorization code + PKCE) the console signs in with. */
  oidcClientId?: string;
  /** OIDC_CONSOLE_SCOPE: the scopes it asks for. */
  oidcScope: string;
  /** OIDC_CONSOLE_RESOURCE: an RFC 8707 resource indicator sent with the sign-in (providers that need one for JWT access tokens). */
  oidcResource?: string;
}

export interface StaticApiKeyConfig {
  name: string;
  roles: string[];
  sha256: string;
  mayActOnBehalf?: boolean;
  /** A person's key: the AD user it belongs to. Unset: a system key (no person). */
  owner?: string;
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  rolesClaim: string;
  /** OIDC_JWKS_CACHE_MS: how long a fetched JWKS is trusted before it is refetched. */
  jwksCacheMaxAgeMs: number;
  /** OIDC_JWKS_COOLDOWN_MS: least time between two refetches caused by an unknown key id. */
  jwksCooldownMs: number;
  /** OIDC_USER_CLAIM: the claim naming the AD user behind a token; unset: the person is the token's subject (external). */
  userClaim?: OidcUserClaim;
  /** OIDC_USERS_EXTERNAL: a claim value that names no AD user is kept as an external person instead of refused. */
  usersExternal: boolean;
  /**
   * OIDC_APPROVAL_MAX_AGE (ISO 8601, e.g. PT15M): an approval with an OIDC token needs a sign-in
   * (`auth_time`) at most this old, else 401 STEP_UP_REQUIRED. Unset: no step-up.
   */
  approvalMaxAgeMs?: number;
}

export const OIDC_USER_CLAIMS = ['upn', 'email', 'preferred_username'] as const;
export type OidcUserClaim = (typeof OIDC_USER_CLAIMS)[number];

/** Roles granted by membership (transitive) of AD groups, by role. */
export interface RolesConfig {
  fromGroups: Partial<Record<string, string[]>>;
  /** RBCD_GROUP_CACHE_MS: how long a person's groups (and a group's SID) are trusted. */
  groupCacheMs: number;
}

/** Audit streaming (YAML `audit.sinks`): every audit event goes to each sink, in chain order, at least once. */
export const AUDIT_SINK_TYPES = ['syslog', 'splunk-hec'] as const;
export type AuditSinkType = (typeof AUDIT_SINK_TYPES)[number];
export const SYSLOG_FORMATS = ['json', 'cef'] as const;
export type SyslogFormat = (typeof SYSLOG_FORMATS)[number];

interface AuditSinkBase {
  /** Stable name: the key of the sink's position (renaming it starts it from the beginning). */
  name: string;
  /** Events per delivery (one TLS session or one HTTP POST). */
  batchSize: number;
  timeoutMs: number;
  /** PEM bundle that signs the receiver's certificate (system CAs when absent); verification stays on. */
  ca?: string;
}

export interface SyslogSinkConfig extends AuditSinkBase {
  type: 'syslog';
  /** RFC 5424 over TCP with TLS (RFC 5425), octet-counting framing (RFC 6587). */
  host: string;
  port: number;
  format: SyslogFormat;
  /** HOSTNAME field of the messages (default: this machine's name). */
  hostname?: string;
  /** Client certificate and key for receivers that require mutual TLS. */
  cert?: string;
  key?: string;
}

export interface SplunkHecSinkConfig extends AuditSinkBase {
  type: 'splunk-hec';
  /** The HEC event endpoint, e.g. https://splunk.example.com:8088/services/collector/event */
  url: string;
  token: string;
  index?: string;
  source: string;
  sourcetype: string;
}

export type AuditSinkConfig = SyslogSinkConfig | SplunkHecSinkConfig;

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };
