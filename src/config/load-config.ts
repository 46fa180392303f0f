import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { parseIsoDuration } from '../common/iso-duration';
import { isRole, ROLES } from '../auth/roles';
import { CRASH_POINTS } from '../directory-writes/crash-points';
import { INTENT_ACTIONS } from '../directory-writes/directory-intent.entity';
import { ConfigError } from './config.error';
import { readNotifications, readTimePolicy } from './read-time-policy';
import { readApprovalMaxAge, readConsole, readTeams } from './console-config';
import {
  NO_OWNER_SETTINGS,
  OIDC_USER_CLAIMS,
  type AppConfig,
  type ApproversRule,
  type ChatUserConfig,
  type DatabaseConfig,
  type DomainConfig,
  type NoOwnerSetting,
  type OidcUserClaim,
  type PolicyConfig,
  type BreakGlassRule,
  type PolicyRule,
  type RolesConfig,
  type StaticApiKeyConfig,
  type WebhookConfig,
} from './config.types';
import { AUDIT_SINK_TYPES, SYSLOG_FORMATS, type AuditSinkConfig } from './config.types';

type Env = Record<string, string | undefined>;
type Yaml = Record<string, unknown>;

const WEBHOOK_EVENTS = [
  'request.created',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.applied',
  'request.failed',
  'request.expired',
  'request.revoked',
  'drift.detected',
  'request.owner_approval_needed',
  'request.scheduled',
  'request.extended',
  'request.reminder',
  'request.escalated',
  'request.timed_out',
  'grant.expiring',
  'request.breakglass',
  'request.breakglass.escalated',
  'request.reviewed',
];

/** Reads the environment and the optional YAML file; throws ConfigError naming the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const yaml = readYamlFile(env.RBCD_CONFIG);
  const oidc = readOidc(env);
  return {
    port: readPort(env.PORT),
    host: env.HOST?.trim() || '0.0.0.0',
    database: readDatabase(env.DATABASE_URL ?? 'sqlite:./data/rbcd.sqlite'),
    migrateOnStart: readMigrateOnStart(env),
    domains: withPoolSize(readDomains(env, yaml), env),
    adminApiKey: readAdminKey(env),
    policy: readPolicy(yaml.policy),
    webhooks: readWebhooks(yaml.webhooks),
    notifications: readNotifications(yaml.notifications),
    audit: { sinks: readAuditSinks(yaml.audit) },
    chat: { slack: readSlack(env, yaml.chat), teams: readTeams(env, yaml.chat) },
    console: readConsole(env),
    apiKeys: readStaticApiKeys(yaml.apiKeys),
    ...(oidc ? { oidc } : {}),
    roles: readRoles(env, yaml.roles),
    jobs: {
      pollIntervalMs: readInt(env, 'RBCD_JOB_POLL_MS', 1000, 10),
      maxAttempts: readInt(env, 'RBCD_JOB_MAX_ATTEMPTS', 8, 1),
      backoffBaseMs: readInt(env, 'RBCD_JOB_BACKOFF_MS', 2000, 1),
      leaseMs: readInt(env, 'RBCD_JOB_LEASE_MS', 60_000, 1000),
      expiryCheckIntervalMs: readInt(env, 'RBCD_EXPIRY_CHECK_MS', 10_000, 100),
      reconcileIntervalMs: readInt(env, 'RBCD_RECONCILE_MS', 15 * 60_000, 0),
    },
    logLevel: readLogLevel(env.LOG_LEVEL),
    worker: readBoolean(env.RBCD_WORKER, 'RBCD_WORKER') ?? true,
    limits: {
      maxTargets: readInt(env, 'RBCD_MAX_TARGETS', 5000, 1),
      mutationsPerMinute: readInt(env, 'RBCD_RATE_LIMIT_PER_MINUTE', 120, 0),
    },
    graphql: {
      maxDepth: readInt(env, 'RBCD_GRAPHQL_MAX_DEPTH', 15, 1),
      maxAliases: readInt(env, 'RBCD_GRAPHQL_MAX_ALIASES', 100, 0),
      maxFields: readInt(env, 'RBCD_GRAPHQL_MAX_FIELDS', 1000, 1),
      maxDirectoryLookups: readInt(env, 'RBCD_GRAPHQL_MAX_LOOKUPS', 200, 1),
    },
    webhookTimeoutMs: readInt(env, 'RBCD_WEBHOOK_TIMEOUT_MS', 10_000, 100),
    driftRepair: readBoolean(env.RBCD_DRIFT_REPAIR, 'RBCD_DRIFT_REPAIR') ?? false,
    trustProxy: readTrustProxy(env.RBCD_TRUST_PROXY),
    ...readTestCrashAt(env),
  };
}

/** RBCD_TEST_CRASH_AT: a test hook, refused in production and validated against the known points. */
function readTestCrashAt(env: Env): { testCrashAt?: string } {
  const text = env.RBCD_TEST_CRASH_AT?.trim();
  if (!text) return {};
  if (env.NODE_ENV === 'production')
    throw new ConfigError('RBCD_TEST_CRASH_AT', 'is a test hook and is refused when NODE_ENV=production');
  const [action, point, ...rest] = text.split(':');
  if (rest.length || !INTENT_ACTIONS.includes(action as never) || !CRASH_POINTS.includes(point as never)) {
    throw new ConfigError('RBCD_TEST_CRASH_AT', `must be <${INTENT_ACTIONS.join('|')}>:<${CRASH_POINTS.join('|')}>`);
  }
  return { testCrashAt: `${action}:${point}` };
}

