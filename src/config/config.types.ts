// The validated, typed configuration the rest of the service reads. Built once at boot by
// loadConfig() from the environment and the optional YAML file (RBCD_CONFIG).
import type { GraphqlLimits } from '../graphql-limits/query-complexity';

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
  /** LDAP_POOL_SIZE (or the domain's poolSize): bound connections kept to the domain's DC; loadConfig always sets it. */
  poolSize?: number;
}

export interface PolicyRuleMatch {
  targetDnSuffix?: string;
  domain?: string;
}

export interface PolicyRule {
  match: PolicyRuleMatch;
  deny?: string;
  requiredApprovals?: number;
  maxDuration?: string;
  defaultDuration?: string;
  requireTicket?: boolean;
}

export interface PolicyConfig {
  defaults: { requiredApprovals: number; maxDuration: string; defaultDuration?: string; requireTicket: boolean };
  rules: PolicyRule[];
}

export interface WebhookConfig {
  url: string;
  secret?: string;
  events: string[];
}

export interface SlackConfig {
  signingSecret?: string;
  notifyUrl?: string;
  users: Record<string, string[]>;
}

export interface StaticApiKeyConfig {
  name: string;
  roles: string[];
  sha256: string;
  mayActOnBehalf?: boolean;
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
}

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** Run pending migrations at start: SQLite by default; PostgreSQL only with RBCD_MIGRATE_ON_START=true. */
  migrateOnStart: boolean;
  domains: DomainConfig[];
  adminApiKey?: string;
  policy: PolicyConfig;
  webhooks: WebhookConfig[];
  chat: { slack?: SlackConfig };
  apiKeys: StaticApiKeyConfig[];
  oidc?: OidcConfig;
  jobs: { pollIntervalMs: number; maxAttempts: number; backoffBaseMs: number; leaseMs: number; expiryCheckIntervalMs: number; reconcileIntervalMs: number };
  logLevel: string;
  /** RBCD_WORKER: this process runs the job worker, the expiry scheduler and the reconciler. */
  worker: boolean;
  limits: {
    /** RBCD_MAX_TARGETS: most targets in one request or plan. */
    maxTargets: number;
    /** RBCD_RATE_LIMIT_PER_MINUTE: changes per identity per sliding minute; 0 = no limit. */
    mutationsPerMinute: number;
  };
  /** RBCD_GRAPHQL_MAX_DEPTH, _MAX_ALIASES, _MAX_FIELDS, _MAX_LOOKUPS: what one GraphQL operation may ask. */
  graphql: GraphqlLimits;
  /** RBCD_WEBHOOK_TIMEOUT_MS: timeout of one webhook delivery. */
  webhookTimeoutMs: number;
  /** RBCD_DRIFT_REPAIR: the reconciler puts missing grants back. */
  driftRepair: boolean;
  /**
   * RBCD_TRUST_PROXY: whose X-Forwarded-For to believe for the client address (logs): false (no
   * one), true (any hop), a hop count, or the proxies' addresses / CIDR ranges.
   */
  trustProxy: boolean | number | string[];
}