/** `true`/`false`, a hop count, or a comma-separated list of IP addresses and CIDR ranges. */
function readTrustProxy(value: string | undefined): AppConfig['trustProxy'] {
  const text = value?.trim();
  if (!text || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(
        'RBCD_TRUST_PROXY',
        `"${entry}" is not an IP address or CIDR range (or use true, false, or a hop count)`,
      );
    }
  }
  return entries;
}

/** on/off (and the true/false spellings readBoolean takes). */
function readYamlFile(path: string | undefined): Yaml {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('RBCD_CONFIG', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError('RBCD_CONFIG', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError('RBCD_CONFIG', `${path} must hold a mapping`);
  return doc as Yaml;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readLogLevel(value: string | undefined): string {
  const level = value?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** The one boolean parser for settings: true/1/yes/on and false/0/no/off, any case; empty is unset. */
function readBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(name, 'must be true or false');
}

/** A URL as it may appear in an error message: no user, password or query string. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//***@').replace(/\?.*$/, '?***');
}

function readMigrateOnStart(env: Env): boolean {
  const byDefault = !(env.DATABASE_URL ?? 'sqlite:').startsWith('postgres');
  return readBoolean(env.RBCD_MIGRATE_ON_START, 'RBCD_MIGRATE_ON_START') ?? byDefault;
}

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('PORT', `"${value}" is not a port number`);
  return port;
}

function readInt(env: Env, name: string, fallback: number, min: number): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(name, `"${value}" must be a whole number >= ${min}`);
  return n;
}

export function readDatabase(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path)
      throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path (sqlite:./data/rbcd.sqlite) or :memory:');
    return { type: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { type: 'postgres', url };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://');
}

function secretFrom(value: unknown, file: unknown, name: string): string | undefined {
  if (typeof file === 'string' && file.trim() !== '') {
    try {
      return readFileSync(file.trim(), 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(
        name,
        `cannot read secret file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(name, 'must be a string');
  return value;
}

function readCa(file: unknown, name: string): { ca?: string; caFile?: string } {
  if (file === undefined || file === null || file === '') return {};
  if (typeof file !== 'string') throw new ConfigError(name, 'must be a file path');
  try {
    const ca = readFileSync(file, 'utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(name, `${file} holds no PEM certificate`);
    return { ca, caFile: file };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(name, `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readUrls(raw: unknown, name: string): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  const urls = list.map((u) => String(u).trim()).filter(Boolean);
  if (urls.length === 0) throw new ConfigError(name, 'needs at least one ldaps:// or ldap:// URL');
  for (const url of urls) {
    if (!/^ldaps?:\/\/[^/\s@?]+\/?$/i.test(url))
      throw new ConfigError(name, `"${redactUrl(url)}" is not an ldap:// or ldaps:// URL (scheme, host and port only)`);
  }
  return urls;
}

function domainFromBaseDn(baseDn: string | undefined): string | undefined {
  if (!baseDn) return undefined;
  const parts = baseDn
    .split(',')
    .map((p) => p.trim())
    .filter((p) => /^dc=/i.test(p))
    .map((p) => p.slice(3));
  return parts.length ? parts.join('.').toLowerCase() : undefined;
}

function buildDomain(raw: Record<string, unknown>, label: string): DomainConfig {
  const urls = readUrls(raw.urls, `${label}.urls`);
  const baseDn = optionalString(raw.baseDn, `${label}.baseDn`);
  const name = (optionalString(raw.name, `${label}.name`) ?? domainFromBaseDn(baseDn))?.toLowerCase();
  if (!name) throw new ConfigError(`${label}.name`, 'the domain DNS name is required (or a baseDn to derive it from)');
  const timeout = (key: string, fallback: number) => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || v < 100)
      throw new ConfigError(`${label}.${key}`, 'must be a number of milliseconds >= 100');
    return v;
  };
  return {
    name,
    netbios: optionalString(raw.netbios, `${label}.netbios`)?.toUpperCase(),
    urls,
    baseDn,
    bindDn: optionalString(raw.bindDn, `${label}.bindDn`),
    bindPassword: secretFrom(raw.bindPassword, raw.bindPasswordFile, `${label}.bindPassword`),
    ...readCa(raw.caFile, `${label}.caFile`),
    startTls: readBoolean(raw.startTls, `${label}.startTls`) ?? true,
    connectTimeoutMs: timeout('connectTimeoutMs', 5000),
    operationTimeoutMs: timeout('operationTimeoutMs', 15000),
    ...readPoolSize(raw.poolSize, `${label}.poolSize`),
  };
}

function readPoolSize(value: unknown, name: string): { poolSize?: number } {
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_POOL_SIZE) {
    throw new ConfigError(name, `must be a whole number from 1 to ${MAX_POOL_SIZE}`);
  }
  return { poolSize: value };
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(name, 'must be a string');
  return value.trim();
}

function readDomains(env: Env, yaml: Yaml): DomainConfig[] {
  const domains: DomainConfig[] = [];
  const labels = new Map<string, string>();
  if (yaml.domains !== undefined) {
    if (!Array.isArray(yaml.domains)) throw new ConfigError('RBCD_CONFIG domains', 'must be a list');
    yaml.domains.forEach((d, i) => {
      if (!d || typeof d !== 'object') throw new ConfigError(`RBCD_CONFIG domains[${i}]`, 'must be a mapping');
      domains.push(buildDomain(d as Record<string, unknown>, `RBCD_CONFIG domains[${i}]`));
      labels.set(domains[domains.length - 1].name, `RBCD_CONFIG domains[${i}]`);
    });
  }
  if (env.LDAP_URL?.trim()) {
    // The environment describes one domain; what it sets overrides the YAML entry of the same name
    // (and only that: an unset LDAP_TIMEOUT_MS keeps the file's operationTimeoutMs).
    const fromEnv = stripUndefined(buildDomainFromEnv(env)) as Partial<DomainConfig> &
      Pick<DomainConfig, 'name' | 'urls'>;
    const index = domains.findIndex((d) => d.name === fromEnv.name);
    if (index >= 0) domains[index] = { ...domains[index], ...fromEnv };
    else domains.unshift({ ...DOMAIN_DEFAULTS, ...fromEnv });
  } else {
    for (const name of ['LDAP_BASE_DN', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BIND_PASSWORD_FILE']) {
      if (env[name] && domains.length === 0) throw new ConfigError('LDAP_URL', `is required when ${name} is set`);
    }
  }
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.name)) throw new ConfigError('RBCD_CONFIG domains', `domain ${d.name} is configured twice`);
    seen.add(d.name);
    const fromEnv = d === domains[0] && Boolean(env.LDAP_URL?.trim());
    if (d.bindDn && d.bindPassword === undefined) {
      throw new ConfigError(
        fromEnv ? 'LDAP_BIND_PASSWORD' : `domain ${d.name} bindPassword`,
        'a bind DN needs a password (or a password file)',
      );
    }
    // A simple bind on ldap:// without StartTLS sends the password in clear: never.
    const cleartext =
      d.bindDn && !d.startTls ? d.urls.find((url) => url.toLowerCase().startsWith('ldap://')) : undefined;
    if (cleartext) {
      throw new ConfigError(
        fromEnv ? 'LDAP_STARTTLS' : `${labels.get(d.name) ?? `domain ${d.name}`}.startTls`,
        `is false while ${cleartext} is ldap:// and a bind DN is set: the service account's password would cross the network in clear; use ldaps:// or leave StartTLS on`,
      );
    }
  }
  return domains;
}

/** The largest LDAP_POOL_SIZE: more connections than this only queue at the DC. */
const MAX_POOL_SIZE = 32;

/** LDAP_POOL_SIZE applies to every domain (a domain's YAML `poolSize` wins for that domain). */
function withPoolSize(domains: DomainConfig[], env: Env): DomainConfig[] {
  const fromEnv = readInt(env, 'LDAP_POOL_SIZE', DEFAULT_POOL_SIZE, 1);
  if (fromEnv > MAX_POOL_SIZE) throw new ConfigError('LDAP_POOL_SIZE', `"${fromEnv}" must be at most ${MAX_POOL_SIZE}`);
  return domains.map((d) => ({ ...d, poolSize: d.poolSize ?? fromEnv }));
}

const DEFAULT_POOL_SIZE = 4;

const DOMAIN_DEFAULTS = { startTls: true, connectTimeoutMs: 5000, operationTimeoutMs: 15000 };

/** The domain the LDAP_* variables describe; what they leave unset is undefined. */
function buildDomainFromEnv(env: Env): Partial<DomainConfig> & Pick<DomainConfig, 'name' | 'urls'> {
  const baseDn = env.LDAP_BASE_DN?.trim() || undefined;
  // Neither given: the name is read from the DC's rootDSE at boot (discoverDomainNames).
  const name = env.LDAP_DOMAIN?.trim().toLowerCase() || domainFromBaseDn(baseDn) || '';
  return {
    name,
    netbios: env.LDAP_NETBIOS?.trim().toUpperCase() || undefined,
    urls: readUrls(env.LDAP_URL, 'LDAP_URL'),
    baseDn,
    bindDn: env.LDAP_BIND_DN?.trim() || undefined,
    bindPassword: secretFrom(
      env.LDAP_BIND_PASSWORD,
      env.LDAP_BIND_PASSWORD_FILE,
      env.LDAP_BIND_PASSWORD_FILE ? 'LDAP_BIND_PASSWORD_FILE' : 'LDAP_BIND_PASSWORD',
    ),
    ...readCa(env.LDAP_CA_FILE, 'LDAP_CA_FILE'),
    startTls: readBoolean(env.LDAP_STARTTLS, 'LDAP_STARTTLS'),
    connectTimeoutMs: env.LDAP_CONNECT_TIMEOUT_MS?.trim()
      ? readInt(env, 'LDAP_CONNECT_TIMEOUT_MS', 5000, 100)
      : undefined,
    operationTimeoutMs: env.LDAP_TIMEOUT_MS?.trim() ? readInt(env, 'LDAP_TIMEOUT_MS', 15000, 100) : undefined,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readAdminKey(env: Env): string | undefined {
  const key = secretFrom(env.RBCD_ADMIN_API_KEY, env.RBCD_ADMIN_API_KEY_FILE, 'RBCD_ADMIN_API_KEY');
  if (key !== undefined && key.length < 16)
    throw new ConfigError('RBCD_ADMIN_API_KEY', 'must be at least 16 characters');
  return key;
}

function readDuration(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || parseIsoDuration(value) === undefined) {
    throw new ConfigError(name, `"${String(value)}" is not an ISO 8601 duration such as PT12H or P30D`);
  }
  return value;
}

function readApprovals(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10) {
    throw new ConfigError(name, 'must be a whole number from 1 to 10');
  }
  return value;
}

function readBreakGlass(raw: unknown, label: string): { breakGlass?: BreakGlassRule } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(label, 'must be a mapping');
  const b = raw as Record<string, unknown>;
  if (typeof b.allowed !== 'boolean') throw new ConfigError(`${label}.allowed`, 'must be true or false');
  const maxDuration = readDuration(b.maxDuration, `${label}.maxDuration`);
  if (!maxDuration) throw new ConfigError(`${label}.maxDuration`, 'is required (an ISO 8601 duration such as PT4H)');
  return {
    breakGlass: {
      allowed: b.allowed,
      maxDuration,
      reviewWithin: readDuration(b.reviewWithin, `${label}.reviewWithin`) ?? 'PT24H',
    },
  };
}

function readPolicy(raw: unknown): PolicyConfig {
  const policy = (raw ?? {}) as Record<string, unknown>;
  if (typeof policy !== 'object' || Array.isArray(policy))
    throw new ConfigError('RBCD_CONFIG policy', 'must be a mapping');
  const d = (policy.defaults ?? {}) as Record<string, unknown>;
  const defaults = {
    requiredApprovals: readApprovals(d.requiredApprovals, 'policy.defaults.requiredApprovals') ?? 1,
    maxDuration: readDuration(d.maxDuration, 'policy.defaults.maxDuration') ?? 'P30D',
    defaultDuration: readDuration(d.defaultDuration, 'policy.defaults.defaultDuration'),
    requireTicket: d.requireTicket === true,
    ...readTimePolicy(d, 'policy.defaults', secretFrom),
  };
  const rawRules = policy.rules ?? [];
  if (!Array.isArray(rawRules)) throw new ConfigError('RBCD_CONFIG policy.rules', 'must be a list');
  const rules: PolicyRule[] = rawRules.map((r, i) => {
    const label = `policy.rules[${i}]`;
    const rule = (r ?? {}) as Record<string, unknown>;
    const match = (rule.match ?? {}) as Record<string, unknown>;
    if (!match.targetDnSuffix && !match.domain)
      throw new ConfigError(`${label}.match`, 'needs targetDnSuffix or domain');
    return {
      match: {
        targetDnSuffix: optionalString(match.targetDnSuffix, `${label}.match.targetDnSuffix`),
        domain: optionalString(match.domain, `${label}.match.domain`)?.toLowerCase(),
      },
      deny: optionalString(rule.deny, `${label}.deny`),
      requiredApprovals: readApprovals(rule.requiredApprovals, `${label}.requiredApprovals`),
      ...readOwnerRule(rule, label),
      maxDuration: readDuration(rule.maxDuration, `${label}.maxDuration`),
      defaultDuration: readDuration(rule.defaultDuration, `${label}.defaultDuration`),
      requireTicket: rule.requireTicket === undefined ? undefined : rule.requireTicket === true,
      ...readTimePolicy(rule, label, secretFrom),
      ...readBreakGlass(rule.breakGlass, `${label}.breakGlass`),
    };
  });
  const tier0Groups = policy.tier0Groups ?? [];
  if (!Array.isArray(tier0Groups) || tier0Groups.some((g) => typeof g !== 'string' || !g.trim())) {
    throw new ConfigError(
      'RBCD_CONFIG policy.tier0Groups',
      'must be a list of group identifiers (DN, SID or DOMAIN\\name)',
    );
  }
  const allow = policy.allowUserCreatedComputers;
  if (allow !== undefined && typeof allow !== 'boolean')
    throw new ConfigError('RBCD_CONFIG policy.allowUserCreatedComputers', 'must be true or false');
  return {
    defaults,
    rules,
    owners: readOwnerGroups(policy.owners),
    tier0Groups: tier0Groups.map((g: string) => g.trim()),
    allowUserCreatedComputers: allow === true,
  };
}

/** `approvers: {owners: 1, others: 1}` and `noOwner: deny | approvers` of one rule. */
function readOwnerRule(
  rule: Record<string, unknown>,
  label: string,
): { approvers?: ApproversRule; noOwner?: NoOwnerSetting } {
  if (rule.approvers === undefined) {
    if (rule.noOwner !== undefined)
      throw new ConfigError(`${label}.noOwner`, 'needs approvers: {owners: N, others: M} in the same rule');
    return {};
  }
  const raw = rule.approvers as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${label}.approvers`, 'must be a mapping {owners: N, others: M}');
  const unknown = Object.keys(raw).filter((k) => k !== 'owners' && k !== 'others');
  if (unknown.length) throw new ConfigError(`${label}.approvers`, `unknown key ${unknown[0]} (owners, others)`);
  const count = (key: 'owners' | 'others') => {
    const value = raw[key] ?? 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10)
      throw new ConfigError(`${label}.approvers.${key}`, 'must be a whole number from 0 to 10');
    return value;
  };
  const approvers = { owners: count('owners'), others: count('others') };
  if (approvers.owners + approvers.others < 1)
    throw new ConfigError(`${label}.approvers`, 'needs at least one approval (owners + others >= 1)');
  if (rule.requiredApprovals !== undefined)
    throw new ConfigError(`${label}.requiredApprovals`, 'give requiredApprovals or approvers, not both');
  const noOwner = rule.noOwner ?? 'deny';
  if (!NO_OWNER_SETTINGS.includes(noOwner as NoOwnerSetting))
    throw new ConfigError(`${label}.noOwner`, `must be one of ${NO_OWNER_SETTINGS.join(', ')}`);
  return { approvers, noOwner: noOwner as NoOwnerSetting };
}

const DN_SHAPE = /^(CN|OU|DC)=[^,]+(,\s*(CN|OU|DC)=[^,]+)*$/i;

/** `owners: {"OU=Web,OU=Servers,DC=…": "CN=Web Owners,…"}`: the owner group of each OU. */
function readOwnerGroups(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('policy.owners', 'must map OU DNs to owner group DNs');
  const owners: Record<string, string> = {};
  for (const [ou, group] of Object.entries(raw as Record<string, unknown>)) {
    if (!DN_SHAPE.test(ou.trim()))
      throw new ConfigError(
        `policy.owners`,
        `"${ou}" is not a distinguished name (OU=Web,OU=Servers,DC=contoso,DC=test)`,
      );
    if (typeof group !== 'string' || !DN_SHAPE.test(group.trim()))
      throw new ConfigError(`policy.owners.${ou}`, 'must be the distinguished name of a group');
    owners[ou.trim()] = group.trim();
  }
  return owners;
}

/** `roles.fromGroups: {approver: ["CN=RBCD Approvers,…"]}` and how long group answers are cached. */
function readRoles(env: Env, raw: unknown): RolesConfig {
  const groupCacheMs = readInt(env, 'RBCD_GROUP_CACHE_MS', 60_000, 0);
  if (raw === undefined || raw === null) return { fromGroups: {}, groupCacheMs };
  const roles = raw as Record<string, unknown>;
  if (typeof roles !== 'object' || Array.isArray(roles))
    throw new ConfigError('roles', 'must be a mapping (roles.fromGroups)');
  const fromGroups: Record<string, string[]> = {};
  const map = (roles.fromGroups ?? {}) as Record<string, unknown>;
  if (typeof map !== 'object' || Array.isArray(map))
    throw new ConfigError('roles.fromGroups', 'must map roles to lists of group DNs');
  for (const [role, groups] of Object.entries(map)) {
    if (!isRole(role)) throw new ConfigError(`roles.fromGroups.${role}`, `is not a role (${ROLES.join(', ')})`);
    if (
      !Array.isArray(groups) ||
      groups.length === 0 ||
      groups.some((g) => typeof g !== 'string' || !DN_SHAPE.test(g.trim()))
    ) {
      throw new ConfigError(`roles.fromGroups.${role}`, 'must be a non-empty list of group distinguished names');
    }
    fromGroups[role] = groups.map((g: string) => g.trim());
  }
  return { fromGroups, groupCacheMs };
}

function readWebhooks(raw: unknown): WebhookConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('RBCD_CONFIG webhooks', 'must be a list');
  return raw.map((w, i) => {
    const label = `webhooks[${i}]`;
    const hook = (w ?? {}) as Record<string, unknown>;
    const url = optionalString(hook.url, `${label}.url`);
    if (!url || !/^https?:\/\//.test(url)) throw new ConfigError(`${label}.url`, 'must be an http(s) URL');
    const events = hook.events === undefined ? WEBHOOK_EVENTS : hook.events;
    if (!Array.isArray(events) || events.some((e) => !WEBHOOK_EVENTS.includes(String(e)))) {
      throw new ConfigError(`${label}.events`, `must list events from: ${WEBHOOK_EVENTS.join(', ')}`);
    }
    return { url, secret: secretFrom(hook.secret, hook.secretFile, `${label}.secret`), events: events.map(String) };
  });
}

function readAuditSinks(raw: unknown): AuditSinkConfig[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('RBCD_CONFIG audit', 'must be a mapping (audit.sinks: [...])');
  const sinks = (raw as Record<string, unknown>).sinks;
  if (sinks === undefined || sinks === null) return [];
  if (!Array.isArray(sinks)) throw new ConfigError('RBCD_CONFIG audit.sinks', 'must be a list');
  const names = new Set<string>();
  return sinks.map((s, i) => {
    const label = `audit.sinks[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new ConfigError(label, 'must be a mapping');
    const sink = s as Record<string, unknown>;
    const name = optionalString(sink.name, `${label}.name`);
    if (!name || !/^[A-Za-z0-9][\w.-]{0,99}$/.test(name))
      throw new ConfigError(`${label}.name`, 'is required: letters, digits, ".", "_" or "-" (at most 100)');
    if (names.has(name)) throw new ConfigError(`${label}.name`, `"${name}" is used by two sinks`);
    names.add(name);
    const type = sink.type;
    if (!AUDIT_SINK_TYPES.includes(type as never))
      throw new ConfigError(`${label}.type`, `must be one of: ${AUDIT_SINK_TYPES.join(', ')}`);
    const base = {
      name,
      batchSize: readPositiveInt(sink.batchSize, `${label}.batchSize`, 500, 10_000),
      timeoutMs: readPositiveInt(sink.timeoutMs, `${label}.timeoutMs`, 10_000, 600_000),
      ...pem(readCa(sink.caFile, `${label}.caFile`).ca),
    };
    if (type === 'syslog') {
      const address = optionalString(sink.address, `${label}.address`);
      const match = address ? /^(?:tls:\/\/)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address) : null;
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
        throw new ConfigError(
          `${label}.address`,
          'must be host:port of a syslog TLS receiver (e.g. siem.example.com:6514)',
        );
      const format = sink.format ?? 'json';
      if (!SYSLOG_FORMATS.includes(format as never))
        throw new ConfigError(`${label}.format`, `must be one of: ${SYSLOG_FORMATS.join(', ')}`);
      const hostname = optionalString(sink.hostname, `${label}.hostname`);
      if (hostname !== undefined && !/^[\x21-\x7e]{1,255}$/.test(hostname))
        throw new ConfigError(`${label}.hostname`, 'must be printable ASCII without spaces (RFC 5424 HOSTNAME)');
      const cert = secretFrom(undefined, sink.certFile, `${label}.certFile`);
      const key = secretFrom(undefined, sink.keyFile, `${label}.keyFile`);
      if (!cert !== !key) throw new ConfigError(`${label}.certFile`, 'certFile and keyFile go together (mutual TLS)');
      return {
        ...base,
        type: 'syslog' as const,
        host: match[1].replace(/^\[|\]$/g, ''),
        port: Number(match[2]),
        format: format as 'json' | 'cef',
        ...(hostname ? { hostname } : {}),
        ...(cert ? { cert, key } : {}),
      };
    }
    const url = optionalString(sink.url, `${label}.url`);
    if (!url || !/^https?:\/\/[^\s@]+$/.test(url))
      throw new ConfigError(
        `${label}.url`,
        'must be the http(s) URL of the HEC endpoint, without credentials (e.g. https://splunk:8088/services/collector/event)',
      );
    const token = secretFrom(undefined, sink.tokenFile, `${label}.tokenFile`)?.trim();
    if (!token) throw new ConfigError(`${label}.tokenFile`, 'is required: a file holding the HEC token');
    return {
      ...base,
      type: 'splunk-hec' as const,
      url,
      token,
      ...(optionalString(sink.index, `${label}.index`) ? { index: String(sink.index) } : {}),
      source: optionalString(sink.source, `${label}.source`) ?? 'rbcd-broker',
      sourcetype: optionalString(sink.sourcetype, `${label}.sourcetype`) ?? 'rbcd:audit',
    };
  });
}

function pem(ca: string | undefined): { ca?: string } {
  return ca ? { ca } : {};
}

function readPositiveInt(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ConfigError(name, `must be an integer from 1 to ${max}`);
  return value;
}

function readSlack(env: Env, rawChat: unknown): AppConfig['chat']['slack'] {
  const chat = (rawChat ?? {}) as Record<string, unknown>;
  const slack = (chat.slack ?? {}) as Record<string, unknown>;
  const signingSecret =
    secretFrom(env.SLACK_SIGNING_SECRET, env.SLACK_SIGNING_SECRET_FILE, 'SLACK_SIGNING_SECRET') ??
    secretFrom(slack.signingSecret, slack.signingSecretFile, 'chat.slack.signingSecret');
  if (!signingSecret && chat.slack === undefined) return undefined;
  const users = (slack.users ?? {}) as Record<string, unknown>;
  if (typeof users !== 'object' || Array.isArray(users))
    throw new ConfigError('chat.slack.users', 'must map chat user ids to {user, roles}');
  const mapped: Record<string, ChatUserConfig> = {};
  for (const [id, entry] of Object.entries(users)) mapped[id] = readChatUser(id, entry);
  return { signingSecret, notifyUrl: optionalString(slack.notifyUrl, 'chat.slack.notifyUrl'), users: mapped };
}

/** `{user: alice@contoso.test, roles: [...]}`, or the old bare role list (an unlinked, read-only chat user). */
function readChatUser(id: string, entry: unknown): ChatUserConfig {
  const label = `chat.slack.users.${id}`;
  const checkRoles = (roles: unknown, name: string): string[] => {
    if (!Array.isArray(roles) || roles.some((r) => !isRole(String(r))))
      throw new ConfigError(name, `must be a list of roles from: ${ROLES.join(', ')}`);
    return roles.map(String);
  };
  if (Array.isArray(entry)) return { roles: checkRoles(entry, label) };
  if (!entry || typeof entry !== 'object') throw new ConfigError(label, 'must be {user: <AD user>, roles: [...]}');
  const { user, roles, ...rest } = entry as Record<string, unknown>;
  if (Object.keys(rest).length) throw new ConfigError(label, `unknown key ${Object.keys(rest)[0]} (user, roles)`);
  const name = optionalString(user, `${label}.user`);
  if (!name)
    throw new ConfigError(
      `${label}.user`,
      'is required: the AD user behind this chat id (alice@contoso.test, CONTOSO\\alice)',
    );
  return { user: name, roles: roles === undefined ? [] : checkRoles(roles, `${label}.roles`) };
}

function readStaticApiKeys(raw: unknown): StaticApiKeyConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('RBCD_CONFIG apiKeys', 'must be a list');
  return raw.map((k, i) => {
    const label = `apiKeys[${i}]`;
    const key = (k ?? {}) as Record<string, unknown>;
    const name = optionalString(key.name, `${label}.name`);
    if (!name) throw new ConfigError(`${label}.name`, 'is required');
    const sha256 = optionalString(key.sha256, `${label}.sha256`)?.toLowerCase();
    if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256))
      throw new ConfigError(`${label}.sha256`, 'must be the 64-hex SHA-256 of the key');
    const roles = key.roles;
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => !isRole(String(r)))) {
      throw new ConfigError(`${label}.roles`, `must be a list of roles from: ${ROLES.join(', ')}`);
    }
    const owner = optionalString(key.owner, `${label}.owner`);
    if (owner && key.mayActOnBehalf === true)
      throw new ConfigError(
        `${label}.mayActOnBehalf`,
        "a person's key (owner) may not act on behalf of others; use a system key",
      );
    return {
      name,
      sha256,
      roles: roles.map(String),
      mayActOnBehalf: key.mayActOnBehalf === true,
      ...(owner ? { owner } : {}),
    };
  });
}

function readOidc(env: Env): AppConfig['oidc'] {
  const issuer = env.OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const audience = env.OIDC_AUDIENCE?.trim();
  if (!audience) throw new ConfigError('OIDC_AUDIENCE', 'is required when OIDC_ISSUER is set');
  const jwksUrl = env.OIDC_JWKS_URL?.trim() || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  if (!/^https?:\/\//.test(jwksUrl)) throw new ConfigError('OIDC_JWKS_URL', 'must be an http(s) URL');
  return {
    issuer,
    audience,
    jwksUrl,
    rolesClaim: env.OIDC_ROLES_CLAIM?.trim() || 'roles',
    jwksCacheMaxAgeMs: readInt(env, 'OIDC_JWKS_CACHE_MS', 10 * 60_000, 0),
    jwksCooldownMs: readInt(env, 'OIDC_JWKS_COOLDOWN_MS', 30_000, 0),
    ...readOidcUser(env),
    ...readApprovalMaxAge(env),
  };
}

function readOidcUser(env: Env): { userClaim?: OidcUserClaim; usersExternal: boolean } {
  const claim = env.OIDC_USER_CLAIM?.trim();
  if (claim && !OIDC_USER_CLAIMS.includes(claim as OidcUserClaim))
    throw new ConfigError('OIDC_USER_CLAIM', `must be one of ${OIDC_USER_CLAIMS.join(', ')}`);
  const usersExternal = readBoolean(env.OIDC_USERS_EXTERNAL, 'OIDC_USERS_EXTERNAL') ?? false;
  if (usersExternal && !claim)
    throw new ConfigError('OIDC_USERS_EXTERNAL', 'needs OIDC_USER_CLAIM (the claim that names the person)');
  return { ...(claim ? { userClaim: claim as OidcUserClaim } : {}), usersExternal };
}
